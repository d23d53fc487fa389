"""Case and accent folding for comparing words across copies and spellings (dates, signatures)."""
from __future__ import annotations

import unicodedata


class _Marks(dict):
    """A str.translate table that deletes combining marks, filled as characters are first met:
    the translation then runs in C instead of one Python step per character."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_MARKS = _Marks()


def fold(text: str) -> str:
    """Lowercase, without accents or other combining marks (é → e)."""
    lowered = text.lower()
    if lowered.isascii():  # most words: nothing to decompose
        return lowered
    return unicodedata.normalize("NFD", lowered).translate(_MARKS)
