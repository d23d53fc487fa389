"""Dates written in French and English prose: month and weekday names come from Babel's CLDR data."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel import Locale

from search.ingest.folding import fold

LOCALES = ("fr", "en")
# The first lines of a page: where its publication date, dateline and stamps stand.
HEAD_LINES = 6
# Of those, the lines where a single year named dates the article's event.
NAMED_YEAR_LINES = 3
# A month and year alone stand on a publication line or dateline of at most this many words.
MONTH_LINE_MAX_WORDS = 12
OLDEST_YEAR = 1950


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Every wide and abbreviated month name (accents folded, dots dropped) mapped to its number."""
    names: dict[str, int] = {}
    for code in LOCALES:
        loc = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in loc.months[context][width].items():
                    key = fold(name).rstrip(".")
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
            names.update(fold(n).rstrip(".") for n in loc.days["format"][width].values())
    return sorted(names, key=len, reverse=True)


@lru_cache(maxsize=1)
def _parts() -> dict[str, str]:
    months = "|".join(sorted((re.escape(m) for m in month_names()), key=len, reverse=True))
    days = "|".join(re.escape(d) for d in weekday_names())
    ordinal = r"(?:er|st|nd|rd|th|e|eme)?"
    return {
        "day": rf"(?P<d>[0-3]?\d){ordinal}",
        # The first day of a range stands for the event: "les 19 et 20 janvier", "August 13-16".
        "range": rf"(?:\s*(?:-|–|/|&|et|and|au|to)\s*[0-3]?\d{ordinal})?",
        "year": r"(?P<y>(?:19|20)\d\d)",
        "month": rf"(?P<m>{months})\.?",
        "weekday": rf"(?P<w>(?:{days})\.?,?\s+(?:the\s+|le\s+)?)?",
    }


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern]]:
    p = _parts()
    day, rng, year, month, weekday = p["day"], p["range"], p["year"], p["month"], p["weekday"]
    return [
        # 29 mai 2024 / mardi 28 mai 2024 / 1er juillet 2021 / 30 November 2022 / 10th Jan, 2025
        ("dmy", re.compile(rf"\b{weekday}{day}{rng}\s+(?:de\s+|of\s+)?{month},?\s+{year}\b")),
        # Friday July 26, 2024 / January 13, 2021 / July 26th 2024
        ("mdy", re.compile(rf"\b{weekday}{month}\s+{day}{rng},?\s+{year}\b")),
        # 2022-10-05
        ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
        # 17/05/2019, 30.05.2024, 17-05-2019 (day first, as both archives' sites write them)
        ("num", re.compile(r"(?<![\d/.])(?P<d>[0-3]?\d)[/.-](?P<m>[01]?\d)[/.-](?P<y>(?:19|20)\d\d)(?![\d/.])")),
    ]


@lru_cache(maxsize=1)
def _day_month_pattern() -> re.Pattern:
    # "Bakou, 26 décembre, AZERTAC": a dateline without its year (none may follow the month).
    p = _parts()
    return re.compile(rf"\b{p['weekday']}{p['day']}\s+(?:de\s+|of\s+)?{p['month']}(?!\w|,?\s+\d)")


# Glued words from flattened HTML ("Saudi ArabiaMay 17, 2024"): split a capital after a lowercase.
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z][a-z]+\.?\s+\d)")
_STAMP_LINE = re.compile(r"^(?P<y>(?:19|20)\d\d)(?:-(?P<m>[01]\d))?$")
# Possessive, tried where a run of spaces starts: cubic otherwise on a line of thousands of spaces
# that cleaning keeps (form feeds, U+2028).
_COUNTER = re.compile(r"(?<!\s)\s++\d{1,4}$")


def _month_number(text: str) -> int | None:
    return int(text) if text.isdigit() else month_names().get(text.rstrip("."))


def _plausible(d: date) -> bool:
    return OLDEST_YEAR <= d.year <= date.today().year + 1


def find_dates(text: str) -> list[tuple[int, date]]:
    """All dates found in the text, as (character offset, date), in order of appearance."""
    return list(_find_dates(text))


@lru_cache(maxsize=16)
def _find_dates(text: str) -> tuple[tuple[int, date], ...]:
    # Remembered: a document's text is searched for its date, then again for its signature.
    folded = fold(_GLUED.sub(" ", text))
    # Folding can change the length of a few characters; offsets are only used for ordering.
    found: list[tuple[int, date]] = []
    for _kind, pattern in _patterns():
        for match in pattern.finditer(folded):
            try:
                value = date(int(match.group("y")), _month_number(match.group("m")), int(match.group("d")))
            except (TypeError, ValueError):
                continue
            found.append((match.start(), value))
    found.sort(key=lambda item: item[0])
    return tuple(found)


def is_date_line(line: str, with_weekday: bool = False) -> bool:
    """True when a line holds a date and nothing else (a trailing counter such as "0" allowed)."""
    line = line.strip()
    for candidate in (line, _COUNTER.sub("", line)):
        folded = fold(candidate).strip(" .,")
        for _kind, pattern in _patterns():
            match = pattern.fullmatch(folded)
            if match and (not with_weekday or match.groupdict().get("w")):
                return True
    return False


def has_day_month(text: str) -> bool:
    """True when the text names a day and a month, with or without the year."""
    return bool(find_dates(text)) or bool(_day_month_pattern().search(fold(text)))


def _head(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()][:HEAD_LINES]


def _dateline(line: str, years: list[int], stamp: tuple[int, int | None] | None) -> date | None:
    """The date of a short dateline without a year, the year taken from a stamp or the text's dates."""
    if len(line.split()) > 10:
        return None
    match = _day_month_pattern().search(fold(line))
    if not match:
        return None
    month, day = _month_number(match.group("m")), int(match.group("d"))
    if stamp and stamp[1] in (None, month):
        candidates = [stamp[0]]
    else:
        candidates = years
    best = None
    for year in candidates:
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        # Among the years the text gives, the one that puts the dateline nearest its other dates.
        if best is None or _distance(value, years) < _distance(best, years):
            best = value
    return best


def _distance(value: date, years: list[int]) -> int:
    return min((abs(value.year - y) for y in years), default=0)


def extract_date(text: str, head_chars: int = 600, title: str | None = None) -> str | None:
    """The document's date at the precision the text gives: YYYY-MM-DD, YYYY-MM or YYYY; None without one.

    In order: a written date alone on a line near the top (the site's publication line), a full
    date stamp, a dateline without its year ("Bakou, 26 décembre") completed from a stamp or the
    text's dates, a full date near the top; then a month or year stamp ("2023-11", "2023" alone on
    a line) or a month and year written near the top ("mars 2021", "March 2021"); then the first
    full date in the text; then the one year the first lines name ("ICAN 2026", "SIEL (2022)").
    Given the headline, a date line under it is the article's, before one above it (a teaser's).
    """
    found = [(pos, d) for pos, d in find_dates(text) if _plausible(d)]
    head = _head(text)
    stamps = [line for line in head if _STAMP_LINE.match(line)]
    iso_stamps = [d for line in head if re.fullmatch(r"\d{4}-\d\d-\d\d", line) for _p, d in find_dates(line)]
    for line in _under_headline_first(head, title):
        if not re.fullmatch(r"[\d-]+", line) and is_date_line(line):
            dates = [d for _p, d in find_dates(line) if _plausible(d)]
            if dates:
                return dates[0].isoformat()
    if iso_stamps and _plausible(iso_stamps[0]):
        return iso_stamps[0].isoformat()
    partial = None
    if stamps:
        match = _STAMP_LINE.match(stamps[0])
        partial = (int(match.group("y")), int(match.group("m")) if match.group("m") else None)
    years = sorted({d.year for _p, d in found})
    for line in head[:3]:
        value = _dateline(line, years, partial)
        if value and _plausible(value):
            return value.isoformat()
    in_head = [d for pos, d in found if pos < head_chars]
    if in_head:
        return in_head[0].isoformat()
    if partial and _plausible_year(partial[0]):
        return f"{partial[0]}-{partial[1]:02d}" if partial[1] else str(partial[0])
    month = _month_year(head)
    if month:
        return month
    if found:
        return found[0][1].isoformat()
    year = _named_year(head)
    return str(year) if year else None


def _under_headline_first(head: list[str], title: str | None) -> list[str]:
    """The head's lines, those under the headline first: above it stand teasers of other articles."""
    if title and title in head:
        at = head.index(title)
        return head[at + 1:] + head[:at]
    return head


def _plausible_year(year: int) -> bool:
    return OLDEST_YEAR <= year <= date.today().year + 1


@lru_cache(maxsize=1)
def _month_year_pattern() -> re.Pattern:
    # "mars 2021", "March 2021", "March, 2021", "mai de 2021": a month and a year with no day before.
    p = _parts()
    return re.compile(rf"(?<![\d\w])(?<!\d\s){p['month']},?\s+(?:de\s+|of\s+)?{p['year']}\b")


def _month_year(head: list[str]) -> str | None:
    """A month written with its year on a short line of the head (a publication line or dateline:
    "mars 2021", "Published March 2021"), as YYYY-MM; in a sentence it is some event's month."""
    for line in head:
        if len(line.split()) > MONTH_LINE_MAX_WORDS:
            continue
        for match in _month_year_pattern().finditer(fold(line)):
            month, year = _month_number(match.group("m")), int(match.group("y"))
            if month and _plausible_year(year):
                return f"{year}-{month:02d}"
    return None


# A year standing alone among words: not part of a number, a date, a range or a span of years.
_LONE_YEAR = re.compile(r"(?<![\d/.\-–])((?:19|20)\d\d)(?![\d/.\-–]|\s*[-–]\s*\d)")
# A year after a preposition is history ("fondée en 1969", "de 2001 à 2012", "since 1982"); a year
# after a name is an edition ("ICAN 2026", "le SIEL (2022)", "l'Année de la femme 2021").
_HISTORY = re.compile(r"(?:\b(?:en|in|im|de|from|since|depuis|des|dès|au|à|a|to|until|jusqu'en|seit|von|bis|"
                      r"desde|hasta|année|year|years|ans|fin|end|late|early|début|mid|mi|the)\s*[,(]?\s*)$", re.I)

_LAST_WORD = re.compile(r"([^\W\d_]+)\.?,?\s*$")


def _named_year(head: list[str]) -> int | None:
    # A single year named as an edition in the first lines dates the article's event; several
    # years, or a year met as history, date nothing.
    years = set()
    for line in head[:NAMED_YEAR_LINES]:
        for match in _LONE_YEAR.finditer(line):
            year = int(match.group(1))
            if not _plausible_year(year):
                continue
            before = line[max(0, match.start() - 20):match.start()]
            last_word = _LAST_WORD.search(fold(before))
            if _HISTORY.search(before) or (last_word and last_word.group(1) in month_names()):
                return None  # history, or a month in a sentence ("set for November 2025")
            years.add(year)
    return years.pop() if len(years) == 1 else None


def extract_year(text: str) -> int | None:
    """The year of the document's date (see extract_date), None when it has none."""
    found = extract_date(text)
    return int(found[:4]) if found else None


def date_precision(value: str | None) -> str | None:
    """"day", "month" or "year" for an ISO date of that precision, None for no date."""
    if not value:
        return None
    return {10: "day", 7: "month", 4: "year"}.get(len(value))
