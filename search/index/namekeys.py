"""Name keys for search: the consonant skeletons in which spellings of one name meet, in Latin and
Arabic script alike.

A name's key is the relations' `name_key` (search/ingest/signatures.py): consonants only, an Arabic
article dropped, Arabic letters read as the Latin consonants their names are spelt with, so that
"Ghazouani", "Ghazwani" and "الغزواني" share "gzn". A particle glued to a name ("Alothaimeen",
"Abughazaleh", "Benarafa") gives a second key without it, at indexing and at query time alike, so
glued and spaced spellings meet whichever one the document or the query uses.
"""
from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import Filter, MultiFilter, PassFilter, RegexTokenizer

from search.ingest.arabic_names import full_name_key
from search.ingest.signatures import MIN_KEY_LENGTH, name_key
from search.resources import package_toml

_ARABIC = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
_LATIN_LETTERS = re.compile(r"[^\W\d_]+")
# The shortest name left once a glued particle is cut off ("Al" + "Nakhi").
MIN_REST = 4


@lru_cache(maxsize=1)
def glued_particles() -> tuple[str, ...]:
    """Particles that are written glued to the name they precede, longest first (name_particles.toml)."""
    data = package_toml("name_particles.toml")
    return tuple(sorted(data["glued_prefixes"], key=len, reverse=True))


def is_arabic(word: str) -> bool:
    """True when the word is written in Arabic script."""
    return bool(_ARABIC.match(word))


def unglued(word: str) -> str | None:
    """The name without a particle glued to its front (Alothaimeen → othaimeen), or None."""
    lower = word.lower()
    for particle in glued_particles():
        rest = lower[len(particle):]
        if lower.startswith(particle) and len(rest) >= MIN_REST and rest.isalpha():
            return word[len(particle):]
    return None


@lru_cache(maxsize=65_536)
def search_keys(word: str) -> tuple[str, ...]:
    """The keys of one word (empty when it has too few consonants to tell names apart)."""
    if not word or len(word) < 3:
        return ()
    keys = [name_key(word)]
    if not is_arabic(word):
        rest = unglued(word)
        if rest is not None:
            keys.append(name_key(rest))
    return tuple(dict.fromkeys(k for k in keys if len(k) >= MIN_KEY_LENGTH))


class NameWordFilter(Filter):
    """Keep the tokens that may be names in a running text: capitalised, or in Arabic script
    (which has no capitals)."""

    def __call__(self, tokens):
        for t in tokens:
            if t.text[:1].isupper() or is_arabic(t.text):
                yield t


class NameKeyFilter(Filter):
    """Replace each token of four letters or more by its keys (a glued particle gives two at one
    position); drop the others."""

    def __call__(self, tokens):
        for t in tokens:
            if len(t.text) < 4:
                continue
            for n, key in enumerate(search_keys(t.text)):
                token = t if n == 0 else t.copy()
                token.text = key
                yield token


def name_key_analyzer():
    """Names as consonant keys: capitalised and Arabic words of documents, every word of a query."""
    return (
        RegexTokenizer(r"\w+")
        | MultiFilter(index=NameWordFilter(), query=PassFilter())
        | NameKeyFilter()
    )


def word_keys(word: str) -> list[str]:
    """The keys a query word is searched by in the name_keys field."""
    return [key for part in _LATIN_LETTERS.findall(word) for key in search_keys(part)] if len(word) >= 4 else []


@lru_cache(maxsize=1)
def name_particles() -> frozenset[str]:
    """Particles of Arabic names (bin, ben, al, el, abu, ould…): never a name on their own."""
    data = package_toml("name_particles.toml")
    words = [*data["glued_prefixes"], *data["surname_particles"], *data["article_prefixes"]]
    return frozenset(w for w in words if w.isalpha())


def lone_particles(words: list[str]) -> list[int]:
    """Positions of the words that are name particles beside another word: a particle alone never
    carries a query ("Al Othaimeen" is searched by Othaimeen, not by every "Al"). None when the
    query holds nothing else."""
    particles = name_particles()
    found = [i for i, w in enumerate(words) if w.lower() in particles]
    return found if len(found) < len(words) else []


def person_keys_text(names) -> str:
    """The person_keys field of a document: the full-name key of each of its people's forms."""
    return " ".join(dict.fromkeys(k for k in map(full_name_key, names) if k))


def person_key_analyzer():
    """Full-name keys (given name | surname), one token each, as person_keys_text writes them."""
    return RegexTokenizer(r"\S+")
