"""'Did you mean': words of the query that the archive does not know, replaced by close ones it does."""
from __future__ import annotations

import re
import threading
from bisect import bisect_left

from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton

from search.index.analysis import ANALYZERS, neutral_analyzer
from search.index.schema import LANGUAGE_GROUPS

# Each lookup walks a spelling automaton (a few ms): a query of a thousand unknown words must
# not hold a worker for a minute, so only the first few unknown words are corrected.
MAX_LOOKUPS = 8
MAX_WORD_CHARS = 40  # no word is longer; the automaton of a 10,000-letter one takes seconds
_WORD = re.compile(r"(?<![\w:~*?])(\w{3,})(?![\w:~*?])")
_ANALYZER = neutral_analyzer()
_STEMMERS = {group: ANALYZERS[group]() for group in LANGUAGE_GROUPS}


def _known(view, word: str, token: str) -> bool:
    """True when the archive holds the word as written or any of its language forms."""
    if view.doc_frequency("spell", token) > 0:
        return True
    for group, analyzer in _STEMMERS.items():
        for t in analyzer(word):
            if view.doc_frequency(f"text_{group}", t.text) > 0:
                return True
    return False


class Vocabulary:
    """The archive's spelling words in memory, sorted, with how often each occurs.

    Loaded on the first unknown word of an index generation. Walking a Levenshtein automaton over
    a sorted list is several times faster than over Whoosh's term file, and the closest words
    come first: the most frequent word at distance 1, else at distance 2.
    """

    def __init__(self, term_weights):
        """From (word, weight) pairs: an engine view's `term_weights("spell")`."""
        frequency: dict[str, float] = {}
        for word, weight in term_weights:
            frequency[word] = frequency.get(word, 0) + weight
        self.frequency = frequency
        self.words = sorted(frequency)

    def closest(self, word: str, maxdist: int) -> str | None:
        """The most frequent word at the smallest edit distance (1 to maxdist), or None."""
        for distance in range(1, maxdist + 1):
            found = [w for w in self.within(word, distance) if w != word]
            if found:
                return min(found, key=lambda w: (-self.frequency[w], w))
        return None

    def within(self, word: str, maxdist: int, prefix: int = 0) -> list[str]:
        """The words within maxdist edits of word that share its first `prefix` letters, in order:
        the words each index segment's reader gives a fuzzy term (Whoosh's automaton, walked here
        over the sorted list instead of the term file)."""
        words = self.words
        dfa = levenshtein_automaton(word, maxdist, prefix).to_dfa()
        start = [0]

        def next_word(key: str):
            start[0] = position = bisect_left(words, key, start[0])
            return words[position] if position < len(words) else None

        return list(find_all_matches(dfa, next_word))


class LazyVocabulary:
    """A Vocabulary built on first use, once, whichever thread asks first."""

    def __init__(self, term_weights_of):
        self._term_weights_of = term_weights_of
        self._vocabulary: Vocabulary | None = None
        self._lock = threading.Lock()

    def get(self) -> Vocabulary:
        if self._vocabulary is None:
            with self._lock:
                if self._vocabulary is None:
                    self._vocabulary = Vocabulary(self._term_weights_of())
        return self._vocabulary


def suggest_query(view, text: str, parsed, vocabulary: LazyVocabulary | None = None) -> str | None:
    """The query with each unknown word replaced by the closest known one, or None."""
    if parsed.plain is False and any(ch in text for ch in ':"*?~[]{}'):
        return None  # structured queries are the researcher's own syntax: don't rewrite them
    vocabulary = vocabulary or LazyVocabulary(lambda: view.term_weights("spell"))
    changed = False
    lookups = 0

    def replace(match):
        nonlocal changed, lookups
        word = match.group(1)
        if word.isdigit() or len(word) > MAX_WORD_CHARS or word.upper() in ("AND", "OR", "NOT"):
            return word
        tokens = [t.text for t in _ANALYZER(word)]
        if not tokens or lookups >= MAX_LOOKUPS or _known(view, word, tokens[0]):
            return word
        lookups += 1
        found = vocabulary.get().closest(tokens[0], maxdist=2 if len(tokens[0]) > 5 else 1)
        if not found:
            return word
        changed = True
        return found

    suggestion = _WORD.sub(replace, text)
    return suggestion if changed else None
