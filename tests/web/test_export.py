"""Exports of a result set that spreadsheets open as they are: a BOM, each document's URL, a named file."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from webui.tables import csv_cell, download_name

TODAY = dt.date.today().isoformat()


def test_csv_export_is_utf8_with_a_bom_and_reads_accents_back(client):
    response = client.get("/api/export.csv", query_string={"q": "coopération"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.mimetype_params.get("charset") == "utf-8"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbfid,")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert any("é" in cell for row in rows[1:] for cell in row), "accented text comes back as written"
    assert len(rows) - 1 == client.get("/api/search", query_string={"q": "coopération"}).get_json()["total"]


def test_csv_and_json_exports_give_each_document_its_url_on_the_site(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export.csv?q=ICESCO").get_data().decode("utf-8-sig"))))
    assert rows and list(rows[0])[-1] == "url"
    for row in rows:
        assert row["url"] == f"http://localhost/doc/{row['id']}"
        assert client.get(row["url"].removeprefix("http://localhost")).status_code == 200
    as_json = json.loads(client.get("/api/export.json?q=ICESCO").get_data())
    assert [r["url"] for r in as_json["results"]] == [r["url"] for r in rows]


@pytest.mark.parametrize("q, name", [
    ("ICESCO", f"search-icesco-{TODAY}"),
    ('"Coopération numérique" org:AICTO', f"search-cooperation-numerique-org-aicto-{TODAY}"),
    ("", f"search-{TODAY}"),
    ("مرحبا", f"search-{TODAY}"),
])
def test_export_file_is_named_after_the_query_and_the_day(client, q, name):
    for fmt in ("csv", "json"):
        response = client.get(f"/api/export.{fmt}", query_string={"q": q})
        assert response.headers["Content-Disposition"] == f'attachment; filename="{name}.{fmt}"'


def test_file_names_are_short_ascii_and_dated():
    name = download_name("search", "a" * 300 + " b", "csv", dt.date(2026, 12, 2))
    assert name == "search-" + "a" * 40 + "-2026-12-02.csv"
    assert download_name("batch", "", "csv", dt.date(2026, 12, 2)) == "batch-2026-12-02.csv"


@pytest.mark.parametrize("value, cell", [
    ("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("-1", "'-1"), ("@x", "'@x"), (["a", "b"], "a; b"), (None, ""), (3, "3"),
])
def test_cells_never_run_as_formulas(value, cell):
    assert csv_cell(value) == cell
