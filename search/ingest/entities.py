"""People and organisations named in a document, normalised to one canonical value each.

Researcher aliases (DOCS_DIR/aliases.toml), applied at reindex::

    [[person]]
    name = "Salim M. AlMalik"                  # the value shown in the facet
    aliases = ["Salem Ben Mohammed Al-Malik", "Dr. Malik"]

    [[organisation]]
    name = "ICESCO"
    acronyms = ["ISESCO"]                      # case-sensitive whole words
    aliases = ["Organisation islamique pour l'éducation, les sciences et la culture"]
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from search.ingest.arabic_names import arabic_people
from search.ingest.names import acronym_start, choose_canonical, name_variants, display_form, find_mentions, fold, name_rules, person_key, resolve_people, skeleton, surname_of
from search.resources import package_toml, read_user_toml

_ACRONYM = re.compile(r"(?<![\w-])[A-Z][A-Za-z0-9&]*[A-Z][A-Za-z0-9&]*(?![\w-])")
# "(ACRONYM)" after its long form: the long form is read back from the bracket, up to 200
# characters and never across ( ) or the end of a sentence or line.
_ACRONYM_IN_BRACKETS = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,11}(?:-[A-Za-z]+)?)\s*\)")
_LONG_FORM_CHARS = 200
_LEADING = re.compile(r"^(?:(?:the|of|and|by|from|with|to|between|l['’]|la|le|les|de|des|du|d['’]|et|par|entre|avec|a)\s+|l['’]|d['’])+", re.I)
_HEADS_EN = ("Organization|Organisation|University|Commission|Committee|Council|Center|Centre|Agency|Foundation|"
             "Association|Institute|Bank|Federation|Union|Authority|Academy|School|Program|Programme|Fund|"
             "Corporation|Company|League|Ministry|Service|Park|Group|Network|Office")
_HEADS_FR = ("Organisation|Commission|Comité|Conseil|Centre|Agence|Fondation|Association|Institut|Banque|"
             "Fédération|Union|Ligue|Université|université|Académie|École|Ecole|Groupe|Fonds|Autorité|ministère|Ministère|Bureau")
_LINKS = frozenset({"and", "the", "of", "for", "de", "la", "le", "les", "l", "pour", "et", "des", "du", "d"})
_GENERIC = frozenset({"executive", "general", "permanent", "supreme", "higher", "joint", "steering", "advisory",
                      "trustees", "directors", "national", "ministers", "ministres", "affairs", "affaires", "foreign",
                      "etrangeres", "scientific", "technical", "organizing", "organising"})
_ACTIVITY = re.compile(r"\b(?:Program|Programme|Service|Expo)\b")
_ARABIC_PREFIX = "(?:[وفبلك]{0,2}(?:ال|لل|ل)?)"
_OFFICE = frozenset({"agency", "office", "secretariat", "headquarters", "bureau", "agence", "secretariat"})
_ROYAL = frozenset({"king", "queen", "prince", "princess", "emir", "sultan", "roi", "reine"})
_GOVERNING = frozenset({"council", "conseil", "committee", "comite", "board", "assembly", "assemblee"})
_CAP = r"[A-ZÀ-Þ][\w’'&-]*"
_SP = r"[ \t]+"
_ROLES_EN = r"(?:Chairman|President|Director|Minister|Secretary|Head|Member|Ambassador|Dr|Mr|Ms|H\.E)\b"
_ORG_EN = re.compile(
    rf"(?:{_CAP}{_SP}(?:(?:and|&){_SP})?)*(?:{_HEADS_EN})\b(?:{_SP}(?:of|for|on){_SP}(?:the{_SP})?{_CAP}"
    rf"(?:(?:,{_SP}(?:and|&){_SP}|,{_SP}|{_SP}(?:(?:and|&|the|of|for|on){_SP})*)(?!\w+ed\b|{_ROLES_EN}){_CAP}(?<![’']s)){{0,5}})?")
# French names: a head noun, adjectives, then complements joined by de/pour/et ("Commission nationale
# marocaine pour l’éducation, les sciences et la culture"). Adjectives are told from verbs by ending.
_ADJ = r"[a-zà-ÿ-]{2,}(?:eur|eure|al|ale|ales|aux|ien|ienne|ain|aine|ais|aise|ique|iques|el|elle|if|ive|ier|ière|aire|ois|oise|iste|ati|ente|abe|abes|ie|il|ile)"
_ORG_FR = re.compile(
    rf"\b(?P<head>{_HEADS_FR})(?P<adj>(?:{_SP}(?:{_ADJ}\b|(?!(?:Mme|M|Dr|Pr|Mr|Son)\b)[A-ZÀ-Þ][\w’'-]+)){{0,3}})"
    rf"(?P<rest>(?:,?{_SP}(?:et{_SP})?(?:de{_SP}la|de{_SP}l['’]|pour{_SP}la|pour{_SP}l['’]|pour{_SP}les|pour{_SP}le|de|du|des|pour|la|les)[ \t]*"
    rf"(?!(?:{_HEADS_FR}|Mme|M\.|Dr|Pr|Mr|Son|Directeur|Directrice|Président|Présidente|Secrétaire|Ministre|Conférence)\b)(?:[A-ZÀ-Þ][\w’'-]*(?:{_SP}d['’][A-ZÀ-Þ][\w-]*)?|(?!dans\b|pendant\b|année|vingt|[a-zà-ÿ]+(?:er|ir|dre|tre|vre)\b)[a-zà-ÿ]{{4,}})(?:{_SP}(?:[A-ZÀ-Þ][\w’'-]*|{_ADJ}\b))*)*)")


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
                     defaultdict(set, {k: set(v) for k, v in knowledge.variants.items()}))


def load_aliases(path: Path, base: Knowledge | None = None) -> Knowledge:
    """Knowledge extended with a researcher's aliases.toml (see the module docstring); no file, no change."""
    knowledge = _copy(base or package_knowledge())
    if not Path(path).is_file():
        return knowledge
    data = read_user_toml(Path(path))
    for entry in data.get("organisation", []):
        if "name" not in entry:
            raise ValueError(f"{path}: each [[organisation]] needs a name = \"...\"")
        _add_organisation(knowledge, entry["name"], entry.get("acronyms", []), entry.get("aliases", []))
    for entry in data.get("person", []):
        if "name" not in entry:
            raise ValueError(f"{path}: each [[person]] needs a name = \"...\"")
        key = person_key(entry["name"].split())
        if key is None:
            raise ValueError(f"{path}: person name {entry['name']!r} needs a given name and a surname")
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


def learn_from_corpus(texts: Iterable[str], base: Knowledge | None = None, map_chunks=None) -> Knowledge:
    """Knowledge learned over a whole archive: "Full Name (ACRONYM)" pairs and people's common forms.

    map_chunks(function, knowledge) runs function(texts, knowledge) over the archive in chunks and
    returns the results (the indexer runs them in its process pool); by default `texts` is one chunk.
    """
    knowledge = _copy(base or package_knowledge())
    if map_chunks is None:
        chunk = list(texts)

        def map_chunks(function, knowledge):
            return [function(chunk, knowledge)]

    forms: dict[str, Counter] = defaultdict(Counter)
    expansions: dict[str, Counter] = defaultdict(Counter)
    for chunk_expansions, chunk_forms in map_chunks(corpus_evidence, knowledge):
        for acronym, longs in chunk_expansions.items():
            expansions[acronym].update(longs)
        for key, counter in chunk_forms.items():
            forms[key].update(counter)
    for acronym, longs in expansions.items():
        known = next((knowledge.org_names[name_key(lf)] for lf in longs if name_key(lf) in knowledge.org_names), None)
        canonical = knowledge.org_acronyms.get(acronym) or known or acronym
        knowledge.org_acronyms[acronym] = canonical
        # Learned names are looked up, not searched for: the gazetteer regex stays small on a big archive.
        knowledge.org_forms.update((bag_key(lf), canonical) for lf in longs)
        knowledge.variants[canonical].update([acronym, *longs])
    counts: dict[str, Counter] = defaultdict(Counter)
    for chunk_counts in map_chunks(organisation_surfaces, knowledge):
        for key, counter in chunk_counts.items():
            counts[key].update(counter)
    _learn_org_forms(knowledge, counts)
    for key, counter in forms.items():
        knowledge.people.setdefault(key, choose_canonical(counter))
        knowledge.variants[knowledge.people[key]].update(counter)
        knowledge.surnames[surname_of(key)].add(key)
    return knowledge


def corpus_evidence(texts: Iterable[str], knowledge: Knowledge) -> tuple[dict[str, Counter], dict[str, Counter]]:
    """Over some texts: the long forms written before each acronym in brackets, and the forms of
    each person's name (by person key) met after a title or role."""
    forms: dict[str, Counter] = defaultdict(Counter)
    expansions: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        for long_form, acronym in _expansions(text):
            expansions[acronym][long_form] += 1
        for mention in find_mentions(text):
            key = person_key(mention.words) if mention.triggered else None
            if key:
                forms[knowledge.person_keys.get(key, key)][display_form(mention.words)] += 1
    return dict(expansions), dict(forms)


def organisation_surfaces(texts: Iterable[str], knowledge: Knowledge) -> dict[str, Counter]:
    """Over some texts: each organisation name as written (by name key), with the values it got."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        for name, surface in _organisation_spans(text, knowledge):
            counts[name_key(surface)][name] += 1
    return dict(counts)


def _learn_org_forms(knowledge: Knowledge, counts: dict[str, Counter]) -> None:
    # A short form ("Saudi National Commission") is the archive's longer name that starts with it
    # when that is unique; spelling variants (& / and, accents) share the most frequent form.
    keys = sorted(counts)
    for key in keys:
        if bag_key(key) in knowledge.org_forms or key in knowledge.org_names:
            continue
        longer = Counter()
        for k in keys:
            if k.startswith(key + " "):
                longer[knowledge.org_forms.get(bag_key(k)) or counts[k].most_common(1)[0][0]] += sum(counts[k].values())
        ranked = longer.most_common(2) + [(None, 0), (None, 0)]
        clear = ranked[0][1] >= 2 * ranked[1][1] and ranked[0][0]
        knowledge.org_forms[bag_key(key)] = ranked[0][0] if clear else counts[key].most_common(1)[0][0]


def bag_key(name: str) -> str:
    """Key of an organisation name that ignores word order and linking words (Science and Culture)."""
    return " ".join(sorted(set(name_key(name).split()) - _LINKS))


def _known_name(found: str, knowledge: Knowledge) -> str | None:
    key = name_key(found)
    for cut in range(0, 5):
        if key[cut:] in knowledge.org_names:
            return knowledge.org_names[key[cut:]]
        if not "\u0600" <= key[:1] <= "\u06ff":
            break
    return None


def _learned_form(phrase: str, knowledge: Knowledge) -> str:
    key = name_key(phrase)
    if key in knowledge.org_names:
        return knowledge.org_names[key]
    words = phrase.split()
    acronyms = [w for w in words if w in knowledge.org_acronyms]
    if acronyms and {fold(w) for w in words if w not in acronyms} <= _GOVERNING | _GENERIC | _OFFICE | _LINKS:
        return knowledge.org_acronyms[acronyms[0]]  # "BMAQ Agency", "Office of ICESCO" are BMAQ, ICESCO
    if words[0].isupper() and bag_key(" ".join(words[1:])) in knowledge.org_forms:
        return knowledge.org_forms[bag_key(" ".join(words[1:]))]  # "NUST School of ..." is "School of ..."
    return knowledge.org_forms.get(bag_key(phrase), phrase)


def _expansions(text: str) -> list[tuple[str, str]]:
    pairs = []
    previous_end = 0
    for match in _ACRONYM_IN_BRACKETS.finditer(text):
        acronym = match.group(1)
        window = text[max(previous_end, match.start() - _LONG_FORM_CHARS):match.start()]
        before = window[max(window.rfind(c) for c in "()\n.;:") + 1:].rstrip()
        if len(before) < 3:
            continue
        previous_end = match.end()
        if sum(c.isupper() for c in acronym) < 2:
            continue
        long_form = _long_form(acronym, before)
        # Ministerial councils are governing bodies, which count as their organisation.
        if long_form and re.search(rf"\b(?:{_HEADS_EN}|{_HEADS_FR})\b", long_form, re.I) and not re.search(
                r"\bminist(?:ers|res)\b", long_form, re.I):
            pairs.append((long_form, acronym))
    return pairs


def _long_form(acronym: str, before: str) -> str | None:
    # Schwartz & Hearst: the acronym's letters, right to left, in the words before it; the first
    # letter starts a word. French names often keep the English acronym: then take the phrase
    # from its head noun ("Commission nationale ... (PNCECS)").
    text = " ".join(before.split()[-(len(acronym) + 6):])
    start = acronym_start(acronym, text)
    if start is not None:
        return _LEADING.sub("", text[start:]).strip(" ,")
    head = re.search(rf"\b(?:{_HEADS_FR})\b.*", text)
    return head.group().strip(" ,") if head else None


def _organisations(text: str, knowledge: Knowledge) -> list[str]:
    return [canonical for canonical, _ in _organisation_spans(text, knowledge)]


def _organisation_spans(text: str, knowledge: Knowledge) -> list[tuple[str, str]]:
    folded = fold(text)
    spans = [(m.start(), m.end(), _known_name(m.group(), knowledge), 0)
             for m in knowledge.org_pattern.finditer(folded)]
    spans += [(m.start(), m.end(), knowledge.org_acronyms[m.group()], 0)
              for m in _ACRONYM.finditer(text) if m.group() in knowledge.org_acronyms]
    for m in (*_ORG_EN.finditer(text), *(m for m in _ORG_FR.finditer(text) if _french_name(m))):
        phrase = _strip_leading(m.group())
        if len(phrase.split()) >= 2 and not phrase.isupper():
            canonical = _learned_form(phrase, knowledge)
            # Programmes and services are activities, not organisations, unless known by an acronym.
            if canonical != phrase or not _ACTIVITY.search(phrase):
                spans.append((m.end() - len(phrase), m.end(), canonical, 1))
    spans.sort(key=lambda s: (s[0] - s[1], s[3]))
    known = [(start, end) for start, end, _, rule in spans if not rule]
    taken: list[tuple[int, int]] = []
    found = []
    for start, end, canonical, rule in spans:
        if rule and _GOVERNING & set(fold(canonical).split()) and any(
                start <= a and b <= end and (a, b) != (start, end) for a, b in known):
            continue  # a governing body ("Executive Council of ICESCO") counts as its organisation
        if any(a < end and start < b for a, b in taken):
            continue
        taken.append((start, end))
        if not (rule and set(name_key(canonical).split()) <= _GOVERNING | _GENERIC | _LINKS):
            found.append((canonical, text[start:end]))
    return found


def _strip_leading(phrase: str) -> str:
    # Sentence openers, roles ("Chairman X Commission") and possessors ("ICESCO’s X Center") are
    # not part of the name.
    words = _LEADING.sub("", phrase).strip(" ,").split(" ")
    while len(words) > 2 and (fold(words[0]) in name_rules().roles - _ROYAL or re.search(r"['’]s$", words[0])
                              or fold(words[0]) in name_rules().not_names and words[1][:1].isupper() and
                              fold(words[0]) in ("the", "in", "on", "at", "during", "for", "with", "by")):
        words = words[1:]
    return " ".join(words)


def _french_name(match: re.Match) -> bool:
    # A bare "Organisation pour la paix" is a common noun; a name has an adjective and more, or a
    # capitalised complement ("Université de Kampala").
    adjectives, rest = match.group("adj").split(), match.group("rest")
    return (len(adjectives) >= 2 or bool(adjectives and rest) or bool(re.search(r"[ ’'][A-ZÀ-Þ]", rest))
            or any(a[0].isupper() for a in adjectives) or bool(re.search(rf"[a-zà-ÿ]{{4,}}{_SP}{_ADJ}$", rest)))


def extract_entities(text: str, lang: str, knowledge: Knowledge | None = None) -> tuple[list[str], list[str]]:
    """(people, organisations) named in a cleaned text, as canonical values."""
    knowledge = knowledge or package_knowledge()
    people = sorted(set(resolve_people(text, lang, knowledge)) | set(arabic_people(text, knowledge.people)))
    organisations = sorted(set(_organisations(text, knowledge)))
    return people, organisations


def entity_search_terms(people: Iterable[str], organisations: Iterable[str], knowledge: Knowledge | None = None) -> list[str]:
    """Surface variants of canonical names for the person_names/org_names search fields."""
    knowledge = knowledge or package_knowledge()
    terms: list[str] = []
    for person in people:
        terms += name_variants(person) + sorted(knowledge.variants.get(person, ()))
    for org in organisations:
        terms += [org, *sorted(knowledge.variants.get(org, ()))]
    return list(dict.fromkeys(t for t in terms if t))
