"""'Did you mean': words of the query that the archive does not know, replaced by close ones it does."""
from __future__ import annotations

import re
import threading
from bisect import bisect_left

from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton

from search.ingest.names import skeleton
from search.index.analysis import ANALYZERS, neutral_analyzer
from search.index.arabic import is_arabic
from search.index.namekeys import name_particles, search_keys, word_keys
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

    def closest(self, word: str, maxdist: int, accept=None) -> str | None:
        """The most frequent word at the smallest edit distance (1 to maxdist) that `accept` (when
        given) takes, or None."""
        for distance in range(1, maxdist + 1):
            found = [w for w in self.within(word, distance) if w != word and (accept is None or accept(w))]
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


def _same_name(word: str, candidate: str) -> bool:
    """True when a candidate spells the same name: same skeleton, or a name key in common."""
    return skeleton(word) == skeleton(candidate) or bool(set(search_keys(word)) & set(search_keys(candidate)))


def _name_like(words: list[str], i: int) -> bool:
    """A query word that reads as a name: capitalised, or beside a name particle (bin Salman)."""
    particles = name_particles()
    neighbours = words[max(0, i - 1):i] + words[i + 1:i + 2]
    return words[i][:1].isupper() or any(w.lower() in particles for w in neighbours)


def _as_typed(word: str, found: str) -> str:
    """The replacement written with the typed word's capital (Salmane → Salman, not salman)."""
    return found[:1].upper() + found[1:] if word[:1].isupper() else found


def suggest_query(view, text: str, parsed, vocabulary: LazyVocabulary | None = None) -> str | None:
    """The query with each unknown word replaced by the closest known one, or None.

    A name is only replaced by another spelling of that name (Abou → Abu, never a word that merely
    looks alike, such as saluant for Salmane), and not at all when the archive holds the name under
    another spelling (the search finds those already): what is offered is never worse than what was
    typed.
    """
    if parsed.plain is False and any(ch in text for ch in ':"*?~[]{}'):
        return None  # structured queries are the researcher's own syntax: don't rewrite them
    vocabulary = vocabulary or LazyVocabulary(lambda: view.term_weights("spell"))
    changed = False
    lookups = 0
    words = [m.group(1) for m in _WORD.finditer(text)]
    positions = {m.start(): n for n, m in enumerate(_WORD.finditer(text))}

    def replace(match):
        nonlocal changed, lookups
        word = match.group(1)
        if word.isdigit() or len(word) > MAX_WORD_CHARS or word.upper() in ("AND", "OR", "NOT") or is_arabic(word):
            return word  # Arabic words: prefixes and article make edit distance a poor guide
        tokens = [t.text for t in _ANALYZER(word)]
        if not tokens or lookups >= MAX_LOOKUPS or _known(view, word, tokens[0]):
            return word
        lookups += 1
        name = _name_like(words, positions[match.start()])
        if name and any(view.doc_frequency("name_keys", key) > 0 for key in word_keys(word)):
            return word  # a spelling of a name the archive holds: the search already finds it
        # A misspelling keeps its first letter (and a name its skeleton): a candidate that changes
        # it is another word.
        first = tokens[0][:1]
        accept = (lambda w: w[:1] == first and _same_name(word, w)) if name else (lambda w: w[:1] == first)
        found = vocabulary.get().closest(tokens[0], maxdist=2 if len(tokens[0]) > 5 else 1, accept=accept)
        if not found:
            return word
        changed = True
        return _as_typed(word, found)

    suggestion = _WORD.sub(replace, text)
    return suggestion if changed else None
