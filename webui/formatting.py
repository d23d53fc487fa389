"""Dates, numbers and language names in the interface locale (Babel through Flask-Babel)."""
from __future__ import annotations

import datetime as dt
import re

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from flask_babel import format_date, format_decimal, get_locale


def parse_iso_date(value) -> dt.date | None:
    """An ISO `YYYY-MM-DD` string (or a date) as a date; None when it is not one."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


_MONTH = re.compile(r"(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])")


def localized_date(value, style: str = "long") -> str:
    """`28 mai 2024` / `May 28, 2024`, `mars 2021` / `March 2021` for a month alone, a year as is;
    the value unchanged when it is not a date, '' for None."""
    if value in (None, ""):
        return ""
    month = _MONTH.fullmatch(str(value))
    if month:
        first = dt.date(int(month.group("y")), int(month.group("m")), 1)
        return format_skeleton("yMMMM", first, locale=get_locale() or Locale("en"))
    day = parse_iso_date(value)
    return format_date(day, format=style) if day else str(value)


def localized_number(value) -> str:
    """`1 234` / `1,234`."""
    if isinstance(value, int) and -1000 < value < 1000:
        return str(value)  # written alike in every locale, and Babel's formatting is slow in long tables
    return format_decimal(value)


def language_name(code: str | None, capital: bool = True) -> str:
    """The name of a language code in the interface locale (`Français`, `English`), else the code."""
    if not code or code == "und":
        return ""
    locale = get_locale() or Locale("en")
    try:
        name = Locale.parse(code).get_display_name(locale)
    except (ValueError, TypeError, LookupError, UnknownLocaleError):  # a code Babel lacks ("fuv"): the code
        return code
    if not name:
        return code
    return name[:1].upper() + name[1:] if capital else name


def text_direction(code: str | None) -> str:
    """"rtl" for a language written right to left (Arabic, Persian, Urdu, Hebrew…), else "ltr"."""
    if not code or code == "und":
        return "ltr"
    try:
        return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"
    except (ValueError, TypeError, LookupError, UnknownLocaleError):  # a code Babel lacks ("fuv")
        return "ltr"


def init_app(app) -> None:
    """Make the helpers available to templates as filters."""
    app.add_template_filter(localized_date, "date")
    app.add_template_filter(localized_number, "number")
    app.add_template_filter(language_name, "language_name")
    app.add_template_filter(text_direction, "direction")
