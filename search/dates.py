"""Dates written in French and English prose: month and weekday names come from Babel's CLDR data."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from babel import Locale

LOCALES = ("fr", "en")


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Every wide and abbreviated month name (accents folded, dots dropped) mapped to its number."""
    names: dict[str, int] = {}
    for code in LOCALES:
        loc = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in loc.months[context][width].items():
                    key = _fold(name).rstrip(".")
                    if len(key) >= 3:
                        names[key] = number
    return names


@lru_cache(maxsize=1)
def weekday_names() -> list[str]:
    """Wide and abbreviated weekday names in both languages, accents folded."""
    names = set()
    for code in LOCALES:
        loc = Locale.parse(code)
        for width in ("wide", "abbreviated"):
            names.update(_fold(n).rstrip(".") for n in loc.days["format"][width].values())
    return sorted(names, key=len, reverse=True)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern]]:
    months = "|".join(sorted((re.escape(m) for m in month_names()), key=len, reverse=True))
    days = "|".join(re.escape(d) for d in weekday_names())
    day = r"(?P<d>[0-3]?\d)(?:er|st|nd|rd|th|e|ème)?"
    year = r"(?P<y>(?:19|20)\d\d)"
    month = rf"(?P<m>{months})\.?"
    weekday = rf"(?:(?:{days})\.?,?\s+(?:the\s+)?)?"
    return [
        # 29 mai 2024 / mardi 28 mai 2024 / 1er juillet 2021 / 30 November 2022 / 28 May, 2024
        ("dmy", re.compile(rf"\b{weekday}{day}\s+(?:de\s+|of\s+)?{month},?\s+{year}\b")),
        # Friday July 26, 2024 / January 13, 2021 / July 26th 2024
        ("mdy", re.compile(rf"\b{weekday}{month}\s+{day},?\s+{year}\b")),
        # 2022-10-05
        ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
        # 17/05/2019, 30.05.2024, 17-05-2019 (day first, as both archives' sites write them)
        ("num", re.compile(r"(?<![\d/.])(?P<d>[0-3]?\d)[/.-](?P<m>[01]?\d)[/.-](?P<y>(?:19|20)\d\d)(?![\d/.])")),
    ]


def find_dates(text: str) -> list[tuple[int, date]]:
    """All dates found in the text, as (character offset, date), in order of appearance."""
    folded = _fold(text)
    # Folding can change the length of a few characters; offsets are only used for ordering.
    found: list[tuple[int, date]] = []
    names = month_names()
    for kind, pattern in _patterns():
        for match in pattern.finditer(folded):
            month_text = match.group("m")
            month = int(month_text) if month_text.isdigit() else names.get(month_text.rstrip("."))
            try:
                found.append((match.start(), date(int(match.group("y")), month, int(match.group("d")))))
            except (TypeError, ValueError):
                continue
    found.sort(key=lambda item: item[0])
    return found


def extract_date(text: str, head_chars: int = 600) -> str | None:
    """The document's date as YYYY-MM-DD: a date near the top (publication), else the first in the text."""
    found = [(pos, d) for pos, d in find_dates(text) if 1950 <= d.year <= date.today().year + 1]
    if not found:
        return None
    head = [d for pos, d in found if pos < head_chars]
    chosen = head[0] if head else found[0][1]
    return chosen.isoformat()
