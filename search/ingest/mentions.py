"""Where a document's people and organisations are named in its text, with stable URL-safe keys."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from search.ingest.entities import _organisation_spans
from search.ingest.knowledge import Knowledge, name_key, package_knowledge
from search.ingest.names import find_mentions, fold, person_key, skeleton, surname_of

PERSON, ORG = "person", "org"


@dataclass(frozen=True)
class Mention:
    """One naming of an entity in a text: kind, canonical name, key and character span."""

    kind: str
    name: str
    key: str
    start: int
    end: int


def entity_key(kind: str, name: str) -> str:
    """Stable URL-safe key of a canonical entity: a person's transliteration key, an org's folded name.

    A person's key is names.person_key (so Salim/Salem AlMalik/Al-Malik share it) with "|" as "--";
    an organisation's is entities.name_key with spaces as "-". No module had a URL-safe key yet.
    """
    if kind == PERSON:
        key = person_key(name.split())
        if key:
            return re.sub(r"[^a-z0-9-]", "", key.replace("|", "--"))
    return re.sub(r"[^a-z0-9&]+", "-", name_key(name)).strip("-").replace("&", "and") or "x"


def find_entity_mentions(text: str, people: list[str], organisations: list[str],
                         knowledge: Knowledge | None = None) -> list[Mention]:
    """Every span of text naming one of the document's people or organisations, in text order."""
    knowledge = knowledge or package_knowledge()
    entities: dict[str, tuple[str, str]] = {}  # normalised surface -> (kind, canonical)
    raw: set[str] = set()

    def add(surface: str, kind: str, name: str) -> None:
        if surface.strip():
            entities.setdefault(_norm(surface), (kind, name))
            raw.add(surface.strip())

    for surface, person in _person_surfaces(text, people, knowledge):
        add(surface, PERSON, person)
    wanted = set(organisations)
    for canonical, surface in _organisation_spans(text, knowledge):
        if canonical in wanted:
            add(surface, ORG, canonical)
    for org in organisations:
        add(org, ORG, org)
    if not raw:
        return []
    # As one alternation of the forms, longest first, scanned once from the left would find them:
    # every place each form matches, then, from the left, the first place and its longest form.
    # Each form's pattern is compiled once per process (a document's own alternation was compiled
    # for that document alone, which cost more than the scan).
    forms = sorted(raw, key=lambda form: (-len(form), form))
    starts = []
    for order, form in enumerate(forms):
        head, pattern = _form_pattern(form)
        at = text.find(head)
        while at != -1:  # the form can only start where its first word does
            match = pattern.match(text, at)
            if match:
                starts.append((at, order, match.end(1)))
            at = text.find(head, at + 1)
    starts.sort()
    found = []
    end = 0
    for start, _order, stop in starts:
        if start < end:
            continue
        kind, name = entities[_norm(text[start:stop])]
        found.append(Mention(kind, name, entity_key(kind, name), start, stop))
        end = stop
    return found


@lru_cache(maxsize=1 << 15)
def _form_pattern(form: str) -> tuple[str, re.Pattern]:
    """The first word of a surface form as written (the literal every match starts with), and the
    form's pattern as a whole name, matched where that word is found."""
    head = form.split()[0]
    head = head.rstrip(".") if head[-1:] == "." or len(head) == 1 else head
    return head, re.compile(r"(?<![\w-])(" + _surface_pattern(form) + r")(?![\w-])")


def _person_surfaces(text: str, people: list[str], knowledge: Knowledge):
    # A mention is the document's person when it has that person's key, or is its unique surname.
    by_key = {}
    for person in people:
        key = person_key(person.split())
        if key:
            by_key[knowledge.person_keys.get(key, key)] = person
    by_key.update({k: c for k, c in knowledge.people.items() if c in set(people)})
    by_surname: dict[str, set] = {}
    for key, person in by_key.items():
        by_surname.setdefault(surname_of(key), set()).add(person)
    for person in people:
        yield person, person
    seen = set()  # a name repeated down the text is looked up once
    for mention in find_mentions(text):
        words = mention.words
        surface = " ".join(words)
        if surface in seen:
            continue
        seen.add(surface)
        key = person_key(words)
        key = knowledge.person_keys.get(key, key)
        if key in by_key:
            yield surface, by_key[key]
        elif len(words) <= 2:
            owners = by_surname.get(skeleton(words[-1]), set())
            if len(owners) == 1 and len(words[-1]) > 2:
                yield surface, next(iter(owners))


def _norm(surface: str) -> str:
    return " ".join(fold(surface).replace(".", " ").split())


def _surface_pattern(surface: str) -> str:
    # Words as written, any spacing between them, a dot after a word optional ("M" / "M.").
    words = surface.split()
    return r"[\s\u00a0]+".join(re.escape(w.rstrip(".")) + r"\.?" if w[-1:] == "." or len(w) == 1
                              else re.escape(w) for w in words)
