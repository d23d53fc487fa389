"""Full names across spellings and scripts: a key of the given name and the surname, and the known
people an Arabic text names.

"Muhammad bin Salman", "Mohammed ben Salmane" and "محمد بن سلمان" share the key "mhmd|slmn": the
consonant keys (search/ingest/signatures.py `name_key`) of the first and last words that carry the
name, particles and initials left out. Arabic pages have no capitals to find names by, so a person
the archive knows (from its Latin-script pages or aliases.toml) is found in them by that key.
"""
from __future__ import annotations

import re
from functools import lru_cache

from search.ingest.signatures import name_key
from search.resources import package_toml

_WORD = re.compile(r"[^\W\d_]+(?:[-’'][^\W\d_]+)*")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")
# The given name and the surname of one person stand at most this many words apart in a text.
MAX_NAME_SPAN = 4
# Keys of fewer consonants in all match too many pairs of unrelated words.
MIN_KEY_LETTERS = 5


@lru_cache(maxsize=1)
def particles() -> frozenset[str]:
    """Particles of names in Latin and Arabic script (bin, al, بن, ولد…), lower-cased."""
    data = package_toml("name_particles.toml")
    words = [*data["particles"], *data["surname_particles"], *data["arabic_particles"]]
    return frozenset(w.lower() for w in words)


def _carrying(words: list[str]) -> list[str]:
    stop = particles()
    return [w for w in words if w.lower() not in stop and len(w.rstrip(".")) > 1]


def _pair_key(first: str, last: str) -> str | None:
    a, b = name_key(first), name_key(last)
    if len(a) < 2 or len(b) < 2 or len(a) + len(b) < MIN_KEY_LETTERS:
        return None
    return f"{a}|{b}"


@lru_cache(maxsize=1 << 14)
def full_name_key(name: str) -> str | None:
    """The key of a full name (given name | surname), or None for a single word or a short name."""
    words = _carrying(_WORD.findall(name))
    return _pair_key(words[0], words[-1]) if len(words) >= 2 else None


def typed_name_keys(words: list[str]) -> list[str]:
    """Keys of the full names a query's words may spell: each word with the next carrying word,
    and with the one after (a middle name between)."""
    carrying = _carrying(words)
    keys = []
    for i, first in enumerate(carrying):
        for last in carrying[i + 1:i + 3]:
            key = _pair_key(first, last)
            if key:
                keys.append(key)
    return list(dict.fromkeys(keys))


def arabic_people(text: str, people: dict[str, str]) -> list[str]:
    """Canonical names of the known people (canonical forms, keyed as `people` values) named in
    the Arabic script of a text."""
    words = _ARABIC_WORD.findall(text)
    if not words:
        return []
    known: dict[str, str] = {}
    for canonical in people.values():
        key = full_name_key(canonical)
        if key:
            known.setdefault(key, canonical)
    if not known:
        return []
    stop = particles()
    heads = compound_heads()
    found = set()
    for i, first in enumerate(words):
        if first in stop:
            continue
        start = i + 1
        if first in heads and start < len(words):
            first, start = first + words[start], start + 1  # عبد الإله: one given name
        for last in words[start:start + MAX_NAME_SPAN]:
            key = _pair_key(first, last)
            if key in known:
                found.add(known[key])
    return sorted(found)


@lru_cache(maxsize=1)
def compound_heads() -> frozenset[str]:
    """Arabic words that join the next word into one given name (name_particles.toml)."""
    return frozenset(package_toml("name_particles.toml")["arabic_compound_heads"])
