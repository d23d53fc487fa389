"""The headline of an article: the first line that reads as a title, never chrome or a sentence."""
from __future__ import annotations

import re

from search.ingest.dates import find_dates, has_day_month

# Full stop, colon and the like end a sentence; Arabic-script comma and full stop too (، ؛ ۔).
_SENTENCE_END = re.compile(r"[.!?;:…،؛۔]\s*$")
_TRUNCATED = re.compile(r"(?:\.\.\.|…)\s*$")
_QUOTED = re.compile(r"^[“\"«‘].*[”\"»’]$")
# A date printed after the headline on the same line ("Lancement officiel ... 16/03/2021").
_TRAILING_DATE = re.compile(r"\s+[-–|/]?\s*(?:\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{4}-\d\d-\d\d)$")
# Flattened HTML can glue the headline to the lede: a closing quote or bracket, then a sentence.
_GLUED_LEDE = re.compile(r"(?<=[»”)])(?=[A-ZÀ-Ý])")
MAX_TITLE_WORDS = 40
# Below a lede paragraph, only a short line is taken for the headline (else it is body text).
MAX_TITLE_WORDS_AFTER_LEDE = 20
# A dateline ("Bakou, 26 décembre, AZERTAC", "Rabat: 03/05/2018") is a few words around a date.
MAX_DATELINE_WORDS = 10


def looks_like_title(line: str) -> bool:
    """A headline: a few words to a long line, no final full stop, not a date, dateline or quote."""
    words = line.split()
    if not 3 <= len(words) <= MAX_TITLE_WORDS:
        return False
    if _SENTENCE_END.search(line) and not line.endswith("?"):
        return False
    if sum(ch.isalpha() for ch in line) < len(line) * 0.5:
        return False
    if _QUOTED.match(line):
        return False
    if len(words) <= MAX_DATELINE_WORDS and has_day_month(line):
        return False
    if find_dates(line) and len(words) <= 6:
        return False
    return True


def _candidates(text: str) -> list[str]:
    """The non-empty lines of a text, a headline glued to its lede split from it."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if lines:
        parts = _GLUED_LEDE.split(lines[0], maxsplit=1)
        if len(parts) == 2 and looks_like_title(parts[0]):
            lines[:1] = parts
    return [_TRAILING_DATE.sub("", line) for line in lines]


def extract_title(text: str, search_lines: int = 4) -> str | None:
    """The first title-like line among the first few lines of a cleaned text, else None."""
    lines = _candidates(text)
    if len(lines) < 2:
        return None  # a text of one line is all body: in any script, a headline stands over its text
    skipped_lede = False
    i = 0
    while i < min(len(lines), search_lines + skipped_lede):
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if looks_like_title(line) and not (skipped_lede and len(line.split()) > MAX_TITLE_WORDS_AFTER_LEDE):
            if _TRUNCATED.search(following) and len(following.split()) <= MAX_TITLE_WORDS:
                i += 2  # a teaser (headline and cut-off excerpt) of another article
                continue
            return line
        if skipped_lede:
            break  # the headline stands right under the lede, or there is none
        if len(line.split()) > MAX_TITLE_WORDS:
            # A lede may stand above the headline; past one body paragraph, a title-like line
            # is a teaser or a subheading.
            if i == 0 and not skipped_lede:
                skipped_lede = True
                i += 1
                continue
            break
        i += 1
    return None
