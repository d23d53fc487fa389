"""Hostile input: script in documents and parameters is escaped everywhere; paths cannot escape the
index; monstrous queries get a quick 200 or an explaining 400, never a 500 or a hung worker."""
from __future__ import annotations

import json
import shutil
import time
import urllib.parse

import pytest

from conftest import SEEDS
from search.index.indexer import reindex
from webui import create_app

PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'><svg/onload=alert(3)>'
HOSTILE_DOC = (
    f"{PAYLOAD} ICESCO headline\n\n"
    f"On 3 March 2023 Dr. Evil {PAYLOAD} met the Director General of ICESCO in Rabat. "
    f"The xssmarker plan <b>bold</b> &amp; {PAYLOAD} was signed by the {PAYLOAD} Organization.\n"
)
RAW_MARKERS = ("<script>", "<img src=x", "<svg/onload", "onerror=alert(2)>")


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    """The seeds plus a document full of script, served by a non-testing app (real 500s)."""
    root = tmp_path_factory.mktemp("hostile")
    docs_dir = root / "docs"
    shutil.copytree(SEEDS, docs_dir)
    (docs_dir / "evil <script>.txt").write_text(HOSTILE_DOC, encoding="utf-8")
    index = root / "index"
    reindex(docs_dir, index)
    app = create_app({"DOCS_DIR": str(docs_dir), "INDEX_DIR": str(index)})  # not TESTING: real 500s
    return app.test_client()


def assert_escaped(body: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in body, marker


def hostile_doc_id(client) -> str:
    results = client.get("/api/search?q=xssmarker").get_json()["results"]
    assert results, "the hostile document is indexed"
    return results[0]["id"]


@pytest.mark.parametrize("url", [
    "/?q=xssmarker", "/?q=xssmarker&lang=en", "/api/search?q=xssmarker", "/api/export.json?q=xssmarker",
    "/api/export.csv?q=xssmarker", "/?q=", "/api/search?q=",
])
def test_script_in_a_document_is_escaped(hostile_client, url):
    response = hostile_client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if response.mimetype == "application/json":
        # Fields are data, kept exact (a client escapes them); the snippet is HTML where only <mark> is markup.
        for result in response.get_json().get("results", []):
            if "snippet" in result:
                assert_escaped(result["snippet"].replace("<mark>", "").replace("</mark>", ""))
                assert "<" not in result["snippet"].replace("<mark>", "").replace("</mark>", "")
        return
    if response.mimetype == "text/csv":
        assert response.headers["Content-Disposition"].startswith("attachment")
        return  # CSV is data, not markup
    assert_escaped(body)


def test_script_in_a_document_page_is_escaped(hostile_client):
    doc_id = hostile_doc_id(hostile_client)
    response = hostile_client.get(f"/doc/{doc_id}?q=xssmarker")
    assert response.status_code == 200
    assert_escaped(response.get_data(as_text=True))
    raw = hostile_client.get(f"/doc/{doc_id}/raw")  # the file as read: plain text, never sniffed as HTML
    assert raw.mimetype == "text/plain"
    assert raw.headers["X-Content-Type-Options"] == "nosniff"
    data = hostile_client.get(f"/api/documents/{doc_id}").get_json()
    assert PAYLOAD in data["text"]  # JSON carries the text as data; a client must escape it


PARAMS = ("q", "org", "person", "lang", "sort", "page", "per_page", "year")


@pytest.mark.parametrize("name", PARAMS)
@pytest.mark.parametrize("path", ["/", "/api/search", "/api/export.json", "/doc/nope"])
def test_script_in_every_parameter_is_escaped(hostile_client, path, name):
    url = f"{path}?{urllib.parse.urlencode({name: PAYLOAD, 'q' if name != 'q' else 'org': 'ICESCO'})}"
    response = hostile_client.get(url)
    assert response.status_code in (200, 400, 404)
    if response.mimetype == "application/json":  # data, not markup: checked to be JSON, not sniffed
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.get_json()
        return
    assert_escaped(response.get_data(as_text=True))


def test_script_in_facet_chips_and_suggestion_is_escaped(hostile_client):
    url = "/?" + urllib.parse.urlencode([("q", PAYLOAD + " icesko"), ("org", PAYLOAD), ("person", PAYLOAD)])
    response = hostile_client.get(url)
    assert response.status_code == 200
    assert_escaped(response.get_data(as_text=True))


TRAVERSALS = [
    "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", "%2Fetc%2Fpasswd",
    "..\\..\\windows\\win.ini", "....//....//etc/passwd", "%252e%252e%252fetc%252fpasswd", "..", ".",
    "CURRENT", "../index/CURRENT", "gen-000001/meta.json", "%00", "x%00.txt",
]


@pytest.mark.parametrize("doc_id", TRAVERSALS)
@pytest.mark.parametrize("prefix", ["/doc/", "/api/documents/", "/doc/x/raw?id="])
def test_paths_outside_the_index_are_not_found(hostile_client, monkeypatch, prefix, doc_id):
    opened = []
    real_open = open

    def watching_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching_open)
    response = hostile_client.get(prefix + doc_id, follow_redirects=True)  # "//" is merged by a redirect
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "root:x:0" not in body and "fingerprint" not in body
    assert not [path for path in opened if "passwd" in path or "win.ini" in path]


MONSTERS = {
    "long": "ICESCO " * 1_430,  # about 10,000 characters
    "nested": "(" * 1_000 + "ICESCO" + ")" * 1_000,
    "unbalanced": "(" * 1_000 + "ICESCO",
    "star": "*",
    "prefix": "a*",
    "infix": "*a*",
    "wildcards": " ".join(f"*{c}*" for c in "abcdefghij"),
    "many_or": " OR ".join(f"word{i}" for i in range(1_000)),
    "fuzzy": " ".join(f"icesco~{i % 3 + 1}" for i in range(200)),
    "bad_fields": "nosuchfield:x title:ICESCO date:[2024 TO] year:abc lang: person:\"",
    "ranges": " ".join(f"date:[{1900 + i} TO {2000 + i}]" for i in range(100)),
    "quotes": '"' * 999,
    "control": "\x00\x01\x02 ICESCO \u202e\ufeff",
}


@pytest.mark.parametrize("name", sorted(MONSTERS))
@pytest.mark.parametrize("path", ["/api/search", "/"])
def test_monstrous_queries_answer_quickly_without_error(hostile_client, path, name):
    started = time.monotonic()
    response = hostile_client.get(path + "?" + urllib.parse.urlencode({"q": MONSTERS[name]}))
    elapsed = time.monotonic() - started
    assert response.status_code in (200, 400)
    if response.status_code == 400 and path.startswith("/api"):
        assert response.get_json()["error"]
    assert elapsed < 6, f"{name} took {elapsed:.1f}s"


def test_a_query_string_of_10000_characters_is_read(hostile_client):
    data = hostile_client.get("/api/search?" + urllib.parse.urlencode({"q": "x" * 10_000})).get_json()
    assert data["total"] == 0


@pytest.mark.parametrize("query", ["page=abc", "per_page=0", "per_page=101", "sort=rank", "year=20x4", "page=-1",
                                   "page=99999999999999999999999"])
def test_bad_parameters_get_400_saying_what_is_allowed(hostile_client, query):
    response = hostile_client.get("/api/search?" + query)
    assert response.status_code == 400
    assert "must" in response.get_json()["error"]
