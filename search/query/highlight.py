"""Snippets with <mark> on the words as written: the document is re-analysed with its own analyser."""
from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from functools import lru_cache
from html import escape

from whoosh import query as Q

from whoosh.query.terms import MultiTerm

from search.index.analysis import ANALYZERS, TOKEN_PATTERN, exact_analyzer, name_analyzer, neutral_analyzer, sound_key_analyzer
from search.index.schema import language_group
from search.query.exact import ExactPhrase
from search.query.expansion import Variants
from search.query.parse import Expanded, ParsedQuery

FRAGMENT_CHARS = 220


def _analyzer(group: str):
    return ANALYZERS[group]()


_CACHE: dict[str, object] = {}


def _cached(group: str):
    analyzer = _CACHE.get(group)
    if analyzer is None:
        special = {"names": name_analyzer, "keys": sound_key_analyzer, "exact": exact_analyzer, "spell": neutral_analyzer}
        analyzer = _CACHE[group] = special[group]() if group in special else _analyzer(group)
    return analyzer


def match_spans(text: str, lang: str, terms: set[str], name_terms: set[str] = frozenset(),
                key_terms: set[str] = frozenset(), exact_terms: set[str] = frozenset(),
                spell_terms: set[str] = frozenset()) -> list[tuple[int, int]]:
    """Character spans of the text's tokens whose analysed form is one of the query's terms.

    terms are the text fields' terms, name_terms those of entity names, key_terms sound keys of
    names, exact_terms words of quoted phrases as written, spell_terms unstemmed words (the near
    spellings a fuzzy term matched).
    """
    passes: dict[object, list[tuple[str, set[str]]]] = {}
    spans = []
    for group, wanted in ((language_group(lang), terms), ("names", name_terms), ("keys", key_terms),
                          ("exact", exact_terms), ("spell", spell_terms)):
        if not wanted:
            continue
        expression = _token_pattern(group)
        if expression is None:
            analyzer = _cached(group)
            spans += [(t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True, removestops=True,
                                                                 mode="index") if t.text in wanted]
        else:
            passes.setdefault(expression, []).append((group, wanted))
    tokens: dict[str, set[str]] = {}  # the text's distinct tokens, by tokenizer pattern
    for expression in sorted(passes, key=lambda e: e.pattern != TOKEN_PATTERN):  # analysers that split text alike share one pass
        words = _distinct_tokens(expression, text, tokens)
        spans += _spans_of(expression, passes[expression], text, words)
    return sorted(set(spans))


def _distinct_tokens(expression, text: str, found: dict[str, set[str]]) -> set[str]:
    """The text's distinct tokens for a tokenizer pattern (kept in `found`). Runs of word
    characters are TOKEN_PATTERN's tokens cut at their apostrophes: no second scan of the text."""
    if expression.pattern == r"\w+" and TOKEN_PATTERN in found:
        words = set()
        for token in found[TOKEN_PATTERN]:
            if "'" in token or "’" in token:
                words.update(_APOSTROPHES.split(token))
            else:
                words.add(token)
    else:
        words = set(expression.findall(text))
    found[expression.pattern] = words
    return words


_APOSTROPHES = re.compile("['’]")


def _token_pattern(group: str):
    """The compiled pattern of a group's tokenizer, or None when it is not a plain regex tokenizer."""
    analyzer = _cached(group)
    tokenizer = analyzer.items[0] if hasattr(analyzer, "items") else None
    expression = getattr(tokenizer, "expression", None)
    if expression is None or expression.groups or getattr(tokenizer, "gaps", False):
        return None
    return expression


def _spans_of(expression, groups: list[tuple[str, set[str]]], text: str, words: set[str]) -> list[tuple[int, int]]:
    """Spans of the tokens some group's analyser turns into one of its wanted terms.

    Every filter of our analysers maps one token to at most one (search/index/analysis.py), so each
    distinct word is analysed once, alone, and remembered (_WordTable). The text's distinct words
    are matched against the wanted terms with set operations; the few that match are then found
    with a pattern of their own, in C, instead of walking every token of a long text in Python.
    """
    cuts: dict[str, set] = {}  # word → the parts of it to mark
    surfaces: set[str] = set()  # every word known to stand for a wanted term, in this text or not
    for group, wanted in groups:
        table = _word_table(group)
        for word in table.matching(words, wanted, surfaces):
            cuts.setdefault(word, set()).add(table.part(word))
    if not cuts:
        return []
    # The pattern of every known surface (not only this text's) is the same for each result of a
    # query, so one compiled pattern serves a whole page.
    found = _words_pattern(expression.pattern, frozenset(surfaces))
    if found is None:
        matches = expression.finditer(text)
    else:
        pattern, apostrophes = found
        matches = (m for m in pattern.finditer(text) if _token_starts(text, m.start(), apostrophes))
    spans = []
    for m in matches:
        for start, end in cuts.get(m.group(), ()):
            spans.append((m.start() + start, m.start() + end))
    return spans


def _token_starts(text: str, at: int, apostrophes: bool) -> bool:
    """Whether a token starts at `at`: not after a word character (\\w is isalnum or "_"), nor,
    with apostrophes, after an apostrophe that follows one (the token before would run on)."""
    if at == 0:
        return True
    before = text[at - 1]
    if before.isalnum() or before == "_":
        return False
    if apostrophes and before in "'’" and at >= 2:
        before = text[at - 2]
        return not (before.isalnum() or before == "_")
    return True


class _WordTable:
    """The index term of every word one group's analyser has seen, and the words of each term.

    Bounded: past MAX_WORDS it starts again empty (entries are cheap to compute again).
    """

    MAX_WORDS = 40_000  # ~300 bytes a word: about 12 MB for a table at most

    def __init__(self, group: str):
        self.group = group
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self.known: set[str] = set()
        self.parts: dict[str, tuple[int, int]] = {}  # word → the part of it the term covers
        self.words: dict[str, set[str]] = {}  # term → words analysed into it

    def matching(self, words: set[str], wanted: set[str], surfaces: set[str]) -> set[str]:
        """The words whose term is wanted; every known word of a wanted term is added to surfaces."""
        unknown = words - self.known
        if unknown:
            self._learn(unknown, words)
        own: set[str] = set()
        for term in wanted:
            own |= self.words.get(term, _NOTHING)
        surfaces |= own
        return own & words

    def part(self, word: str) -> tuple[int, int]:
        """The part of a known word its term covers (an elided article is left out: l’|ensemble)."""
        return self.parts.get(word) or _term_of(self.group, word)[1:]

    def _learn(self, unknown: set[str], text_words: set[str]) -> None:
        """Analyse the unknown words of a text; when the table is full, start it again with all of
        the text's words (those it knew would be forgotten)."""
        with self._lock:
            if len(self.known) + len(unknown) > self.MAX_WORDS:
                self._clear()
                unknown = text_words
        words = list(unknown)
        analysed = zip(words, _terms_of(self.group, words))
        with self._lock:
            for word, (term, start, end) in analysed:
                self.known.add(word)
                if term is not None:
                    self.parts[word] = (start, end)
                    self.words.setdefault(term, set()).add(word)


_TABLES: dict[str, _WordTable] = {}
_NOTHING: frozenset[str] = frozenset()


def _word_table(group: str) -> _WordTable:
    table = _TABLES.get(group)
    if table is None:
        table = _TABLES.setdefault(group, _WordTable(group))
    return table


@lru_cache(maxsize=256)  # compiled patterns are a few kB each; recompiling one takes ~50 µs
def _words_pattern(token_pattern: str, words: frozenset[str]):
    """(pattern, whether tokens run on over apostrophes): a pattern finding these words where they
    end a token, for the two tokenizers of search/index/analysis.py (None for another: its tokens are
    then walked one by one). Where a match starts a token is checked apart (`_token_starts`): a
    look-behind at every position of the text made the search four times slower.

    With TOKEN_PATTERN a token ends before no word character and before no apostrophe followed by
    one (it would run on); with \\w+, a token is a run of word characters.
    """
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    if token_pattern == TOKEN_PATTERN:
        return re.compile(rf"(?:{alternatives})(?!\w)(?!['’]\w)"), True
    if token_pattern == r"\w+":
        return re.compile(rf"(?:{alternatives})(?!\w)"), False
    return None


def _terms_of(group: str, words: list[str]) -> list[tuple[str | None, int, int]]:
    """`_term_of` of each word, the words analysed together in one pass (four times faster than
    one by one): joined by spaces, they are still the tokens they were, each mapped to one term
    at most. Should a token not fall inside one word, or a word get two, each is analysed alone."""
    starts, at = [], 0
    for word in words:
        starts.append(at)
        at += len(word) + 1
    found: list[tuple[str | None, int, int]] = [(None, 0, len(word)) for word in words]
    for token in _cached(group)(" ".join(words), chars=True, removestops=True, mode="index"):
        i = bisect_right(starts, token.startchar) - 1
        start, end = token.startchar - starts[i], token.endchar - starts[i]
        if found[i][0] is not None or end > len(words[i]):
            return [_term_of(group, word) for word in words]
        found[i] = (token.text, start, end)
    return found


def _term_of(group: str, word: str) -> tuple[str | None, int, int]:
    """The index term of one word for a group's analyser (None for a stop word), and the part of
    the word it covers (an elided article is left out: l’|ensemble)."""
    for token in _cached(group)(word, chars=True, removestops=True, mode="index"):
        return token.text, token.startchar, token.endchar
    return None, 0, len(word)


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """Escape the text and wrap each span in <mark>."""
    out, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def snippet(text: str, spans: list[tuple[int, int]], fragments: int = 2, size: int = FRAGMENT_CHARS) -> str:
    """One or two escaped fragments around the densest matches, joined by an ellipsis."""
    if not spans:
        head = text[:size]
        cut = head.rfind(" ") if len(text) > size else len(head)
        return escape(head[: cut if cut > 0 else size]) + (" …" if len(text) > size else "")
    windows = []
    used: list[tuple[int, int]] = []
    # Spans are sorted: count each window's matches by bisection (a long text may hold thousands).
    starts = [s for s, _ in spans]
    candidates = sorted(
        ((bisect_left(starts, start + size - 20) - bisect_left(starts, start - 20), start) for start in starts),
        key=lambda c: (-c[0], c[1]),
    )
    for _score, start in candidates:
        begin = max(0, start - 40)
        begin = text.rfind(" ", 0, begin) + 1 if begin > 0 else 0
        end = min(len(text), begin + size)
        if end < len(text):
            space = text.rfind(" ", begin, end)
            end = space if space > begin else end
        if any(not (end <= a or begin >= b) for a, b in used):
            continue
        used.append((begin, end))
        if len(used) == fragments:
            break
    for begin, end in sorted(used):
        inside = [(s - begin, e - begin) for s, e in spans[bisect_left(starts, begin):bisect_left(starts, end)] if e <= end]
        piece = mark(text[begin:end], inside)
        windows.append(piece)
    first, last = min(b for b, _ in used), max(e for _, e in used)
    return ("… " if first > 0 else "") + " … ".join(windows) + (" …" if last < len(text) else "")


class TermExpander:
    """What the wildcard, prefix and fuzzy terms of a query stood for in the index, and whether a
    word's variants were searched at all (search/query/expansion.py Variants)."""

    def __init__(self, words, counts):
        self._words, self._counts = words, counts

    def words(self, query: MultiTerm) -> list[str]:
        """The index's words a multi-term query matched."""
        return [w.decode("utf-8", "replace") if isinstance(w, bytes) else w for w in self._words(query)]

    def searched(self, variants: Variants) -> bool:
        """False when the word was too common for its variants to be searched."""
        return variants.searched(self._counts)


def _highlight_terms(query: Q.Query, expansion: bool = False, expander: TermExpander | None = None):
    """(field, text) of the terms worth marking: the words typed, and single-word expansions.

    A multi-word expansion (an acronym's full name) is not marked word by word: its words alone
    ("information", "organisation") would light up all over an unrelated text. An exact phrase
    marks its words as written, never its stemmed copy; a fuzzy, prefix or wildcard term marks the
    words it matched.
    """
    if isinstance(query, Expanded):
        typed, *expansions = query.subqueries
        yield from _highlight_terms(typed, expansion, expander)
        for sub in expansions:
            yield from _highlight_terms(sub, True, expander)
    elif isinstance(query, ExactPhrase):
        yield from _highlight_terms(query.a, expansion, expander)
    elif expansion and isinstance(query, Q.Phrase):
        return
    elif isinstance(query, Variants) and expander is not None and not expander.searched(query):
        return
    elif isinstance(query, MultiTerm) and expander is not None:
        field = query.field()
        yield from ((field, word) for word in expander.words(query))
    elif query.is_leaf():
        yield from query.iter_all_terms(phrases=True)
    else:
        for sub in query.children():
            yield from _highlight_terms(sub, expansion, expander)


MarkTerms = tuple[set[str], set[str], set[str], set[str], set[str]]
_FIELD_GROUPS = {"person_names": 1, "org_names": 1, "name_keys": 2, "exact_title": 3, "exact_text": 3, "spell": 4}


def query_terms(parsed: ParsedQuery, lang: str, expander: TermExpander | None = None) -> MarkTerms:
    """Terms of a query to mark in a document of this language: text terms, name terms, sound
    keys, exact words and unstemmed words (match_spans' sets, in its order)."""
    group = language_group(lang)
    found: MarkTerms = (set(), set(), set(), set(), set())
    try:
        pairs = list(_highlight_terms(parsed.query, expander=expander))
    except Exception:
        return found
    for fieldname, text in pairs:
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        if fieldname in (f"text_{group}", f"title_{group}"):
            found[0].add(text)
        elif fieldname in _FIELD_GROUPS:
            found[_FIELD_GROUPS[fieldname]].add(text)
    return found
