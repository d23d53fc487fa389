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

from .names import Mention, choose_canonical, display_form, find_mentions, fold, name_rules, person_key, skeleton, surname_of
from .resources import package_toml, read_user_toml

_ACRONYM = re.compile(r"(?<![\w’'-])[A-Z][A-Za-z0-9&]*[A-Z][A-Za-z0-9&]*(?![\w-])")
_EXPANSION = re.compile(r"([^()\n.;:]{3,200}?)\s*\(\s*([A-Z][A-Za-z&]{1,11}(?:-[A-Za-z]+)?)\s*\)")
_LEADING = re.compile(r"^(?:(?:the|of|and|by|from|with|to|between|l['’]|la|le|les|de|des|du|d['’]|et|par|entre|avec|a)\s+|l['’]|d['’])+", re.I)
_HEADS_EN = ("Organization|Organisation|University|Commission|Committee|Council|Center|Centre|Agency|Foundation|"
             "Association|Institute|Bank|Federation|Union|Authority|Academy|School|Program|Programme|Fund|"
             "Corporation|Company|League|Ministry|Service|Park|Group|Network")
_HEADS_FR = ("Organisation|Commission|Comité|Conseil|Centre|Agence|Fondation|Association|Institut|Banque|"
             "Fédération|Union|Ligue|Université|Académie|École|Ecole|Groupe|Fonds|Autorité|ministère|Ministère")
_GOVERNING = frozenset({"council", "conseil", "committee", "comite", "board", "assembly", "assemblee"})
_CAP = r"[A-ZÀ-Þ][\w’'&.-]*"
_ORG_EN = re.compile(
    rf"(?:{_CAP}\s+)*(?:{_HEADS_EN})\b(?:\s+(?:of|for|on)\s+(?:the\s+)?{_CAP}(?:,?\s+(?:(?:and|&|the|of|for|on|in)\s+)*{_CAP})*)?")
_ORG_FR = re.compile(
    rf"\b(?:{_HEADS_FR})(?:\s+[a-zà-ÿ]{{4,}}(?!\s+(?:de|du|des|à|a|en|par)\s+[a-zà-ÿ]{{4,}}\b)){{0,3}}"
    rf"(?:,?\s+(?:et\s+)?(?:de\s+la|de\s+l['’]|pour\s+la|pour\s+l['’]|pour\s+les|pour\s+le|de|du|des|pour|la|les|l['’])\s*"
    rf"(?:[A-ZÀ-Þ][\w’'-]*|[a-zà-ÿ]{{4,}})(?:\s+[A-ZÀ-Þ][\w’'-]*)*)*")


@dataclass
class Knowledge:
    """What extraction knows beyond one document: gazetteer, learned acronyms and names, aliases."""

    org_acronyms: dict[str, str] = field(default_factory=dict)
    org_names: dict[str, str] = field(default_factory=dict)  # folded name -> canonical
    people: dict[str, str] = field(default_factory=dict)  # person key -> canonical form
    person_keys: dict[str, str] = field(default_factory=dict)  # alias key -> canonical key
    surnames: dict[str, set] = field(default_factory=lambda: defaultdict(set))

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
        alternatives.append(r"[\W_]+".join(_word_pattern(w) for w in words))
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
    for acronym in [*acronyms, canonical if canonical.isupper() else None]:
        if acronym:
            knowledge.org_acronyms[acronym] = canonical
    for name in [*names, canonical]:
        if not canonical.isupper() or name != canonical:
            knowledge.org_names[name_key(name)] = canonical
    knowledge._pattern = None


def _copy(knowledge: Knowledge) -> Knowledge:
    return Knowledge(dict(knowledge.org_acronyms), dict(knowledge.org_names), dict(knowledge.people),
                     dict(knowledge.person_keys), defaultdict(set, {k: set(v) for k, v in knowledge.surnames.items()}))


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
        knowledge.surnames[surname_of(key)].add(key)
        for alias in entry.get("aliases", []):
            words = [w for w in alias.split() if fold(w).rstrip(".") not in name_rules().titles]
            alias_key = person_key(words)
            if alias_key:
                knowledge.person_keys[alias_key] = key
            elif words:
                knowledge.surnames[skeleton(words[-1])] = {key}
    return knowledge


def learn_from_corpus(texts: Iterable[str], base: Knowledge | None = None) -> Knowledge:
    """Knowledge learned over a whole archive: "Full Name (ACRONYM)" pairs and people's common forms."""
    knowledge = _copy(base or package_knowledge())
    forms: dict[str, Counter] = defaultdict(Counter)
    expansions: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        for long_form, acronym in _expansions(text):
            expansions[acronym][long_form] += 1
        for mention in find_mentions(text):
            key = person_key(mention.words) if mention.triggered else None
            if key:
                forms[knowledge.person_keys.get(key, key)][display_form(mention.words)] += 1
    for acronym, longs in expansions.items():
        known = next((knowledge.org_names[name_key(lf)] for lf in longs if name_key(lf) in knowledge.org_names), None)
        canonical = knowledge.org_acronyms.get(acronym) or known or acronym
        _add_organisation(knowledge, canonical, [acronym], list(longs))
    for key, counter in forms.items():
        knowledge.people.setdefault(key, choose_canonical(counter))
        knowledge.surnames[surname_of(key)].add(key)
    return knowledge


def _expansions(text: str) -> list[tuple[str, str]]:
    pairs = []
    for match in _EXPANSION.finditer(text):
        before, acronym = match.groups()
        if sum(c.isupper() for c in acronym) < 2:
            continue
        long_form = _long_form(acronym, before)
        if long_form and re.search(rf"\b(?:{_HEADS_EN}|{_HEADS_FR})\b", long_form, re.I):
            pairs.append((long_form, acronym))
    return pairs


def _long_form(acronym: str, before: str) -> str | None:
    # Schwartz & Hearst: the acronym's letters, right to left, in the words before it; the first
    # letter starts a word. French names often keep the English acronym: then take the phrase
    # from its head noun ("Commission nationale ... (PNCECS)").
    words = before.split()[-(len(acronym) + 6):]
    text = " ".join(words)
    s, i = len(acronym) - 1, len(text) - 1
    while s >= 0 and i >= 0:
        c = acronym[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (text[i].lower() != c or (s == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        s, i = s - 1, i - 1
    if s < 0 and i >= -1:
        return _LEADING.sub("", text[text.rfind(" ", 0, i + 2) + 1:]).strip(" ,")
    head = re.search(rf"\b(?:{_HEADS_FR})\b.*", text)
    return head.group().strip(" ,") if head else None


def _organisations(text: str, knowledge: Knowledge) -> list[str]:
    folded = fold(text)
    spans = [(m.start(), m.end(), knowledge.org_names.get(name_key(m.group()), None), 0)
             for m in knowledge.org_pattern.finditer(folded)]
    spans += [(m.start(), m.end(), knowledge.org_acronyms[m.group()], 0)
              for m in _ACRONYM.finditer(text) if m.group() in knowledge.org_acronyms]
    for pattern in (_ORG_EN, _ORG_FR):
        for m in pattern.finditer(text):
            phrase = _LEADING.sub("", m.group()).strip(" ,")
            if len(phrase.split()) >= 2 and not phrase.isupper():
                spans.append((m.end() - len(phrase), m.end(), knowledge.org_names.get(name_key(phrase), phrase), 1))
    spans.sort(key=lambda s: (s[0] - s[1], s[3]))
    taken: list[tuple[int, int, str]] = []
    found = []
    for start, end, canonical, rule in spans:
        outer = next((t for t in taken if t[0] <= start and end <= t[1]), None)
        if outer and outer[2] == "governing" and not rule:
            found.append(canonical)  # a governing body counts as its organisation
        if outer or any(t[0] < end and start < t[1] for t in taken):
            continue
        head = fold(canonical.split()[0 if canonical[0].isupper() and rule else -1]) if rule else ""
        governing = rule and (head in _GOVERNING or fold(canonical.split()[-1]) in _GOVERNING or
                              any(w in _GOVERNING for w in fold(canonical).split()[:2]))
        taken.append((start, end, "governing" if governing else canonical))
        if not governing:
            found.append(canonical)
    return found


def _people(text: str, lang: str, knowledge: Knowledge) -> list[str]:
    mentions = find_mentions(text)
    forms: dict[str, Counter] = defaultdict(Counter)
    surnames: dict[str, set] = defaultdict(set)
    pending: list[Mention] = []
    person_rules = lang in ("fr", "en")
    for mention in mentions:
        key = person_key(mention.words)
        key = knowledge.person_keys.get(key, key)
        if key and ((mention.triggered and person_rules) or key in knowledge.people):
            forms[key][display_form(mention.words)] += 1
            surnames[surname_of(key)].add(key)
        else:
            pending.append(mention)
    for mention in pending:
        if len(mention.words) > 2 or not (mention.triggered or len(mention.words) == 1):
            continue
        sk = skeleton(mention.words[-1])
        keys = surnames.get(sk) or (knowledge.surnames.get(sk) if mention.triggered else None)
        if keys and len(keys) == 1:
            key = next(iter(keys))
            forms[key][knowledge.people.get(key, "")] += 0  # resolved to the document's or archive's full name
    people = []
    for key, counter in forms.items():
        canonical = knowledge.people.get(key) or choose_canonical(+counter or counter)
        if canonical:
            people.append(canonical)
    return people


def extract_entities(text: str, lang: str, knowledge: Knowledge | None = None) -> tuple[list[str], list[str]]:
    """(people, organisations) named in a cleaned text, as canonical values."""
    knowledge = knowledge or package_knowledge()
    people = sorted(set(_people(text, lang, knowledge)))
    organisations = sorted(set(_organisations(text, knowledge)))
    return people, organisations


def entity_search_terms(people: Iterable[str], organisations: Iterable[str], knowledge: Knowledge | None = None) -> list[str]:
    """Surface variants of canonical names for the person_names/org_names search fields."""
    knowledge = knowledge or package_knowledge()
    terms: list[str] = []
    for person in people:
        words = person.split()
        terms += [person, " ".join(w.replace("-", "") for w in words)]
        terms += [w for w in words if len(w) > 2 and fold(w) not in name_rules().particles]
        terms += [re.sub(r"^(?:al|el)-?", "", fold(w)) for w in words if re.match(r"(?i)(?:al|el)-?\w{3}", w)]
    for org in organisations:
        terms.append(org)
        terms += [a for a, c in knowledge.org_acronyms.items() if c == org]
    return list(dict.fromkeys(t for t in terms if t))
