"""The JSON API keeps DESIGN.md's shapes, and its answers agree with themselves (facets, filters)."""
from __future__ import annotations

import csv
import io

import pytest

SEARCH_KEYS = {"query", "total", "page", "per_page", "results", "facets", "suggestion", "notices", "also", "timed_out",
               "partial"}
RESULT_KEYS = {"id", "title", "lang", "date", "year", "organisations", "people", "source", "snippet"}
FACETS = ("org", "person", "year", "lang")
XSS = "<script>alert(1)</script>"


def search(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def ids(answer) -> list[str]:
    return [hit["id"] for hit in answer["results"]]


def prefixes(answer) -> list[str]:
    return [hit["id"][:3] for hit in answer["results"]]


def test_search_answer_has_the_design_shape(client):
    answer = search(client, q="ICESCO")
    assert set(answer) == SEARCH_KEYS
    assert answer["query"] == "ICESCO" and answer["page"] == 1 and answer["per_page"] == 10
    assert answer["results"], "ICESCO is in every seed"
    for hit in answer["results"]:
        assert set(hit) == RESULT_KEYS
        assert isinstance(hit["organisations"], list) and isinstance(hit["people"], list)
        assert hit["date"] is None or len(hit["date"]) == 10
        assert hit["year"] is None or isinstance(hit["year"], int)
    assert set(answer["facets"]) == set(FACETS)
    for name, values in answer["facets"].items():
        for item in values:
            # people and organisations carry their entity key (DESIGN.md, Entities)
            assert set(item) == ({"value", "count", "key"} if name in ("org", "person") else {"value", "count"})
            assert isinstance(item["count"], int)
    assert answer["suggestion"] is None or isinstance(answer["suggestion"], str)
    assert isinstance(answer["notices"], list) and isinstance(answer["timed_out"], bool)


def test_document_answer_has_the_design_shape(client):
    doc_id = ids(search(client, q="AICTO"))[0]
    response = client.get(f"/api/documents/{doc_id}")
    assert response.status_code == 200
    doc = response.get_json()
    assert set(doc) == (RESULT_KEYS - {"snippet"}) | {"text", "related"}
    assert doc["id"] == doc_id and "AICTO" in doc["text"]


@pytest.mark.parametrize("doc_id", ["nope", "../etc/passwd", "a/b"])
def test_unknown_document_is_404_json(client, doc_id):
    response = client.get(f"/api/documents/{doc_id}")
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_aicto_finds_the_three_agreement_articles_first(client):
    found = prefixes(search(client, q="AICTO"))
    assert set(found[:3]) == {"000", "001", "003"}, found
    assert "002" not in found and "004" not in found


def test_empty_query_browses_everything_newest_first(client):
    answer = search(client, per_page=100)
    assert answer["total"] == len(answer["results"]) >= 5
    assert {hit["id"][:3] for hit in answer["results"]} == {"000", "001", "002", "003", "004"}
    dates = [hit["date"] for hit in answer["results"]]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates[: len(dated)] == dated, "undated documents come last"


def test_organisation_then_year_narrows(client):
    everything = search(client)["total"]
    by_org = search(client, org="AICTO")
    assert 0 < by_org["total"] < everything
    assert all("AICTO" in hit["organisations"] for hit in by_org["results"])
    by_both = search(client, org="AICTO", year="2024")
    assert 0 < by_both["total"] <= by_org["total"]
    assert all("AICTO" in hit["organisations"] and hit["year"] == 2024 for hit in by_both["results"])
    assert search(client, org="AICTO", year="2021")["total"] == 0


def test_values_of_one_facet_are_ored(client):
    per_year = {item["value"]: item["count"] for item in search(client)["facets"]["year"]}
    assert len(per_year) >= 2
    both = client.get("/api/search", query_string=[("year", y) for y in per_year]).get_json()
    assert both["total"] == sum(per_year.values())


@pytest.mark.parametrize("q", ["", "ICESCO", "coopération"])
def test_facet_counts_equal_the_documents_each_value_finds(client, q):
    answer = search(client, q=q, per_page=100)
    for facet in FACETS:
        for item in answer["facets"][facet]:
            narrowed = search(client, q=q, per_page=100, **{facet: item["value"]})
            assert narrowed["total"] == item["count"], (facet, item)


def test_bad_parameters_get_400_with_what_is_allowed(client):
    for params in ({"page": "abc"}, {"per_page": "0"}, {"per_page": "101"}, {"sort": "title"}, {"year": "24"}):
        response = client.get("/api/search", query_string=params)
        assert response.status_code == 400, params
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]


@pytest.mark.parametrize("q", ['"unclosed (AICTO', "(((", "AND", "title:", "date:[2024 TO", "*", "~", "OR OR", "org:"])
def test_unreadable_query_is_answered_not_500(client, q):
    assert search(client, q=q)["query"] == q


def test_script_in_query_is_data_never_markup(client):
    answer = search(client, q=XSS + " ICESCO")
    assert answer["query"] == XSS + " ICESCO"
    for hit in answer["results"]:
        assert "<script" not in hit["snippet"]
        without_marks = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in without_marks
    response = client.get("/api/search", query_string={"q": XSS})
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_exports_hold_the_whole_result_set(client):
    total = search(client, q="ICESCO", per_page=1)["total"]
    as_json = client.get("/api/export.json", query_string={"q": "ICESCO"}).get_json()
    assert as_json["total"] == total and len(as_json["results"]) == total
    body = client.get("/api/export.csv", query_string={"q": "ICESCO"}).get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["id", "title", "date", "lang", "organisations", "people", "source", "url"]
    assert len(rows) == total + 1


def test_fold_counts_copies_of_one_article_once(client):
    """Seed 001 is the same article as the second part of seed 003: folded, they are one result."""
    plain = client.get("/api/search", query_string={"q": "AICTO"}).get_json()
    folded = client.get("/api/search", query_string={"q": "AICTO", "fold": "1"}).get_json()
    assert folded["total"] == plain["total"] - 1
    org_counts = {f["value"]: f["count"] for f in folded["facets"]["org"]}
    assert org_counts["AICTO"] == folded["total"]
    assert client.get("/api/search", query_string={"fold": "yes"}).status_code == 400


def test_search_page_folds_copies_and_lists_them(client):
    html = client.get("/", query_string={"q": "AICTO"}).get_data(as_text=True)
    assert "other file" in html


def test_healthz_reports_the_served_index(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["backend"] == "whoosh"
    assert body["documents"] > 0 and body["generation"].startswith("gen-")


def test_healthz_is_503_without_an_index(tmp_path, docs_dir):
    from webui import create_app

    app = create_app({"TESTING": True, "DOCS_DIR": str(docs_dir), "INDEX_DIR": str(tmp_path / "empty")})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "no index", "backend": "whoosh", "documents": 0, "generation": None}


def test_a_whole_answer_is_not_partial(client):
    assert search(client, q="ICESCO")["partial"] is False
