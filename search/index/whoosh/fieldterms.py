"""A document's text fields turned into postings from one reading of each text.

Whoosh analyses a field by running a chain of generators over one Token object per word, once per
field: a document's text went through the tokenizer four times (its language's field, the exact
field, the spelling field, the name keys) and every word through every filter. Most of our chains
(search/index/analysis.py) only rewrite each word on its own: elisions, apostrophes, case, accents,
stop words, stems. For those, a word's term depends on the word alone, so here each text is
tokenized once, each distinct word is mapped once per chain (and remembered), and the postings are
built from the mapped words. A chain with any other step (the Arabic and name-key analysers) is
left to Whoosh.

The postings are the ones Whoosh's formats give, byte for byte: terms in order of first
appearance, frequencies, weights, encoded positions (tests/index/test_analysis.py compares them).
"""
from __future__ import annotations

from collections.abc import Callable

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from search.index.analysis import (ApostropheSplitFilter, CachedStemFilter, ElisionFilter, FoldFilter,
                                   PossessiveFilter, _fold_token)

MAX_REMEMBERED = 200_000  # distinct words remembered per chain


def _elide(articles: frozenset[str]) -> Callable[[str], str]:
    def step(text: str) -> str:
        for quote in ("'", "’"):
            head, sep, tail = text.partition(quote)
            if sep and tail and head.lower() in articles:
                return tail
        return text
    return step


def _possessive(text: str) -> str:
    for quote in ("'", "’"):
        head, sep, _tail = text.partition(quote)
        if sep:
            return head
    return text


def _step_of(item) -> Callable[[str], str | None] | None:
    """The one-word function of a filter, or None when the filter is not one of ours."""
    kind = type(item)
    if kind is ElisionFilter:
        return _elide(item.articles)
    if kind is ApostropheSplitFilter:
        return lambda text: text.replace("’", "").replace("'", "")
    if kind is PossessiveFilter:
        return _possessive
    if kind is LowercaseFilter:
        return str.lower
    if kind is FoldFilter:
        return _fold_token
    if kind is StopFilter and item.renumber:
        stops, low, high = item.stops, item.min, item.max
        return lambda text: text if len(text) >= low and (high is None or len(text) <= high) and text not in stops else None
    if isinstance(item, CachedStemFilter):
        return item.stem
    return None


class WordChain:
    """An analyser whose every filter maps one word: its tokenizer's pattern and the composed map."""

    def __init__(self, pattern, steps: list, stops: bool):
        self.pattern, self.steps, self.stops = pattern, steps, stops
        self._memory: dict[str, str | None] = {}

    @classmethod
    def of(cls, analyzer) -> "WordChain | None":
        if not isinstance(analyzer, CompositeAnalyzer) or not analyzer.items:
            return None
        tokenizer, *filters = analyzer.items
        if type(tokenizer) is not RegexTokenizer or tokenizer.gaps:
            return None
        steps = [_step_of(item) for item in filters]
        if any(step is None for step in steps):
            return None
        return cls(tokenizer.expression, steps, any(type(item) is StopFilter for item in filters))

    def term(self, word: str) -> str | None:
        """The term a word gives, or None when the chain stops it."""
        memory = self._memory
        if word in memory:
            return memory[word]
        text = word
        for step in self.steps:
            text = step(text)
            if text is None:
                break
        if len(memory) < MAX_REMEMBERED:
            memory[word] = text
        return text

    def positions(self, words: list[str]) -> dict[str, list[int]]:
        """Each term's positions, as Whoosh numbers them (stop words removed and the positions
        after the first kept word renumbered, as StopFilter does)."""
        found: dict[str, list[int]] = {}
        term = self.term
        if not self.stops:
            for pos, word in enumerate(words):
                text = term(word)
                found.setdefault(text, []).append(pos)
            return found
        pos = None
        for index, word in enumerate(words):
            text = term(word)
            if text is None:
                continue
            pos = index if pos is None else pos + 1
            found.setdefault(text, []).append(pos)
        return found


class FieldTerms:
    """The postings of a schema's text fields, by one reading of each text where the chain allows."""

    def __init__(self, schema):
        self.chains: dict[str, WordChain | None] = {}
        for name in schema.names():
            field = schema[name]
            fmt = getattr(field, "format", None)
            chain = WordChain.of(getattr(field, "analyzer", None)) if type(fmt) in (Positions, Frequency) else None
            self.chains[name] = chain

    def postings(self, field, name: str, value: str, words_of: dict) -> list[tuple[bytes, int, float, bytes]]:
        """One field's (term bytes, frequency, weight, value bytes), as field.index(value) gives them.
        `words_of` remembers each text's words for the other fields of the same document."""
        chain = self.chains.get(name)
        if chain is None:
            return list(field.index(value))
        key = (chain.pattern, value)
        words = words_of.get(key)
        if words is None:
            pattern = chain.pattern
            words = words_of[key] = (pattern.findall(value) if pattern.groups == 0
                                     else [m.group(0) for m in pattern.finditer(value)])
        fmt = field.format
        boost = fmt.field_boost
        found = chain.positions(words)
        if type(fmt) is Positions:
            encode = fmt.encode
            return [(text.encode("utf-8"), len(poses), float(len(poses)) * boost, encode(poses))
                    for text, poses in found.items()]
        return [(text.encode("utf-8"), len(poses), float(len(poses)) * boost, pack_uint(len(poses)))
                for text, poses in found.items()]
