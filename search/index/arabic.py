"""The Arabic analyser: normalisation of spellings, stop words and a light stemmer.

Arabic writes one word several ways: alef with or without hamza or madda (أ إ آ ٱ ا), final ta
marbuta or ha (ة ه), final alef maqsura or ya (ى ي), with or without short-vowel marks and the
tatweel that stretches a word (ـ). All are brought to one form before stop words and stemming, as
Lucene's ArabicNormalizer does. The stemmer is Larkey's "light10" (Lucene's ArabicStemmer): the
article and its attached prepositions (ال، وال، بال، كال، فال، لل، و) and the common suffixes of
feminines, plurals and pronouns come off; measured against Snowball's Arabic stemmer with
`make eval` (see ARABIC_STEMMER).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from whoosh.analysis import Filter, LowercaseFilter, MultiFilter, PassFilter, RegexTokenizer, StopFilter

from search.resources import package_toml

# Words with their short-vowel marks (which \w does not match) kept whole.
ARABIC_TOKEN_PATTERN = r"[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+(?:['’]\w+)*"
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # vowel marks, tatweel
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ک": "ك", "ی": "ي"})
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")  # ية and ة are يه and ه once normalised
# "light": light10 (Larkey); "snowball": Snowball's Arabic stemmer (PyStemmer). Measured with
# `make eval`, arabic tasks: light 0.801 nDCG@10, Snowball 0.795 (Snowball leaves و+ال on plurals:
# والمنظمات → والمنظما); keep light.
ARABIC_STEMMER = "light"


def is_arabic(word: str) -> bool:
    """True when a word is written in Arabic script."""
    return bool(_ARABIC_LETTER.search(word))


def normalize_arabic(word: str) -> str:
    """One spelling of an Arabic word: no vowel marks or tatweel, alef, ta marbuta and alef maqsura
    unified. A word in another script gets its accents folded instead."""
    if not is_arabic(word):
        decomposed = unicodedata.normalize("NFKD", word)
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _MARKS.sub("", word).translate(_LETTERS)


def light_stem(word: str) -> str:
    """Larkey's light10 on a normalised word: one prefix, then suffixes while two letters remain."""
    if not is_arabic(word):
        return word
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix):]
            break
    else:
        if word.startswith("و") and len(word) > 3:
            word = word[1:]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[:-len(suffix)]
    return word


@lru_cache(maxsize=1)
def arabic_stopwords() -> frozenset[str]:
    """The Arabic stop words of search/data/stopwords.toml, normalised."""
    return frozenset(normalize_arabic(w) for w in package_toml("stopwords.toml")["ar"])


class ArabicNormalizeFilter(Filter):
    """normalize_arabic on every token."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = _normalized(t.text)
            yield t


@lru_cache(maxsize=131_072)
def _normalized(word: str) -> str:
    return normalize_arabic(word) if not word.isascii() else word


class ArabicScriptFilter(Filter):
    """Keep the tokens in Arabic script: a query's Latin words are searched in the other languages'
    fields, not among the few Latin words of Arabic pages."""

    def __call__(self, tokens):
        for t in tokens:
            if is_arabic(t.text):
                yield t


class ArabicStemFilter(Filter):
    """The Arabic stem of each token (ARABIC_STEMMER), remembered per distinct word."""

    def __init__(self, stemmer: str = ARABIC_STEMMER):
        if stemmer not in ("light", "snowball"):
            raise ValueError(f"Arabic stemmer {stemmer!r}: expected 'light' or 'snowball'")
        self.stemmer = stemmer
        self._stem = light_stem if stemmer == "light" else _snowball_stem

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.stemmer == self.stemmer

    def __getstate__(self):
        return {"stemmer": self.stemmer}

    def __setstate__(self, state):
        self.__init__(state["stemmer"])

    def __call__(self, tokens):
        for t in tokens:
            if not t.stopped:
                t.text = self._stem(t.text)
            yield t


@lru_cache(maxsize=65_536)
def _snowball_stem(word: str) -> str:
    return _snowball().stemWord(word) if is_arabic(word) else word


@lru_cache(maxsize=1)
def _snowball():
    return Stemmer.Stemmer("arabic")


def arabic_analyzer(stemmer: str | None = None):
    """Arabic: lowercase (Latin words), normalise, stop words, light stem; a query keeps its Arabic words."""
    return (
        RegexTokenizer(ARABIC_TOKEN_PATTERN)
        | LowercaseFilter()
        | ArabicNormalizeFilter()
        | MultiFilter(index=PassFilter(), query=ArabicScriptFilter())
        | StopFilter(stoplist=arabic_stopwords(), minsize=1)
        | ArabicStemFilter(stemmer or ARABIC_STEMMER)
    )
