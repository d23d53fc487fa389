"""Signatures of documents for finding related ones, computed once at index time.

A signature is small and persisted per generation (signatures.pickle), so that relations are
recomputed without reading unchanged files again:
- a shingle sketch: hashes of 4-word shingles (stop words dropped, accents folded), keeping the
  hashes divisible by SKETCH_MOD (Broder's mod-m sample), which estimates both resemblance and
  containment;
- language-independent anchors for translations: numbers, dates, names and acronyms, entities,
  glossary concepts and paragraph lengths, and name keys (consonant skeletons that a name shares
  in Latin and Arabic script, see name_key) with the text's main script.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache

from search.ingest.dates import find_dates
from search.ingest.folding import fold
from search.resources import package_toml

SHINGLE_WORDS = 4
SKETCH_MOD = 4
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?")
_NAME = re.compile(r"(?<=[^\s.!?:]\s)[A-Z][\w’'-]*|\b[A-Z]{2,}[\w-]*\b")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")
# Arabic and Urdu letters as the Latin consonant their names are usually spelt with; long vowels,
# hamza carriers and ayn are dropped, as vowels are from Latin names (see name_key).
_ARABIC_LATIN = str.maketrans({
    "ب": "b", "پ": "p", "ت": "t", "ٹ": "t", "ث": "t", "ج": "g", "چ": "s", "ح": "h", "خ": "k", "د": "d",
    "ڈ": "d", "ذ": "d", "ر": "r", "ڑ": "r", "ز": "z", "ژ": "z", "س": "s", "ش": "s", "ص": "s", "ض": "d",
    "ط": "t", "ظ": "z", "غ": "g", "ف": "f", "ق": "k", "ك": "k", "ک": "k", "گ": "g", "ل": "l", "م": "m",
    "ن": "n", "ں": "n", "ه": "h", "ہ": "h", "ھ": "h",
})
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")
_LATIN_DIGRAPHS = (("sh", "s"), ("ch", "s"), ("kh", "k"), ("th", "t"), ("dh", "d"), ("gh", "g"), ("ph", "f"),
                   ("dj", "g"), ("j", "g"), ("q", "k"), ("c", "k"), ("x", "ks"), ("v", "f"))
# A name key of fewer consonants matches too many unrelated names.
MIN_KEY_LENGTH = 3


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    data = package_toml("stopwords.toml")
    return frozenset(fold(w) for key, words in data.items() if isinstance(words, list) and key != "fr_elisions" for w in words)


@lru_cache(maxsize=1)
def _glossary() -> dict[str, str]:
    """Single words of the bilingual glossary (either side, folded) mapped to a concept (the French key)."""
    try:
        data = package_toml("glossary.toml")
    except (FileNotFoundError, OSError):
        return {}
    concepts: dict[str, str] = {}
    for section in data.values():
        if not isinstance(section, dict):
            continue
        for french, english in section.items():
            words = [french] + (english if isinstance(english, list) else [english])
            for word in words:
                if isinstance(word, str) and " " not in word.strip():
                    concepts.setdefault(fold(word.strip()), fold(french))
    return concepts


def glossary_concepts() -> dict[str, str]:
    """Single words of the bilingual glossary (either side, folded) mapped to a shared concept."""
    return _glossary()


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def _folded_words(text: str) -> list[str]:
    return [fold(m) for m in _WORD.findall(text)]


def sketch(text: str) -> list[int]:
    """The sampled shingle hashes of a text (sorted): equal texts give equal sketches."""
    return _sketch(_folded_words(text))


def _sketch(folded: list[str]) -> list[int]:
    stop = _stopwords()
    words = [w for w in folded if w not in stop]
    hashes = set()
    for i in range(max(0, len(words) - SHINGLE_WORDS + 1)):
        value = _hash(" ".join(words[i:i + SHINGLE_WORDS]))
        if value % SKETCH_MOD == 0:
            hashes.add(value >> 2)  # JSON-safe and still unique enough
    return sorted(hashes)


def content_words(text: str) -> list[str]:
    """The distinct words of a text that carry its subject (folded, no stop words or numbers)."""
    return _content_words(_folded_words(text))


def _content_words(folded: list[str]) -> list[str]:
    stop = _stopwords()
    return sorted({w for w in folded if len(w) > 2 and not w.isdigit() and w not in stop})


@lru_cache(maxsize=1 << 16)  # names recur across an archive: each is keyed once per process
def name_key(word: str) -> str:
    """A spelling-independent key of a name: its consonant skeleton, the same in Latin and Arabic script.

    "Rabat" and "الرباط" give "rbt", "Bakou" and "Baku" "bk"; a leading article ("Al-", "El ") goes.
    """
    if _ARABIC_WORD.fullmatch(word):
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                word = word[len(prefix):]
                break
        key = word.translate(_ARABIC_LATIN)
        key = "".join(c for c in key if "a" <= c <= "z")
    else:
        word = re.sub(r"^[AaEe]l(?:[-’' ]|(?=[A-Z]))(?=\w{3})", "", word)
        key = re.sub(r"[^a-z]", "", fold(word))
        for digraph, letter in _LATIN_DIGRAPHS:
            key = key.replace(digraph, letter)
        key = re.sub(r"[aeiouyw]", "", key)
    return re.sub(r"(.)\1+", r"\1", key)


def name_keys(text: str, names: Iterable[str]) -> list[str]:
    """Keys of a text's Latin-script names and of all its Arabic-script words."""
    words = list(names) + _ARABIC_WORD.findall(text)
    return sorted({key for key in map(name_key, words) if len(key) >= MIN_KEY_LENGTH})


def _script(text: str) -> str:
    """"arabic" when most letters of a text are Arabic-script ones (Arabic, Urdu, Persian), else "latin"."""
    arabic = sum(len(w) for w in _ARABIC_WORD.findall(text))
    letters = sum(map(str.isalpha, text))
    return "arabic" if letters and arabic * 2 > letters else "latin"


def signature(doc) -> dict:
    """What relations need to know about a Document, in a JSON-ready dict."""
    text = doc.text
    paragraphs = [len(p) for p in text.split("\n") if len(p.split()) >= 12]
    glossary = _glossary()
    # Capitalised words that the glossary translates are vocabulary, not names.
    raw_names = [m for m in _NAME.findall(text) if len(m) >= 3 and fold(m) not in _stopwords() and fold(m) not in glossary]
    names = {fold(m) for m in raw_names}
    words = _folded_words(text)
    concepts = {glossary[w] for w in words if w in glossary}
    return {
        "id": doc.id,
        "source": doc.source,
        "lang": doc.lang,
        "date": doc.date,
        "title": bool(doc.title),
        "length": len(text),
        "sketch": _sketch(words),
        "terms": _content_words(words),
        "numbers": sorted({n.replace(",", ".") for n in _NUMBER.findall(text) if len(n) >= 2}),
        "dates": sorted({d.isoformat() for _pos, d in find_dates(text)}),
        "names": sorted(names),
        "keys": name_keys(text, raw_names),
        "script": _script(text),
        "entities": sorted({fold(e) for e in list(doc.people) + list(doc.organisations)}),
        "concepts": sorted(concepts),
        "paragraphs": paragraphs,
    }
