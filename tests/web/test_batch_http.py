"""Batch search over HTTP: POST /api/batch (DESIGN.md), the /batch page with and without its script,
the chunks the script posts, and the table's CSV."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from test_views import parse

LINE_KEYS = {"query", "total", "year", "org", "error", "notices"}


def post_batch(client, status=200, **body):
    response = client.post("/api/batch", json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def search_total(client, **params) -> int:
    return client.get("/api/search", query_string=params).get_json()["total"]


def test_api_answers_every_line_in_the_design_shape(client):
    answer = post_batch(client, queries=["ICESCO", "AICTO", "zzzqqxnothing"])
    assert set(answer) == {"results"}
    assert [line["query"] for line in answer["results"]] == ["ICESCO", "AICTO", "zzzqqxnothing"]
    for line in answer["results"]:
        assert set(line) == LINE_KEYS and line["error"] is None
        assert line["total"] == search_total(client, q=line["query"])
        facets = client.get("/api/search", query_string={"q": line["query"]}).get_json()["facets"]
        assert line["year"] == facets["year"]
        assert line["org"] == facets["org"][:10]
    assert answer["results"][0]["total"] > 0 and answer["results"][2]["total"] == 0


def test_api_filters_apply_to_every_line(client):
    answer = post_batch(client, queries=["ICESCO", "AICTO"], year="2024", lang=["en"], org=["ICESCO"])
    for line in answer["results"]:
        assert line["total"] == search_total(client, q=line["query"], year="2024", lang="en", org="ICESCO")
        assert [item["value"] for item in line["year"]] in (["2024"], [])
    folded = post_batch(client, queries=["AICTO"], fold=True)["results"][0]
    assert folded["total"] == search_total(client, q="AICTO", fold="1") == search_total(client, q="AICTO") - 1


def test_api_a_bad_line_gets_its_own_error_and_the_batch_still_answers(client):
    answer = post_batch(client, queries=["ICESCO", 7, "", "!!!", "10:30 ICESCO", "AICTO"])["results"]
    assert [line["error"] is None for line in answer] == [True, False, False, False, False, True]
    assert [line["total"] for line in answer[1:4]] == [None, None, None]
    assert answer[4]["total"] == search_total(client, q="10:30 ICESCO") and "plain words" in answer[4]["error"]
    assert answer[0]["total"] > 0 and answer[5]["total"] > 0


@pytest.mark.parametrize("body, message", [
    (None, "JSON object"),
    ({"query": ["ICESCO"]}, '"queries" must be a list'),
    ({"queries": "ICESCO"}, '"queries" must be a list'),
    ({"queries": ["ICESCO"] * 1001}, "at most 1,000 queries, not 1,001"),
    ({"queries": ["ICESCO"], "year": "24"}, "four-digit year"),
    ({"queries": ["ICESCO"], "org": {"a": 1}}, "'org' must be text"),
    ({"queries": ["ICESCO"], "fold": "yes"}, "'fold' must be true"),
])
def test_api_a_bad_request_is_400_with_what_is_allowed(client, body, message):
    response = client.post("/api/batch", json=body) if body is not None else client.post("/api/batch", data="ICESCO")
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_api_takes_a_thousand_lines(client):
    answer = post_batch(client, queries=[""] * 998 + ["ICESCO", "ICESCO"])["results"]
    assert len(answer) == 1000 and answer[-1]["total"] == answer[-2]["total"] == search_total(client, q="ICESCO")


def test_page_is_a_form_to_paste_or_upload_a_list(client):
    html = client.get("/batch", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<form id="batch-form"[^>]*method="post"[^>]*enctype="multipart/form-data"', html)
    assert '<textarea id="queries" name="queries"' in html and 'type="file"' in html
    assert 'src="/static/batch.js"' in html
    assert ("/batch", "Batch search") in {(href, text.strip()) for href, text, _c in parse(html).links}
    assert client.get("/static/batch.js").status_code == 200
    assert "Batch search" in client.get("/").get_data(as_text=True), "every page links to it"


def _rows(html: str) -> list[list[str]]:
    body = html[html.index('id="batch-rows"'):html.index("</tbody>")]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_page_without_script_posts_the_list_and_shows_the_table(client):
    response = client.post("/batch", data={"queries": "AICTO\n\n  ICESCO  \n10:30 ICESCO", "year": "2024"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = _rows(html)
    assert [re.sub(r"<[^>]+>", "", r[1]) for r in rows] == ["AICTO", "ICESCO", "10:30 ICESCO"]
    links = [href for href, _t, _c in parse(html).links if urlsplit(href).path == "/" and "q=" in href]
    assert [dict(parse_qsl(urlsplit(h).query)) for h in links] == [
        {"q": "AICTO", "year": "2024"}, {"q": "ICESCO", "year": "2024"}, {"q": "10:30 ICESCO", "year": "2024"}]
    for row, link in zip(rows, links):  # the total is the one its search page shows (copies folded)
        assert int(re.sub(r"\D", "", row[2])) == search_total(client, **dict(parse_qsl(urlsplit(link).query)), fold="1")
    assert "2024" in rows[0][3] and "AICTO" in rows[0][4]
    assert "plain words" in rows[2][5]
    assert 'value="2024"' in html, "the form keeps its filters"


def test_page_reads_an_uploaded_file(client):
    upload = (io.BytesIO("\ufeffcoopération\r\nAICTO\r\n".encode("utf-8")), "list.txt")
    html = client.post("/batch", data={"file": upload, "queries": ""}, content_type="multipart/form-data",
                       headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert [re.sub(r"<[^>]+>", "", r[1]) for r in _rows(html)] == ["coopération", "AICTO"]


def test_page_refuses_too_long_or_empty_lists_saying_why(client):
    response = client.post("/batch", data={"queries": "\n".join(["ICESCO"] * 1001)}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "at most 1,000 queries, not 1,001" in response.get_data(as_text=True)
    empty = client.post("/batch", data={"queries": "\n \n"}, headers={"Accept-Language": "en"})
    assert empty.status_code == 400 and "The list is empty" in empty.get_data(as_text=True)
    french = client.post("/batch?ui=fr", data={"queries": "\n".join(["ICESCO"] * 1001)})
    assert "au plus 1\u202f000 requêtes" in french.get_data(as_text=True)


def test_chunks_of_the_script_come_back_as_rows_numbered_from_start(client):
    response = client.post("/batch/rows", data={"queries": "AICTO\nICESCO", "start": "25", "year": "2024"})
    assert response.status_code == 200
    rows = _rows('<tbody id="batch-rows">' + response.get_data(as_text=True) + "</tbody>")
    assert [r[0] for r in rows] == ["26", "27"]
    assert 'href="/?q=ICESCO&amp;year=2024"' in response.get_data(as_text=True)
    bad = client.post("/batch/rows", data={"queries": "\n".join(["x"] * 1001)}, headers={"Accept-Language": "en"})
    assert bad.status_code == 400 and "at most 1,000" in bad.get_data(as_text=True)
    french = client.post("/batch/rows", data={"queries": "\n".join(["x"] * 1001)}, headers={"Accept-Language": "fr"})
    assert "au plus 1\u202f000 requêtes" in french.get_data(as_text=True)


def test_table_downloads_as_csv_with_a_bom_and_a_column_per_year(client):
    response = client.post("/batch", data={"queries": "ICESCO\nzzzqqxnothing\n!!!", "format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="batch-{dt.date.today().isoformat()}.csv"'
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    years = [h for h in header if h.isdigit()]
    assert header == ["line", "query", "total", *years, "organisations", "notices", "error", "link"] and years
    icesco = dict(zip(header, rows[1]))
    assert int(icesco["total"]) == search_total(client, q="ICESCO", fold="1")
    assert sum(int(icesco[y]) for y in years) <= int(icesco["total"])
    assert "ICESCO (" in icesco["organisations"] and icesco["link"] == "http://localhost/?q=ICESCO"
    nothing, unreadable = dict(zip(header, rows[2])), dict(zip(header, rows[3]))
    assert nothing["total"] == "0" and all(nothing[y] == "0" for y in years)
    assert unreadable["total"] == "" and "no searchable words" in unreadable["error"]


def test_french_page_translates_the_form_and_line_errors(client):
    html = client.post("/batch?ui=fr", data={"queries": "ICESCO\n!!!"}).get_data(as_text=True)
    assert "Recherche par lot" in html and "La requête ne contient aucun mot à chercher." in html
