"""Property-based fuzzing (seeded, bounded): the query path and the document loader never raise
anything but what they promise."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import SEEDS
from search.ingest.decoding import UndecodableError, decode_bytes
from search.ingest.extract import ExtractionContext, extract_documents
from search.ingest.formats import UnreadableFile
from search.index.indexer import reindex
from search.query.service import SearchRequest, SearchService
from webui import create_app

FUZZ = settings(max_examples=60, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SYNTAX = st.sampled_from(["(", ")", '"', "*", "?", "~", "^", ":", "[", "]", "{", "}", " AND ", " OR ", " NOT ",
                          "title:", "org:", "date:", "date:[2020 TO", "year:", "lang:", "-", "+", "\\", "/", "ICESCO",
                          "AlMalik", "coopération", "\x00", "\u202e", "é", "ﬁ", " TO ", "2024-05"])
QUERIES = st.one_of(st.text(max_size=200), st.lists(SYNTAX, max_size=30).map("".join))


@pytest.fixture(scope="module")
def fuzz_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(SEEDS, root / "docs")
    reindex(root / "docs", root / "index")
    return root


@FUZZ
@given(q=QUERIES, sort=st.sampled_from(["relevance", "date", "-date"]), page=st.integers(1, 3))
def test_the_service_answers_any_query(fuzz_index, q, sort, page):
    service = SearchService(fuzz_index / "index")
    results = service.search(SearchRequest(q=q, sort=sort, page=page))
    assert results.total >= 0
    for hit in results.hits:
        assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")


@FUZZ
@given(params=st.lists(st.tuples(st.sampled_from(["q", "org", "person", "year", "lang", "sort", "page", "per_page"]),
                                 QUERIES), max_size=6))
def test_the_api_answers_any_parameters_with_200_or_400(fuzz_index, params):
    app = create_app({"DOCS_DIR": str(fuzz_index / "docs"), "INDEX_DIR": str(fuzz_index / "index")})
    response = app.test_client().get("/api/search", query_string=params)
    assert response.status_code in (200, 400)
    data = response.get_json()
    assert ("error" in data) if response.status_code == 400 else ("results" in data)


BYTES = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda t: t.encode("utf-8")),
    st.text(max_size=300).map(lambda t: t.encode("utf-16")),
    st.text(alphabet=st.characters(max_codepoint=255), max_size=300).map(lambda t: t.encode("latin-1")),
)


@FUZZ
@given(data=BYTES)
def test_decoding_any_bytes_gives_text_or_says_why(data):
    try:
        text = decode_bytes(data)
    except UndecodableError:
        return
    assert isinstance(text, str)


@FUZZ
@given(data=BYTES, name=st.sampled_from(["a.txt", "b.TXT", "dir/c.txt"]))
def test_extracting_any_bytes_gives_documents_or_unreadable(data, name):
    try:
        docs = extract_documents(name, Path(name), data, ExtractionContext(), "hash")
    except UnreadableFile as exc:
        assert str(exc)
        return
    assert docs and all(doc.source == name and doc.id for doc in docs)
