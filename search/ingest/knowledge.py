"""What entity extraction knows beyond one document: the organisations gazetteer, the researcher's
aliases (DOCS_DIR/aliases.toml), and what the archive taught (acronyms, name forms, the French and
English names of one organisation). Learning it from an archive is search/ingest/entities.py's
`learn_from_corpus`; this module holds the knowledge and its keys."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from search.ingest.config_files import read_aliases
from search.ingest.names import fold, name_rules, person_key, skeleton, surname_of
from search.resources import package_toml

_ARABIC_PREFIX = "(?:[وفبلك]{0,2}(?:ال|لل|ل)?)"
LINKS = frozenset({"and", "the", "of", "for", "de", "la", "le", "les", "l", "pour", "et", "des", "du", "d"})


@dataclass
class Knowledge:
    """What extraction knows beyond one document: gazetteer, learned acronyms and names, aliases."""

    org_acronyms: dict[str, str] = field(default_factory=dict)
    org_names: dict[str, str] = field(default_factory=dict)  # folded name -> canonical (searched for)
    org_forms: dict[str, str] = field(default_factory=dict)  # learned folded name -> canonical (looked up)
    people: dict[str, str] = field(default_factory=dict)  # person key -> canonical form
    person_keys: dict[str, str] = field(default_factory=dict)  # alias key -> canonical key
    surnames: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    variants: dict[str, set] = field(default_factory=lambda: defaultdict(set))  # canonical -> forms seen
    org_cross: dict[str, str] = field(default_factory=dict)  # cross-language key -> canonical (cross_key)

    @property
    def org_pattern(self) -> re.Pattern:
        """One regex over folded text for every known organisation name, longest first."""
        if getattr(self, "_pattern", None) is None:
            self._pattern = _names_pattern(tuple(self.org_names))
        return self._pattern


def _word_pattern(word: str) -> str:
    variants = {"organisation": "organi[sz]ation", "organization": "organi[sz]ation", "centre": "cent(?:re|er)",
                "center": "cent(?:re|er)", "programme": "program(?:me)?", "program": "program(?:me)?",
                "and": "(?:and|&)", "&": "(?:and|&)"}
    return variants.get(word, re.escape(word))


@lru_cache(maxsize=8)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern:
    alternatives = []
    for name in sorted(names, key=len, reverse=True):
        words = re.findall(r"[\w&]+", name)
        # Arabic writes the article and some prepositions onto the word (لليونسكو, والإيسيسكو).
        prefix = _ARABIC_PREFIX if "\u0600" <= name[0] <= "\u06ff" else ""
        alternatives.append(prefix + r"[\W_]+".join(_word_pattern(w) for w in words))
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")


def name_key(name: str) -> str:
    """Folded form in which two organisation names compare equal (accents, case, punctuation)."""
    return " ".join(re.findall(r"[\w&]+", fold(name))).replace("&", "and").replace(
        "organization", "organisation").replace("centre", "center").replace("programme", "program")


@lru_cache(maxsize=1)
def package_knowledge() -> Knowledge:
    """The knowledge shipped with the package: the organisations gazetteer."""
    knowledge = Knowledge()
    for canonical, entry in package_toml("organisations.toml").items():
        _add_organisation(knowledge, canonical, entry.get("acronyms", []), entry.get("names", []))
    return knowledge


def _add_organisation(knowledge: Knowledge, canonical: str, acronyms: Iterable[str], names: Iterable[str]) -> None:
    knowledge.variants[canonical].update([*acronyms, *names])
    for acronym in [*acronyms, canonical if canonical.isupper() else None]:
        if acronym:
            knowledge.org_acronyms[acronym] = canonical
    for name in [*names, canonical]:
        if not canonical.isupper() or name != canonical:
            knowledge.org_names[name_key(name)] = canonical
    knowledge._pattern = None


def _copy(knowledge: Knowledge) -> Knowledge:
    return Knowledge(dict(knowledge.org_acronyms), dict(knowledge.org_names), dict(knowledge.org_forms), dict(knowledge.people),
                     dict(knowledge.person_keys), defaultdict(set, {k: set(v) for k, v in knowledge.surnames.items()}),
                     defaultdict(set, {k: set(v) for k, v in knowledge.variants.items()}),
                     dict(getattr(knowledge, "org_cross", {})))


def load_aliases(path: Path, base: Knowledge | None = None) -> Knowledge:
    """Knowledge extended with a researcher's aliases.toml (see the module docstring); no file, no change."""
    knowledge = _copy(base or package_knowledge())
    if not Path(path).is_file():
        return knowledge
    data = read_aliases(Path(path))  # checked: a wrong entry raises ConfigError naming its line
    for entry in data.get("organisation", []):
        _add_organisation(knowledge, entry["name"], entry.get("acronyms", []), entry.get("aliases", []))
    for entry in data.get("person", []):
        key = person_key(entry["name"].split())
        knowledge.people[key] = entry["name"]
        knowledge.variants[entry["name"]].update(entry.get("aliases", []))
        knowledge.surnames[surname_of(key)].add(key)
        for alias in entry.get("aliases", []):
            words = [w for w in alias.split() if fold(w).rstrip(".") not in name_rules().titles]
            alias_key = person_key(words)
            if alias_key:
                knowledge.person_keys[alias_key] = key
            elif words:
                knowledge.surnames[skeleton(words[-1])] = {key}
    return knowledge


# Linking words of names in the languages the glossary joins; from this many words a name is specific.
CROSS_KEY_SPECIFIC_WORDS = 5
_CROSSLINKS = LINKS | {"to", "in", "on", "a", "au", "aux", "en", "sur", "d", "l"}


def cross_key(name: str) -> str | None:
    """A key shared by the French and English names of one organisation ("Bureau de l’UNESCO pour le
    Maghreb", "UNESCO Maghreb Office"): words through the bilingual glossary, linking words and order
    ignored. None unless the name holds a word the glossary does not translate (a proper name, an
    acronym): generic names ("Ministry of Education") of different bodies must not meet."""
    from search.ingest.signatures import glossary_concepts

    concepts = glossary_concepts()
    words = [w for w in name_key(name).split() if w not in _CROSSLINKS]
    mapped, proper = set(), False
    for word in words:
        concept = concepts.get(word) or concepts.get(word.rstrip("s")) or (
            concepts.get(word[:-1]) if word.endswith("e") else None)
        proper = proper or concept is None
        value = concept or word
        mapped.add(value[:-1] if value.endswith("s") and len(value) > 4 else value)  # science(s)
    # A long name is specific even in common words ("Organisation islamique pour l'éducation, la
    # science et la culture"); a short one needs a proper name.
    specific = proper or len(mapped) >= CROSS_KEY_SPECIFIC_WORDS
    return " ".join(sorted(mapped)) if specific and len(mapped) >= 2 else None


def _join_translated_names(knowledge: Knowledge, counts: dict[str, Counter]) -> None:
    # The French and English names of one organisation found in the archive become one value: the
    # one known by an acronym, else the most frequent, else the longest.
    totals: Counter = Counter()
    for counter in counts.values():
        totals.update(counter)
    groups: dict[str, list[str]] = defaultdict(list)
    for name in totals:
        key = cross_key(name)
        if key:
            groups[key].append(name)
    known = set(knowledge.org_acronyms.values())
    # Names the gazetteer or the researcher's aliases give, in any language, anchor their group.
    anchors = {}
    for name, canonical in knowledge.org_names.items():
        key = cross_key(name)
        if key:
            anchors.setdefault(key, canonical)
    knowledge.org_cross.update(anchors)
    for key, names in groups.items():
        if key in anchors:
            names.append(anchors[key])
        names = sorted(set(names))
        if len(names) < 2:
            continue
        chosen = anchors.get(key) or max(names, key=lambda n: (n in known, totals[n], len(n), n))
        knowledge.org_cross[key] = chosen
        for name in names:
            if name != chosen:
                knowledge.org_forms[bag_key(name)] = chosen
                knowledge.variants[chosen].add(name)


def bag_key(name: str) -> str:
    """Key of an organisation name that ignores word order and linking words (Science and Culture)."""
    return " ".join(sorted(set(name_key(name).split()) - LINKS))
