"""Every Whoosh analyser of the engine, as `|` chains: French, English, Arabic (search/index/arabic.py)
and language-neutral.

The same chain analyses documents and queries; token positions and character offsets come from the
original text, so highlights fall on the words as written.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import Stemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter

from search.index.arabic import arabic_analyzer
from search.index.namekeys import name_key_analyzer
from search.resources import package_toml

# Words with inner apostrophes or hyphens stay one token here; filters below split them.
TOKEN_PATTERN = r"\w+(?:['’]\w+)*"


def fold_accents(text: str) -> str:
    """Remove combining marks (é→e, ç→c) and map ligatures (œ→oe, æ→ae)."""
    text = text.replace("œ", "oe").replace("æ", "ae").replace("Œ", "OE").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class ElisionFilter(Filter):
    """Drop French elided articles and pronouns glued by an apostrophe: l’ICESCO → ICESCO."""

    def __init__(self, articles: frozenset[str]):
        self.articles = articles

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.articles == self.articles

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            for quote in ("'", "’"):
                head, sep, tail = text.partition(quote)
                if sep and tail and head.lower() in self.articles:
                    if t.chars:
                        t.startchar += len(head) + 1
                    t.text = tail
                    break
            yield t


class PossessiveFilter(Filter):
    """Strip English possessives and contractions: ICESCO’s → ICESCO, don't → don."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            for quote in ("'", "’"):
                head, sep, tail = text.partition(quote)
                if sep:
                    if t.chars:
                        t.endchar = t.startchar + len(head)
                    text = head
                    break
            t.text = text
            yield t


class ApostropheSplitFilter(Filter):
    """Replace apostrophes inside a token by nothing (language-neutral: aujourd’hui → aujourdhui)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = t.text.replace("’", "").replace("'", "")
            yield t


@lru_cache(maxsize=262_144)
def _fold_token(word: str) -> str:
    # Words recur: Unicode decomposition once per distinct token is most of the saving.
    return fold_accents(word) if not word.isascii() else word


class FoldFilter(Filter):
    """Accent and ligature folding, applied before stop words and stemming.

    Folding first makes an unaccented word take the stem of its accented form (cybersecurite and
    cybersécurité both stem to cybersecurit); stemming first gave them different stems.
    """

    def __call__(self, tokens):
        for t in tokens:
            t.text = _fold_token(t.text)
            yield t


class CachedStemFilter(Filter):
    """Stemming behind a per-filter cache of stems (words recur; the stemmer is the hot spot)."""

    def __init__(self, cachesize: int = 50_000):
        self.cachesize = cachesize
        self._cache: dict[str, str] = {}

    def stem(self, word: str) -> str:
        """The stem of one word."""
        raise NotImplementedError

    def __call__(self, tokens):
        cache = self._cache
        for t in tokens:
            if not t.stopped:
                word = t.text
                stemmed = cache.get(word)
                if stemmed is None:
                    stemmed = self.stem(word)
                    if len(cache) < self.cachesize:
                        cache[word] = stemmed
                t.text = stemmed
            yield t


class SnowballFilter(CachedStemFilter):
    """Snowball stemming with the compiled PyStemmer."""

    def __init__(self, language: str, cachesize: int = 50_000):
        super().__init__(cachesize)
        self.language = language
        self._stemmer = Stemmer.Stemmer(language)
        self.stem = self._stemmer.stemWord

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.language == self.language

    def __getstate__(self):
        return {"language": self.language, "cachesize": self.cachesize}

    def __setstate__(self, state):
        self.__init__(state["language"], state["cachesize"])


def _norm(s: list[str]) -> list[str]:
    """The end of FrenchLightStemmer: fold accents, squeeze doubled letters, drop -ie, -r, -e, -ee."""
    if len(s) > 4:
        s = list(fold_accents("".join(s)))
        out = [s[0]]
        for ch in s[1:]:
            if not (ch == out[-1] and ch.isalpha()):
                out.append(ch)
        s = out
    if len(s) > 4 and s[-2:] == ["i", "e"]:
        s = s[:-2]
    if len(s) > 4:
        for letter in ("r", "e", "e"):
            if s[-1] == letter:
                s = s[:-1]
        if s[-1] == s[-2] and s[-1].isalpha():
            s = s[:-1]
    return s


# (ending, minimum length, letters removed, letters then written over the end, stop here)
_LIGHT_RULES = (
    ("issement", 10, 6, "r", True), ("issant", 9, 4, "r", True),
    ("ficatrice", 12, 5, "er", True), ("ficateur", 11, 4, "er", True),
    ("catrice", 10, 3, "quer", True), ("cateur", 9, 2, "quer", True),
    ("atrice", 9, 4, "er", True), ("ateur", 8, 3, "er", True),
    ("trice", 7, 1, "eur", False), ("ième", 6, 4, "", True),
    ("teuse", 8, 2, "r", True), ("teur", 7, 1, "r", True), ("euse", 6, 2, "", True),
    ("ère", 9, 1, "e", True), ("ive", 8, 1, "f", True),
    ("folle", 5, 2, "u", True), ("molle", 5, 2, "u", True),
    ("nnelle", 10, 5, "", True), ("nnel", 10, 3, "", True), ("ète", 5, 1, "e", False),
)


def french_light_stem(word: str) -> str:
    """A light French stemmer after Savoy and Lucene's FrenchLightStemmer: plurals, feminines, a
    few derivations (-ement, -ateur, -ation, -ique); conservative where Snowball is aggressive."""
    s = list(word)
    if len(s) > 5 and s[-1] == "x":
        if s[-3] == "a" and s[-2] == "u" and s[-4] != "e":
            s[-2] = "l"  # chevaux → cheval
        s = s[:-1]
    if len(s) > 3 and s[-1] == "x":
        s = s[:-1]
    if len(s) > 3 and s[-1] == "s":
        s = s[:-1]
    text = "".join(s)
    if len(s) > 6 and text.endswith("ement"):
        s = s[:-4]
        if len(s) > 3 and "".join(s).endswith("ive"):
            s = s[:-1]
            s[-1] = "f"
        return "".join(_norm(s))
    for ending, minimum, cut, tail, final in _LIGHT_RULES:
        if len(s) >= minimum and "".join(s).endswith(ending):
            s = s[:-cut] if cut else s
            if tail:
                s[-len(tail):] = list(tail)
            if final:
                return "".join(_norm(s))
    text = "".join(s)
    if len(s) > 8 and text.endswith("ique"):
        s = s[:-4]
        text = "".join(s)
    for ending, minimum, cut in (("esse", 9, 3), ("inage", 8, 3)):
        if len(s) >= minimum and text.endswith(ending):
            return "".join(_norm(s[:-cut]))
    if len(s) > 9 and text.endswith("isation"):
        s = s[:-7]
        if len(s) > 5 and "".join(s).endswith("ual"):
            s[-2] = "e"
        return "".join(_norm(s))
    if len(s) > 9 and text.endswith("isateur"):
        return "".join(_norm(s[:-7]))
    if len(s) > 8 and (text.endswith("ation") or text.endswith("ition")):
        return "".join(_norm(s[:-5]))
    return "".join(_norm(s))


class FrenchLightStemFilter(CachedStemFilter):
    """French light stemming (french_light_stem)."""

    def stem(self, word: str) -> str:
        """The light stem of one word."""
        return french_light_stem(word)

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __getstate__(self):
        return {"cachesize": self.cachesize}

    def __setstate__(self, state):
        self.__init__(state["cachesize"])


@lru_cache(maxsize=1)
def stopwords() -> dict[str, frozenset[str]]:
    """Stop words and elided articles per language, from search/data/stopwords.toml."""
    data = package_toml("stopwords.toml")
    return {key: frozenset(value) for key, value in data.items()}


@lru_cache(maxsize=None)
def folded_stopwords(lang: str) -> frozenset[str]:
    """A language's stop words with and without accents (the analysers fold before stopping)."""
    words = stopwords()[lang]
    return words | frozenset(fold_accents(w) for w in words)


def _tokenizer():
    return RegexTokenizer(TOKEN_PATTERN)


# Measured with `make eval` on the shared corpus: Snowball 0.789 nDCG@10, light 0.781; keep Snowball.
FRENCH_STEMMER = "snowball"


def french_analyzer(stemmer: str | None = None):
    """French: split elisions (l’, d’, qu’…), lowercase, fold accents, stop words, stem ('light' or 'snowball')."""
    words = stopwords()
    stemmer = stemmer or FRENCH_STEMMER
    if stemmer not in ("light", "snowball"):
        raise ValueError(f"French stemmer {stemmer!r}: expected 'light' or 'snowball'")
    return (
        _tokenizer()
        | ElisionFilter(words["fr_elisions"])
        | ApostropheSplitFilter()
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=folded_stopwords("fr"), minsize=1)
        | (FrenchLightStemFilter() if stemmer == "light" else SnowballFilter("french"))
    )


def english_analyzer():
    """English: possessives, lowercase, fold accents, stop words, Snowball (Porter 2) stem."""
    return (
        _tokenizer()
        | PossessiveFilter()
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=folded_stopwords("en"), minsize=1)
        | SnowballFilter("english")
    )


def neutral_analyzer():
    """Any other language: lowercase and fold accents, no stop words, no stemming."""
    return _tokenizer() | ApostropheSplitFilter() | LowercaseFilter() | FoldFilter()


def exact_analyzer():
    """Words as written, for quoted phrases: French elisions dropped, lowercase, accents folded; no
    stop word dropped, nothing stemmed (l'AICTO = AICTO, Coopération = cooperation)."""
    return _tokenizer() | ElisionFilter(stopwords()["fr_elisions"]) | ApostropheSplitFilter() | LowercaseFilter() | FoldFilter()


def name_analyzer():
    """Names of people and organisations: like neutral, with elisions of both languages dropped."""
    return (
        _tokenizer()
        | ElisionFilter(stopwords()["fr_elisions"])
        | PossessiveFilter()
        | LowercaseFilter()
        | FoldFilter()
    )


def sound_key_analyzer():
    """Names as consonant keys (search/index/namekeys.py): capitalised and Arabic words of
    documents, every word of a query."""
    return name_key_analyzer()


ANALYZERS = {"fr": french_analyzer, "en": english_analyzer, "ar": arabic_analyzer, "xx": neutral_analyzer}


def analyze(text: str, lang: str) -> list[str]:
    """The index terms of a text in a language ('fr', 'en', 'ar', anything else: neutral)."""
    analyzer = ANALYZERS.get(lang, neutral_analyzer)()
    return [t.text for t in analyzer(text)]
