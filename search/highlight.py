"""Snippets with <mark> on the words as written: the document is re-analysed with its own analyser."""
from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from html import escape

from .analysis import ANALYZERS, name_analyzer, sound_key_analyzer
from .schema import language_group

FRAGMENT_CHARS = 220


def _analyzer(group: str):
    return ANALYZERS[group]()


_CACHE: dict[str, object] = {}


def _cached(group: str):
    analyzer = _CACHE.get(group)
    if analyzer is None:
        special = {"names": name_analyzer, "keys": sound_key_analyzer}
        analyzer = _CACHE[group] = special[group]() if group in special else _analyzer(group)
    return analyzer


def match_spans(text: str, lang: str, terms: set[str], name_terms: set[str] = frozenset(),
                key_terms: set[str] = frozenset()) -> list[tuple[int, int]]:
    """Character spans of the text's tokens whose analysed form is one of the query's terms.

    terms are the text fields' terms, name_terms those of entity names, key_terms sound keys of names.
    """
    spans = []
    for group, wanted in ((language_group(lang), terms), ("names", name_terms), ("keys", key_terms)):
        if wanted:
            spans += _spans_of(group, text, wanted)
    return sorted(set(spans))


def _spans_of(group: str, text: str, wanted: set[str]) -> list[tuple[int, int]]:
    """Spans of the tokens a group's analyser turns into one of the wanted terms.

    Every filter of our analysers maps one token to at most one (search/analysis.py), so each
    distinct word is analysed once, alone, and remembered: a page of ten long documents no longer
    runs the whole filter chain over every token.
    """
    analyzer = _cached(group)
    tokenizer = analyzer.items[0] if hasattr(analyzer, "items") else None
    expression = getattr(tokenizer, "expression", None)
    if expression is None or getattr(tokenizer, "gaps", False):
        return [(t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True, removestops=True, mode="index")
                if t.text in wanted]
    spans = []
    for m in expression.finditer(text):
        term, start, end = _term_of(group, m.group())
        if term in wanted:
            spans.append((m.start() + start, m.start() + end))
    return spans


@lru_cache(maxsize=200_000)
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
