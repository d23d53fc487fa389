"""Query expansion: translations from a bilingual glossary, organisations' acronyms and names,
transliteration variants of names and misspellings, and proximity of the words typed.

Every expansion is an optional clause weighted below the words typed, so documents that hold the
words themselves stay first. The glossary ships in search/data/glossary.toml; a researcher extends
it with DOCS_DIR/glossary.toml in the same format::

    [any_section_name]
    "patrimoine" = "heritage"                       # French = English
    "intelligence artificielle" = ["artificial intelligence", "AI"]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from whoosh import query as Q

from search.index.analysis import ANALYZERS, neutral_analyzer, stopwords
from search.index.arabic import is_arabic
from search.index.namekeys import lone_particles, word_keys
from search.query.rarity import Rare, Variants, rarity  # noqa: F401  (imported from here by parse and scoring)
from search.index.schema import LANGUAGE_GROUPS
from search.ingest.config_files import check_glossary
from search.resources import package_toml

# Weights of the expansion clauses, relative to 1.0 for the words typed.
PHRASE_TRANSLATION_BOOST = 0.6
WORD_TRANSLATION_BOOST = 0.5
ACRONYM_BOOST = 0.7
SOUND_KEY_BOOST = 0.5
FUZZY_BOOST = 0.3
PROXIMITY_BOOST = 1.0
PROXIMITY_SLOP = 3
MAX_NGRAM = 6

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_FIELDED = re.compile(r"(?<![\w:])[A-Za-zÀ-ÿ_]+:(?:\"[^\"]*\"|\[[^\]]*\]|\{[^}]*\}|\S+)")
_EXCLUDED = re.compile(r"(?:(?<!\S)-|\bNOT\s+)(?:\"[^\"]*\"|\S+)")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,11}$")


@dataclass
class Expansion:
    """What query expansion knows: glossary entries by analysed form, and organisations' forms."""

    # (language, analysed terms of a form) -> forms in the other language: [(language, text)]
    glossary: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = field(default_factory=dict)
    # acronym -> (canonical, every acronym, every name) of an organisation
    organisations: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)

    def add_glossary(self, data: dict, origin: str = "glossary") -> None:
        """Add the entries of a parsed glossary.toml: "French" = "English" or [...], and Arabic entries
        "Arabic" = { fr = ..., en = ... }."""
        for section, entries in data.items():
            if not isinstance(entries, dict):
                raise ValueError(f"{origin}: [{section}] should hold \"French\" = \"English\" lines, got {entries!r}")
            for french, english in entries.items():
                if isinstance(english, dict):
                    self._add_third_language(french, english, origin)
                    continue
                values = [english] if isinstance(english, str) else english
                if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                    raise ValueError(f"{origin}: {french!r} should map to a string or a list of strings")
                for value in values:
                    self._pair("fr", french, "en", value)
                    self._pair("en", value, "fr", french)

    def _add_third_language(self, text: str, forms: dict, origin: str) -> None:
        """An Arabic entry: "التراث" = { fr = "patrimoine", en = "heritage" } (strings or lists),
        searched from Arabic into French and English."""
        if not is_arabic(text) or not forms or not set(forms) <= {"fr", "en"}:
            raise ValueError(f"{origin}: {text!r} = {{ fr = ..., en = ... }} is for Arabic words, with French and English forms")
        for other, values in forms.items():
            values = [values] if isinstance(values, str) else values
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ValueError(f"{origin}: {text!r} {other} should be a string or a list of strings")
            for value in values:
                # One way: an Arabic query reaches French and English pages. The other way cost a
                # third more time on common words (éducation, ICESCO) for the few Arabic pages,
                # which Latin queries reach through their organisations and people already.
                self._pair("ar", text, other, value)

    def _pair(self, lang: str, text: str, other: str, translation: str) -> None:
        key = (lang, tuple(analyse(text, lang)))
        if key[1] and analyse(translation, other) != list(key[1]):
            targets = self.glossary.setdefault(key, [])
            if (other, translation) not in targets:
                targets.append((other, translation))

    def add_organisations(self, data: dict) -> None:
        """Add a gazetteer in the form of search/data/organisations.toml."""
        for canonical, entry in data.items():
            acronyms = tuple(dict.fromkeys([*entry.get("acronyms", []), *([canonical] if canonical.isupper() else [])]))
            names = tuple(n for n in entry.get("names", []) if n != canonical or not canonical.isupper())
            for acronym in acronyms:
                self.organisations[acronym] = (canonical, acronyms, names)

    def translations(self, words: list[str]) -> list[tuple[str, str, int, tuple[str, ...]]]:
        """(language, translation, size, words covered) for every glossary form found in the words."""
        found = []
        for lang in ("fr", "en", "ar"):
            terms = [analyse(w, lang) for w in words]
            stems = [t[0] if t else None for t in terms]
            for size in range(min(MAX_NGRAM, len(stems)), 0, -1):
                for start in range(len(stems) - size + 1):
                    gram = tuple(s for s in stems[start:start + size] if s is not None)
                    if not gram or stems[start] is None or stems[start + size - 1] is None:
                        continue
                    for other, text in self.glossary.get((lang, gram), []):
                        found.append((other, text, len(gram), tuple(words[start:start + size])))
        return list(dict.fromkeys(found))


def analyse(text: str, lang: str) -> list[str]:
    """Index terms of a text in a language's analyser (stop words removed)."""
    return list(_analysed(text, lang))


@lru_cache(maxsize=16_384)
def _analysed(text: str, lang: str) -> tuple[str, ...]:
    # A query's words are analysed for every field and clause, and queries repeat: remembered.
    return tuple(t.text for t in _analyzer(lang)(text, mode="query"))


@lru_cache(maxsize=None)
def _analyzer(group: str):
    return ANALYZERS.get(group, neutral_analyzer)()


@lru_cache(maxsize=1)
def package_expansion() -> Expansion:
    """Expansion from the package's glossary and organisations gazetteer (treat as read-only)."""
    expansion = Expansion()
    expansion.add_glossary(package_toml("glossary.toml"), "search/data/glossary.toml")
    expansion.add_organisations(package_toml("organisations.toml"))
    return expansion


def load_expansion(docs_dir: str | Path | None = None) -> Expansion:
    """The package's expansion, extended with DOCS_DIR/glossary.toml when there is one."""
    base = package_expansion()
    path = Path(docs_dir) / "glossary.toml" if docs_dir else None
    if path is None or not path.is_file():
        return base
    expansion = Expansion(dict(base.glossary), dict(base.organisations))
    expansion.glossary = {k: list(v) for k, v in base.glossary.items()}
    expansion.add_glossary(check_glossary(path), str(path))
    return expansion


def free_words(text: str) -> list[str]:
    """The words of a query outside fielded clauses, exclusions and operators."""
    text = _EXCLUDED.sub(" ", _FIELDED.sub(" ", text))
    return [w for w in _WORD.findall(text) if w not in _OPERATORS][:32]


def split_elision(word: str) -> tuple[str, str]:
    """(elided article, rest) of a French elided word (l’ICESCO → l, ICESCO); ("", word) otherwise."""
    for quote in ("'", "’"):
        head, sep, tail = word.partition(quote)
        if sep and tail and head.lower() in stopwords()["fr_elisions"]:
            return head, tail
    return "", word


def query_language(words: list[str]) -> str | None:
    """'fr' or 'en' when the query's own stop words say which (l’, de, les / the, of), else None."""
    lists = stopwords()
    votes = {"fr": 0, "en": 0}
    for word in words:
        if word.isupper() and len(word) > 1:
            continue  # AI, US: names, whatever their spelling in lower case
        article, rest = split_elision(word)
        lower = (rest if not article else article).lower()
        in_fr, in_en = lower in lists["fr"] or bool(article), lower in lists["en"]
        if in_fr != in_en:
            votes["fr" if in_fr else "en"] += 1
    if votes["fr"] == votes["en"]:
        return None
    return "fr" if votes["fr"] > votes["en"] else "en"


def is_query_stop_word(word: str, lang: str | None) -> bool:
    """True for a stop word of the query's language, or of both languages when it is unknown.

    Dropped from every field, so a French "de" does not search English or neutral text, nor
    organisation names. Words in capitals (AI, US) are kept: they are names, not grammar.
    """
    if word.isupper() and len(word) > 1:
        return False
    lower = word.lower()
    lists = stopwords()
    if lang is None:
        return lower in lists["fr"] and lower in lists["en"]
    return lower in lists[lang]


def content_words(words: list[str]) -> list[str]:
    """The query's words without its language's stop words, French elided articles and the
    particles of names (bin, al…).

    All the words are kept when nothing else would be left (a query of grammar words alone).
    """
    lang = query_language(words)
    particles = set(lone_particles(words))
    kept = [w for i, w in enumerate(words) if not is_query_stop_word(w, lang) and i not in particles]
    if lang != "en":
        kept = [split_elision(w)[1] for w in kept]
    return kept or words


@lru_cache(maxsize=16_384)
def word_terms(word: str) -> tuple[tuple[str, str], ...]:
    """A word's terms in the text fields of every language and in names: what `rarity` counts."""
    pairs = [(f"text_{g}", t) for g in LANGUAGE_GROUPS for t in analyse(word, g)[:1]]
    pairs += [(f, t) for f in ("org_names", "person_names") for t in _name_terms(word)[:1]]
    return tuple(pairs)


def _rare(clause: Q.Query, words: list[str]) -> Q.Query:
    return Rare(clause, [word_terms(w) for w in words])


def _text_fields(group: str) -> list[str]:
    return [f"title_{group}", f"text_{group}"]


def _phrase_or_term(text: str, group: str, boost: float, slop: int = 1, titles: bool = True) -> Q.Query | None:
    """The text analysed for a language group, as a term or a phrase over its title and text fields
    (its text field alone without titles)."""
    terms = analyse(text, group)
    if not terms:
        return None
    fields = _text_fields(group) if titles else [f"text_{group}"]
    if len(terms) == 1:
        clauses = [Q.Term(f, terms[0]) for f in fields]
    else:
        clauses = [Q.Phrase(f, terms, slop=slop) for f in fields]
    return Q.Or(clauses, boost=boost)


def translation_clauses(expansion: Expansion, words: list[str]) -> list[Q.Query]:
    """The glossary's translations of the words, phrases weighted above single words."""
    clauses = {}
    for lang, text, size, covered in expansion.translations(words):
        boost = PHRASE_TRANSLATION_BOOST if size > 1 else WORD_TRANSLATION_BOOST
        # Into Arabic, the text field alone (a headline is the first line of its text): the few
        # Arabic pages are reached for half the lookups.
        clause = _phrase_or_term(text, lang, boost, titles=lang != "ar")
        if clause is not None and any(map(is_arabic, covered)):
            # The few Arabic pages make every Arabic word look rare: its French and English forms
            # count as rare as they are in the archive.
            clause = _rare(clause, _WORD.findall(text))
        if clause is not None:
            # Several entries may give one translation (organisation → organization, organize):
            # it counts, and costs, once.
            clauses.setdefault(str(clause), _rare(clause, list(covered)))
        if text in expansion.organisations:  # an organisation's name in Arabic: its acronym's forms too
            for organisation in organisation_clauses(expansion, [text]):
                clauses.setdefault(str(organisation), organisation)
    return list(clauses.values())


def organisation_clauses(expansion: Expansion, words: list[str]) -> list[Q.Query]:
    """For an acronym typed: the best of its organisation's other acronyms and its canonical value.

    Documents that only spell the name out carry the canonical value in org_names (the entity
    extractor maps full names to it), so no phrase of the full name is needed: such phrases over
    a common organisation walked the positions of most of the archive (a second per query).
    """
    clauses = []
    for word in words:
        key = word if _ACRONYM.match(word) else word.upper() if len(word) >= 4 else None
        entry = expansion.organisations.get(key) if key else None
        if entry is None:
            continue
        canonical, acronyms, _names = entry
        forms = [Q.Term("org_names", t, boost=ACRONYM_BOOST) for t in _name_terms(canonical)]
        for acronym in acronyms:
            if acronym != key:
                forms += [c for g in LANGUAGE_GROUPS if (c := _phrase_or_term(acronym, g, ACRONYM_BOOST))]
        if forms:
            # One organisation counts once, whichever of its forms a document uses.
            clauses.append(_rare(Q.DisjunctionMax(forms), [word]))
    return clauses


def _name_terms(name: str) -> list[str]:
    from search.index.analysis import name_analyzer

    return [t.text for t in name_analyzer()(name)]


def variant_clauses(words: list[str]) -> list[Q.Query]:
    """Transliteration variants (same consonant skeleton) and misspellings (edit distance) of words."""
    clauses = []
    for word in words:
        if len(word) < 4 or word.isdigit():
            continue
        folded = analyse(word, "xx")
        if not folded:
            continue
        terms = [word_terms(word)]
        keys = word_keys(word)
        if keys:
            keyed = [Q.Term("name_keys", key, boost=SOUND_KEY_BOOST) for key in keys]
            keyed = keyed[0] if len(keyed) == 1 else Q.DisjunctionMax(keyed)
            # A name in Arabic script is spelled in Latin by most of the archive, however many
            # Arabic pages hold it: its Latin forms are always searched.
            clauses.append(Rare(keyed, terms) if is_arabic(word) else Variants(keyed, terms, folded[0]))
        if len(folded[0]) >= 5:
            maxdist = 2 if len(folded[0]) >= 8 else 1
            fuzzy = Q.FuzzyTerm("spell", folded[0], boost=FUZZY_BOOST, maxdist=maxdist, prefixlength=2)
            clauses.append(Variants(fuzzy, terms, folded[0]))
    return clauses


def proximity_clauses(words: list[str]) -> list[Q.Query]:
    """Each pair of neighbouring words as a sloppy phrase in every language's fields."""
    clauses = []
    for group in LANGUAGE_GROUPS:
        terms = [(w, t) for w in words for t in analyse(w, group)]
        for (wa, a), (wb, b) in zip(terms, terms[1:]):
            clauses += [_rare(Q.Phrase(f, [a, b], slop=PROXIMITY_SLOP, boost=PROXIMITY_BOOST), [wa, wb])
                        for f in _text_fields(group)]
    return clauses


def expansion_clauses(text: str, expansion: Expansion | None = None) -> list[Q.Query]:
    """Every optional clause that widens a query's free words (empty when there are none)."""
    from search.query.names import name_clauses  # names.py builds on this module's clauses

    expansion = expansion or package_expansion()
    typed = free_words(text)
    words = content_words(typed)
    if not words:
        return []
    return (
        name_clauses(typed)
        + translation_clauses(expansion, words)
        + organisation_clauses(expansion, words)
        + variant_clauses(words)
        + (proximity_clauses(words) if len(words) > 1 else [])
    )
