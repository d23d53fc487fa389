"""The grammar of meetings per language (search/data/meetings.toml), compiled once."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from search.ingest.names import fold, name_rules
from search.resources import package_toml

LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Grammar:
    """Compiled forms of one language: triggers on folded text, clause ends on the text as written."""

    transitive: re.Pattern
    reciprocal: frozenset[str]
    visit: frozenset[str]
    with_verbs: re.Pattern
    joint: re.Pattern
    passive: re.Pattern
    nominal: re.Pattern
    with_word: re.Pattern
    by_word: re.Pattern
    between_word: re.Pattern
    auxiliary_before: re.Pattern
    coordinators: re.Pattern
    clause_ends: re.Pattern
    np_words: frozenset[str]
    place_words: frozenset[str]
    post_words: frozenset[str]
    pronouns: re.Pattern
    determiners: frozenset[str]
    openers: frozenset[str]
    with_nouns: frozenset[str]
    things: frozenset[str]
    roles: frozenset[str]


def _form(form: str) -> str:
    # Words of a form with any spacing between them; "*" is up to two words of anything.
    tokens = form.split()
    parts = []
    for i, token in enumerate(tokens):
        if token == "*":
            parts.append(r"(?:\S+\s+){0,2}?")
        else:
            # An adverb may stand inside a compound tense ("s'est également entretenu").
            parts.append(re.escape(token) + (r"\s+(?:\w+ment\s+)?" if i < len(tokens) - 1 else ""))
    return "".join(parts)


def _alternation(forms: list[str]) -> re.Pattern:
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile(r"(?<![\w'-])(?:" + "|".join(_form(fold(f)) for f in ordered) + r")(?![\w-])")


def _words(forms: list[str]) -> re.Pattern:
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile(r"(?<![\w'-])(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in ordered) + r")(?![\w-])", re.I)


@lru_cache(maxsize=4)
def grammar(lang: str) -> Grammar:
    """The compiled grammar of a language (en or fr)."""
    data = package_toml("meetings.toml")[lang]
    auxiliaries = "|".join(re.escape(fold(a)).replace(r"\ ", r"\s+") for a in data["auxiliaries"])
    passive = "|".join(_form(fold(p)) for p in sorted(data["passive"], key=len, reverse=True))
    return Grammar(
        transitive=_alternation(data["transitive"]),
        reciprocal=frozenset(fold(f) for f in data["reciprocal"]),
        visit=frozenset(fold(f) for f in data["visit"]),
        with_verbs=_alternation(data["with_verbs"]),
        joint=_alternation(data["joint"]),
        # An auxiliary, an adverb perhaps ("was warmly received"), then the participle.
        passive=re.compile(rf"(?<![\w'-])(?:{auxiliaries})\s+(?:\w+ment\s+|\w+ly\s+)?(?:{passive})(?![\w-])"),
        nominal=_alternation(data["nominal"]),
        with_word=_words(data["with"]),
        by_word=_words(data["by"]),
        between_word=re.compile(r"\s*" + _words(data["between"]).pattern, re.I),
        # An auxiliary right before a form makes it a passive participle ("was received").
        auxiliary_before=re.compile(rf"(?<![\w'-])(?:{auxiliaries})\s+(?:\w+ment\s+|\w+ly\s+)?$"),
        coordinators=re.compile(r"(?:,\s*)?" + _words(data["coordinators"]).pattern, re.I),
        clause_ends=re.compile(r"[;:]|" + _words(data["clause_ends"]).pattern, re.I),
        np_words=frozenset(fold(w) for w in data["np_words"]) | _name_words(),
        place_words=frozenset(fold(w) for w in data["place_words"]),
        post_words=frozenset(fold(w) for w in data["post_words"]),
        pronouns=re.compile(r"^\W*(?:" + "|".join(re.escape(fold(p)) for p in data["pronouns"]) + r")\b"),
        determiners=frozenset(fold(w) for w in data["determiners"]),
        openers=frozenset(fold(w) for w in data["openers"]),
        with_nouns=frozenset(fold(w) for w in data["with_nouns"]),
        things=frozenset(fold(w) for w in data["things"]),
        roles=_name_words() - frozenset(fold(w) for w in data["np_words"]),
    )


@lru_cache(maxsize=1)
def _name_words() -> frozenset[str]:
    # Titles and role words stand before a name ("H.E. Dr.", "le Directeur général de").
    rules = name_rules()
    words = set(rules.titles) | set(rules.roles) | set(rules.particles)
    for role in rules.roles:
        words.update(role.split())
    return frozenset(words)
