"""The headline of an article: the first line that reads as a title, never chrome or a sentence."""
from __future__ import annotations

import re

from .dates import find_dates

_SENTENCE_END = re.compile(r"[.!?;:…]\s*$")
MAX_TITLE_WORDS = 40


def looks_like_title(line: str) -> bool:
    """A headline: a few words to a long line, no final full stop, not just a date or a number."""
    words = line.split()
    if not 3 <= len(words) <= MAX_TITLE_WORDS:
        return False
    if _SENTENCE_END.search(line) and not line.endswith("?"):
        return False
    if sum(ch.isalpha() for ch in line) < len(line) * 0.5:
        return False
    dates = find_dates(line)
    if dates and len(words) <= 6:
        return False
    return True


def extract_title(text: str, search_lines: int = 4) -> str | None:
    """The first title-like line among the first few lines of a cleaned text, else None."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    for line in lines[:search_lines]:
        if looks_like_title(line):
            return line
        if len(line.split()) > MAX_TITLE_WORDS:
            break  # body text has begun: a title after it would be a teaser or a subheading
    return None
