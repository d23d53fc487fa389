"""Dates in a query: `date:2024-05`, `date:[2024-01 TO 2024-06]` (or `à`), `date:>2024-06-01`
rewritten as ranges over the YYYYMMDD numbers of the `datenum` field."""
from __future__ import annotations

import re

_DATE_VALUE = r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?"
_DATE_RANGE = re.compile(
    rf"\bdate:\s*(?P<open>[\[{{])\s*(?P<a>{_DATE_VALUE})?\s+(?:TO|to|À|à|A|a)\s+(?P<b>{_DATE_VALUE})?\s*(?P<close>[\]}}])"
)
_DATE_SINGLE = re.compile(rf"\bdate:\s*(?P<op>[<>]=?)?(?P<a>{_DATE_VALUE})\b")


def _date_bound(value: str | None, upper: bool) -> str:
    if not value:
        return ""
    parts = value.split("-")
    year = parts[0]
    # From day 00: documents dated by their month ("2024-05" is 20240500) or year fall in the range.
    month = parts[1].zfill(2) if len(parts) > 1 else ("12" if upper else "00")
    day = parts[2].zfill(2) if len(parts) > 2 else ("31" if upper else "00")
    return f"{year}{month}{day}"


def rewrite_dates(text: str) -> str:
    """date:[2024-01 TO 2024-06] / date:2024-05 / date:>2024-01-01 → ranges over YYYYMMDD numbers."""

    def rng(m):
        a = _date_bound(m.group("a"), upper=False)
        b = _date_bound(m.group("b"), upper=True)
        return f"date:{m.group('open')}{a} TO {b}{m.group('close')}"

    def single(m):
        op, value = m.group("op"), m.group("a")
        if op in (">", ">="):
            return f"date:[{_date_bound(value, upper=op == '>')} TO]"
        if op in ("<", "<="):
            return f"date:[TO {_date_bound(value, upper=op == '<=')}]"
        return f"date:[{_date_bound(value, False)} TO {_date_bound(value, True)}]"

    return _DATE_SINGLE.sub(single, _DATE_RANGE.sub(rng, text))
