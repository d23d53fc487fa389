"""Names as people type them: particles spaced or glued, in a query or in the documents.

"Abu Ghazaleh" and "Abughazaleh", "Al Othaimeen" and "Al-Othaimeen" or "Alothaimeen" name one
person. The particle of a spaced name does not search on its own (search/index/namekeys.py
`lone_particles`); instead the name is also searched glued, and as the phrase typed. A glued name
typed is also searched without its particle. Spelling variants (Mohammed, Muhammad, محمد) meet
through the name keys (search/query/expansion.py `variant_clauses`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from whoosh import query as Q

from search.ingest.arabic_names import typed_name_keys
from search.index.arabic import is_arabic
from search.index.namekeys import lone_particles, name_particles, unglued
from search.index.schema import LANGUAGE_GROUPS
from search.query.expansion import _text_fields, analyse, word_terms
from search.query.rarity import Rare, Variants

# The glued or spaced spelling of what was typed is the name as typed; what a particle cut off
# from a glued word finds (Alothaimeen → Othaimeen) is a guess, weighted like other variants.
JOINED_BOOST = 1.0
PHRASE_BOOST = 0.5
UNGLUED_BOOST = 0.6
# A full name that the archive's people hold under another spelling is the person typed.
PERSON_KEY_BOOST = 1.0


@lru_cache(maxsize=1)
def _hyphenated() -> re.Pattern:
    particles = "|".join(sorted(name_particles(), key=len, reverse=True))
    return re.compile(rf"(?<![\w:’'-])({particles})[-‐‑](?=[^\W\d_]{{3}})", re.IGNORECASE)


def space_particles(text: str) -> str:
    """Free words with a particle hyphenated to a name spaced out (Al-Othaimeen → Al Othaimeen),
    so that the name, not the particle, carries the query; fielded values are left as typed."""
    return _hyphenated().sub(r"\1 ", text)


def _terms_clause(text: str, boost: float) -> Q.Query | None:
    """One word (or a phrase of its pieces) in the title and text fields of every language."""
    clauses = []
    for group in LANGUAGE_GROUPS:
        terms = analyse(text, group)
        if len(terms) == 1:
            clauses += [Q.Term(f, terms[0]) for f in _text_fields(group)]
        elif terms:
            clauses += [Q.Phrase(f, terms, slop=1) for f in _text_fields(group)]
    return Q.Or(clauses, boost=boost) if clauses else None


def _name_runs(words: list[str]) -> list[list[str]]:
    """Runs of neighbouring words that read as a name: capitalised, in Arabic script, or beside a
    particle ("mohammed ben salmane")."""
    particles = name_particles()
    runs, run = [], []
    for i, word in enumerate(words):
        beside = words[max(0, i - 1):i] + words[i + 1:i + 2]
        if word[:1].isupper() or is_arabic(word) or word.lower() in particles or any(
                w.lower() in particles for w in beside):
            run.append(word)
        else:
            runs.append(run)
            run = []
    runs.append(run)
    return [r for r in runs if len(r) >= 2]


def name_clauses(words: list[str]) -> list[Q.Query]:
    """Optional clauses for the names among a query's free words, spaced or glued."""
    clauses = []
    particles = set(lone_particles(words))
    for i in sorted(particles):
        if i + 1 >= len(words) or i + 1 in particles:
            continue
        particle, name = words[i], words[i + 1]
        joined = _terms_clause(particle + name, JOINED_BOOST)
        if joined is not None:
            clauses.append(Rare(joined, [word_terms(name)]))
        spaced = _terms_clause(f"{particle} {name}", PHRASE_BOOST)
        if spaced is not None:
            clauses.append(Rare(spaced, [word_terms(name)]))
    for run in _name_runs(words):
        clauses += [Q.Term("person_keys", key, boost=PERSON_KEY_BOOST) for key in typed_name_keys(run)]
    for i, word in enumerate(words):
        rest = unglued(word) if i not in particles else None
        if rest is None:
            continue
        spelled = analyse(word, "xx")
        found = _terms_clause(rest, UNGLUED_BOOST)
        if spelled and found is not None:
            clauses.append(Variants(found, [word_terms(word)], spelled[0]))
    return clauses
