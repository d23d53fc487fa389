"""Sentences of a cleaned text, as character spans, in one pass."""
from __future__ import annotations

import re

from search.ingest.names import fold, name_rules

# A full stop ends a sentence when a capital, a digit or an opening quote follows; a line break
# always does (cleaned text keeps one paragraph or headline per line).
_BOUNDARY = re.compile(r"[.!?…]+[»\"”’)]*(?=[ \t\u00a0]+[«\"“(]?[A-ZÀ-Þ0-9])|\n")
_LAST_WORD = re.compile(r"(\S+)$")
# A "sentence" longer than this is a list or a table, not prose: readers skip it, which keeps the
# work per sentence bounded and a whole text read in linear time.
MAX_SENTENCE_CHARS = 1500
# Abbreviations that are no titles but still take a dot inside a sentence ("No. 5", "St. Louis").
_ABBREVIATIONS = frozenset({"no", "st", "vol", "art", "etc", "cf", "vs", "jr", "p", "pp", "n", "av", "bd"})


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence of text, in order; a title's or initial's dot is no end."""
    spans = []
    start = 0
    titles = name_rules().titles
    for match in _BOUNDARY.finditer(text):
        if match.group() != "\n" and not _ends_sentence(text, match.start(), titles):
            continue
        end = match.end() if match.group() != "\n" else match.start()
        _add(text, start, end, spans)
        start = match.end()
    _add(text, start, len(text), spans)
    return spans


def _ends_sentence(text: str, dot: int, titles: frozenset[str]) -> bool:
    # "Dr.", "M.", "H.E." and a name's initial ("Salim M. AlMalik") are followed by a name.
    if text[dot] != ".":
        return True
    word = _LAST_WORD.search(text, max(0, dot - 20), dot)
    if word is None:
        return True
    last = fold(word.group(1)).lstrip("(«\"“")
    return not (last in titles or last in _ABBREVIATIONS or re.fullmatch(r"[a-z]|(?:[a-z]\.)+[a-z]", last))


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
