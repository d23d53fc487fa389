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
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from search.ingest.arabic_names import arabic_people
from search.ingest.memo import remembered
from search.ingest.dates import find_dates
from search.ingest.names import place_words, acronym_start, choose_canonical, name_variants, display_form, find_mentions, fold, name_rules, person_key, resolve_people, surname_of
from search.ingest.org_patterns import (ENGLISH_NAME, FRENCH_NAME, HEADS_EN, HEADS_FR, ContainedSpans, find_acronyms,
                                        find_english_names, find_french_names, is_french_name)
from search.ingest.knowledge import (LINKS as _LINKS, Knowledge, _copy, _join_translated_names, bag_key, cross_key, name_key,
                                     package_knowledge)

# "(ACRONYM)" after its long form: the long form is read back from the bracket, up to 200
# characters and never across ( ) or the end of a sentence or line.
_ACRONYM_IN_BRACKETS = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,11}(?:-[A-Za-z]+)?)\s*\)")
_LONG_FORM_CHARS = 200
_LEADING = re.compile(r"^(?:(?:the|of|and|by|from|with|to|between|l['’]|la|le|les|de|des|du|d['’]|et|par|entre|avec|a)\s+|l['’]|d['’])+", re.I)
_GENERIC = frozenset({"executive", "general", "permanent", "supreme", "higher", "joint", "steering", "advisory",
                      "trustees", "directors", "national", "ministers", "ministres", "affairs", "affaires", "foreign",
                      "etrangeres", "scientific", "technical", "organizing", "organising"})
_ACTIVITY = re.compile(r"\b(?:Program|Programme|Service|Expo)\b")
_OFFICE = frozenset({"agency", "office", "secretariat", "headquarters", "bureau", "agence", "secretariat"})
_ROYAL = frozenset({"king", "queen", "prince", "princess", "emir", "sultan", "roi", "reine"})
_GOVERNING = frozenset({"council", "conseil", "committee", "comite", "board", "assembly", "assemblee"})


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
    _join_translated_names(knowledge, counts)
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
        # The names that start with key and a space sort together, before key + "!".
        for k in keys[bisect_left(keys, key + " "):bisect_left(keys, key + "!")]:
            if k.startswith(key + " "):
                longer[knowledge.org_forms.get(bag_key(k)) or counts[k].most_common(1)[0][0]] += sum(counts[k].values())
        ranked = longer.most_common(2) + [(None, 0), (None, 0)]
        clear = ranked[0][1] >= 2 * ranked[1][1] and ranked[0][0]
        knowledge.org_forms[bag_key(key)] = ranked[0][0] if clear else counts[key].most_common(1)[0][0]


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
    found = knowledge.org_forms.get(bag_key(phrase))
    if found is None and getattr(knowledge, "org_cross", None):
        found = knowledge.org_cross.get(cross_key(phrase) or "")  # the name in another language
    return found or phrase


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
        if long_form and re.search(rf"\b(?:{HEADS_EN}|{HEADS_FR})\b", long_form, re.I) and not re.search(
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
    head = re.search(rf"\b(?:{HEADS_FR})\b.*", text)
    return head.group().strip(" ,") if head else None


def _organisations(text: str, knowledge: Knowledge) -> list[str]:
    return [canonical for canonical, _ in _organisation_spans(text, knowledge)]


def _organisation_spans(text: str, knowledge: Knowledge) -> list[tuple[str, str]]:
    """(canonical, surface) of each organisation named in a text, in text order (do not modify)."""
    return remembered(("organisations", text, id(knowledge)), lambda: _find_organisation_spans(text, knowledge))


def _find_organisation_spans(text: str, knowledge: Knowledge) -> list[tuple[str, str]]:
    folded = fold(text)
    spans = [(m.start(), m.end(), _known_name(m.group(), knowledge), 0)
             for m in knowledge.org_pattern.finditer(folded)]
    spans += [(m.start(), m.end(), knowledge.org_acronyms[m.group()], 0)
              for m in find_acronyms(text, knowledge.org_acronyms)]
    for m in (*find_english_names(text), *find_french_names(text)):
        phrase = _strip_leading(m.group())
        if len(phrase.split()) >= 2 and not phrase.isupper():
            canonical = _learned_form(phrase, knowledge)
            # Programmes and services are activities, not organisations, unless known by an acronym.
            if canonical != phrase or not _ACTIVITY.search(phrase):
                spans.append((m.end() - len(phrase), m.end(), canonical, 1))
    spans.sort(key=lambda s: (s[0] - s[1], s[3]))
    inside = ContainedSpans([(start, end) for start, end, _, rule in spans if not rule])
    # Longest spans first; a span overlapping one already taken is dropped. Taken characters are
    # marked, so that each test costs the span's length, not the number of spans taken.
    taken = bytearray(len(text))
    found = []
    for start, end, canonical, rule in spans:
        if rule and _kind_of(canonical).governing and inside.holds_within(start, end):
            continue  # a governing body ("Executive Council of ICESCO") counts as its organisation
        if taken.find(1, start, end) != -1:
            continue
        taken[start:end] = b"\x01" * (end - start)
        if not (rule and _kind_of(canonical).generic):
            found.append((canonical, text[start:end]))
    return found


@dataclass(frozen=True)
class _Kind:
    governing: bool  # names a governing body (a council, a board)
    generic: bool  # only generic words ("Executive Council"): no organisation of its own


@lru_cache(maxsize=4096)
def _kind_of(canonical: str) -> _Kind:
    # Once per name: a text repeating one head noun gives thousands of spans the same long name.
    return _Kind(bool(_GOVERNING & set(fold(canonical).split())),
                 set(name_key(canonical).split()) <= _GOVERNING | _GENERIC | _LINKS)


def _strip_leading(phrase: str) -> str:
    # Sentence openers, roles ("Chairman X Commission") and possessors ("ICESCO’s X Center") are
    # not part of the name.
    words = _LEADING.sub("", phrase).strip(" ,").split(" ")
    while len(words) > 2 and (fold(words[0]) in name_rules().roles - _ROYAL or re.search(r"['’]s$", words[0])
                              or fold(words[0]) in name_rules().not_names and words[1][:1].isupper() and
                              fold(words[0]) in ("the", "in", "on", "at", "during", "for", "with", "by")):
        words = words[1:]
    return " ".join(words)


def is_organisation_name(line: str, knowledge: Knowledge | None = None) -> bool:
    """True when a line is one organisation's name and nothing else (a site's masthead, say)."""
    knowledge = knowledge or package_knowledge()
    line = line.strip(" .")
    if knowledge.org_pattern.fullmatch(fold(line)) or ENGLISH_NAME.fullmatch(line):
        return True
    match = FRENCH_NAME.fullmatch(line)
    return bool(match and is_french_name(match))


# Words glued across markup: an acronym onto the next name ("ALECSOArab League"), a title onto a
# name ("MsMunaSaeed"). Legitimate inner capitals (AlMalik, McDonald) have fewer letters around them.
_GLUED_ACRONYM = re.compile(r"(?<=[A-Z]{3})(?=[A-Z][a-z]{2})")
_CAMEL_STEP = re.compile(r"(?<=[a-z])(?=[A-Z])")
_GLUED_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Mme|Mlle|Pr|Eng)(?=[A-Z][a-z])[A-Za-z]+")
# A state's own name built like an organisation's ("Union of the Comoros", "Russian Federation").
_STATE_HEADS = frozenset({"union", "federation", "republic", "republique", "kingdom", "royaume", "emirates",
                          "states", "etats", "sultanate", "sultanat", "state", "etat"})


def unglue(text: str) -> str:
    """Text with words glued across markup put apart again (entity extraction reads this)."""
    text = _GLUED_ACRONYM.sub(" ", text)
    # Every title ends in a lower-case letter: each lower-to-upper step of the glued word is a gap.
    return _GLUED_TITLE.sub(lambda m: _CAMEL_STEP.sub(" ", m.group()), text)


def is_state_name(name: str) -> bool:
    """True for a country's name built like an organisation's: a state head noun and place words."""
    key = name_key(name)
    words = set(key.split()) - _LINKS - {"the"}
    heads = words & _STATE_HEADS
    if heads == {"union"} and not key.startswith("union"):
        return False  # "African Union", "European Union" are organisations; "Union of the Comoros" is a state
    return bool(heads) and bool(words - heads) and words - heads <= place_words()


# Outlets credited by a page: an agency after a dateline ("RABAT (MAP) –", "Cairo (UNA-OIC) –",
# "(MENAFN- Gulf Times)"), a wire between slashes ("/PRNewswire/ —"), a feed's footer ("appeared
# first on X", "est apparu en premier sur X"), a syndication tag ("(MENAFN- Gulf Times)") and a
# closing credit line ("S.L. (avec MAP)", "Source : APS").
_CREDITS = (
    re.compile(r"^(?:[A-ZÀ-Þ][\w'’.-]*(?:[ ,]+[A-ZÀ-Þ][\w'’.-]*){0,3},?[ \t]*)?\((?P<credit>[A-Z][^()\n]{1,40})\)[ \t]*[-–—:]", re.M),
    re.compile(r"/(?P<credit>[A-Z][\w.-]{2,30})/[ \t]*[-–—]"),
    re.compile(r"(?:appeared first on|est apparu en premier sur)[ \t]+(?P<credit>[^\n]+?)\.?[ \t]*$", re.M),
    re.compile(r"\((?P<credit>[A-Z]{2,}-[ \t]+[A-Z][^()\n]{1,30})\)"),
    re.compile(r"^(?:[A-Z][A-Z.]{1,7}[ \t]*)?\(?(?:avec|with|source[ \t]*:)[ \t]*(?P<credit>[A-Z][\w.&-]+(?:[ \t][A-Z][\w.&-]+){0,3})\)?\.?[ \t]*$", re.M | re.I),
)
_CREDIT_PARTS = re.compile(r"[ \t]*(?:/|-[ \t]+|,[ \t]*)[ \t]*")


def credited_outlets(raw: str, knowledge: Knowledge | None = None) -> list[str]:
    """News agencies and outlets a page credits in its datelines, wires and footers (read from the
    raw text: cleaning removes the footers), as canonical values."""
    knowledge = knowledge or package_knowledge()
    found = []
    for pattern in _CREDITS:
        for match in pattern.finditer(raw):
            for part in _CREDIT_PARTS.split(match.group("credit").strip()):
                part = part.strip(" .")
                if not re.fullmatch(r"[A-ZÀ-Þ][\w.&’'-]*(?: (?:(?:of|the|du|de|des|la|le)\s)?[A-ZÀ-Þ][\w.&’'-]*){0,4}", part) \
                        or find_dates(part) \
                        or fold(part) in place_words() or fold(part) in name_rules().not_names:
                    continue
                # "UNA-OIC" is the agency UNA tagged with its parent body, when UNA is known.
                first = part.split("-")[0]
                found.append(knowledge.org_acronyms.get(part) or _known_name(part, knowledge)
                             or knowledge.org_acronyms.get(first) or part)
    return found


# A signature closing the text: an outlet ("News.Az", "APS") on the last line, or a writer's name
# after the last sentence ("… a annoncé le ministère. Noël Ndong").
_OUTLET_SIGNATURE = re.compile(r"[A-Z][\w-]{1,30}\.(?:[a-z]{2,3}|[A-Z][a-z])|[A-Z]{2,6}")
_WRITER_SIGNATURE = re.compile(r"(?:^|[.!?»”][ \t]+)([A-ZÀ-Þ][a-zà-ÿ’'-]+(?: [A-ZÀ-Þ][a-zà-ÿ’'-]+){1,2})[ \t|]*$")


def signature_names(text: str, knowledge: Knowledge | None = None) -> tuple[list[str], list[str]]:
    """(people, organisations) signing the text on its last line: a writer's byline, an outlet."""
    knowledge = knowledge or package_knowledge()
    lines = text.rstrip().rsplit("\n", 1)
    last = lines[-1].strip()
    if _OUTLET_SIGNATURE.fullmatch(last) and fold(last) not in name_rules().not_names:
        return [], [knowledge.org_acronyms.get(last) or last]
    match = _WRITER_SIGNATURE.search(last)
    if not match:
        return [], []
    words = match.group(1).split()
    key = person_key(words)
    if key is None or is_organisation_name(match.group(1), knowledge) or all(
            fold(w) in place_words() or fold(w) in name_rules().not_names for w in words) or any(
            fold(w) in name_rules().not_names | name_rules().not_person_heads for w in words):
        return [], []
    key = knowledge.person_keys.get(key, key)
    return [knowledge.people.get(key) or display_form(words)], []


def _known_values(knowledge: Knowledge) -> set[str]:
    """Every canonical organisation the knowledge holds (gazetteer, aliases, learned), remembered."""
    found = getattr(knowledge, "_known_values", None)
    if found is None:
        found = {*knowledge.org_acronyms.values(), *knowledge.org_names.values(), *knowledge.org_forms.values(),
                 *getattr(knowledge, "org_cross", {}).values()}
        knowledge._known_values = found
    return found


def extract_entities(text: str, lang: str, knowledge: Knowledge | None = None) -> tuple[list[str], list[str]]:
    """(people, organisations) named in a cleaned text, as canonical values."""
    knowledge = knowledge or package_knowledge()
    text = unglue(text)
    people = set(resolve_people(text, lang, knowledge)) | set(arabic_people(text, knowledge.people))
    signed_people, signed_outlets = signature_names(text, knowledge) if lang in ("fr", "en") else ([], [])
    known_keys = {person_key(p.split()) for p in people}
    people = sorted(people | {p for p in signed_people if person_key(p.split()) not in known_keys})
    organisations = {o for o in _organisations(text, knowledge) if not is_state_name(o)}
    if lang not in ("fr", "en"):
        # The name grammar is French and English: in another language ("Islamischen Organisation")
        # only the names the gazetteer or the archive teaches count.
        organisations &= _known_values(knowledge)
    # "Full Name (ACRONYM)" in the document itself: one organisation, known by its acronym, even
    # when the archive never defined it.
    for long_form, acronym in _expansions(text):
        value = knowledge.org_acronyms.get(acronym) or _known_name(long_form, knowledge) or acronym
        organisations -= {long_form, _learned_form(long_form, knowledge)} - {value}
        organisations.add(value)
    return people, sorted(organisations | set(signed_outlets))


def entity_search_terms(people: Iterable[str], organisations: Iterable[str], knowledge: Knowledge | None = None) -> list[str]:
    """Surface variants of canonical names for the person_names/org_names search fields."""
    knowledge = knowledge or package_knowledge()
    terms: list[str] = []
    for person in people:
        terms += name_variants(person) + sorted(knowledge.variants.get(person, ()))
    for org in organisations:
        terms += [org, *sorted(knowledge.variants.get(org, ()))]
    return list(dict.fromkeys(t for t in terms if t))
