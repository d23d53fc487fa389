"""CSV downloads that spreadsheets open as they are: UTF-8 with a byte-order mark (Excel reads
UTF-8 without one as cp1252), cells that cannot run as formulas, and a file name saying what and when."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata

from flask import Response

BOM = "\ufeff"
SLUG_CHARS = 40


def csv_cell(value) -> str:
    """A value as one cell: lists joined with '; ', None empty, formula starts neutralised."""
    if isinstance(value, list):
        value = "; ".join(map(str, value))
    value = "" if value is None else str(value)
    # Spreadsheets execute cells that start with these characters: neutralise them.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_text(header, rows) -> str:
    """A header and rows as CSV text, byte-order mark first."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def download_name(prefix: str, query: str, ext: str, day: dt.date | None = None) -> str:
    """`search-icesco-2026-12-02.csv`: what was searched (as ASCII words) and the day."""
    folded = unicodedata.normalize("NFKD", query or "").encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:SLUG_CHARS].strip("-")
    day = day or dt.date.today()
    return "-".join(part for part in (prefix, slug, day.isoformat()) if part) + "." + ext


def attachment(response: Response, filename: str) -> Response:
    """Mark a response as a download under this (ASCII) file name."""
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(header, rows, filename: str) -> Response:
    """A CSV download (UTF-8 with a byte-order mark)."""
    return attachment(Response(csv_text(header, rows), mimetype="text/csv"),
                      filename)
