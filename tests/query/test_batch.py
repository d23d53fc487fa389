"""Batch search: each line counts what its own search counts; a bad line gets its own error."""
from __future__ import annotations

import pytest

from search.query import batch
from search.query.batch import BatchError, read_lines, run_batch
from search.query.results import SearchRequest
from search.query.service import SearchService

from conftest import sample_service

LINES = ["ICESCO", "AICTO", "patrimoine numérique", "org:ALECSO", '"Executive Council"', "*", "zzzqqxnothing"]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    return sample_service(tmp_path_factory)


@pytest.mark.parametrize("fold, shared", [(False, True), (True, True), (False, False)])
def test_each_line_counts_what_its_search_counts(service, fold, shared, monkeypatch):
    if not shared:  # a fresh scorer for every line, as when the archive is large
        monkeypatch.setattr("search.query.service.BATCH_SCORER_DOCUMENTS", 1)
    answer = run_batch(service, LINES, SearchRequest(fold=fold))
    assert [line.query for line in answer.lines] == LINES
    for line in answer.lines:
        search = service.search(SearchRequest(q=line.query, per_page=1, fold=fold))
        assert line.error is None, (line.query, line.error)
        assert line.total == search.total, line.query
        assert [(fv.value, fv.count) for fv in line.year] == [(fv.value, fv.count) for fv in search.facets["year"]]
        top = [(fv.value, fv.count) for fv in search.facets["org"]][:batch.TOP_ORGS]
        assert [(fv.value, fv.count) for fv in line.org] == top, line.query
    assert answer.lines[0].total > 0 and answer.lines[-1].total == 0


def test_filters_apply_to_every_line_and_to_its_counts(service):
    everything = service.search(SearchRequest(q="", per_page=1))
    year = max(everything.facets["year"], key=lambda fv: fv.count).value
    answer = run_batch(service, ["ICESCO", "AICTO"], SearchRequest(year=[year], lang=["en"]))
    for line in answer.lines:
        search = service.search(SearchRequest(q=line.query, year=[year], lang=["en"], per_page=1))
        assert line.total == search.total
        assert [fv.value for fv in line.year] in ([year], [])
        assert sum(fv.count for fv in line.year) == line.total
    assert answer.years == [year]


def test_a_line_that_cannot_be_read_gets_its_own_error_and_the_others_are_answered(service):
    queries = ["ICESCO", "", "   ", 42, None, "!!!", "10:30 ICESCO", "AICTO"]
    lines = run_batch(service, queries).lines
    errors = [line.error for line in lines]
    assert errors[0] is None and errors[-1] is None
    assert errors[1] == errors[2] == batch.EMPTY_LINE
    assert errors[3] == errors[4] == batch.NOT_TEXT
    assert errors[5] == batch.NO_WORDS
    assert all(line.total is None for line in lines[1:6])
    # "10:30" is no field: the line is searched as plain words, as the search page does, and says so.
    assert errors[6] == batch.UNREADABLE
    assert lines[6].total == service.search(SearchRequest(q="10:30 ICESCO")).total
    assert lines[0].total > 0 and lines[-1].total > 0


def test_notices_of_a_line_are_kept(service):
    line = run_batch(service, ["nofield:ICESCO"]).lines[0]
    assert line.error is None and line.total > 0
    assert any("nofield:" in notice for notice in line.notices)


def test_lines_past_the_time_budget_answer_an_error_not_a_count(service):
    lines = run_batch(service, ["ICESCO", "AICTO"], time_budget=0).lines
    assert all(line.total is None and line.error.startswith("Not searched") for line in lines)


def test_a_batch_of_more_than_a_thousand_lines_is_refused(service):
    with pytest.raises(BatchError, match="at most 1,000 queries, not 1,001"):
        run_batch(service, ["ICESCO"] * 1001)
    assert len(run_batch(service, ["ICESCO"] * 1000).lines) == 1000


def test_without_an_index_every_line_says_so(tmp_path):
    lines = run_batch(SearchService(tmp_path / "none"), ["ICESCO", ""]).lines
    assert [line.error for line in lines] == [batch.NO_INDEX, batch.EMPTY_LINE]


@pytest.mark.parametrize("data, expected", [
    ("ICESCO\n\n  AICTO  \r\nperson:AlMalik\n", ["ICESCO", "AICTO", "person:AlMalik"]),
    ("\ufeffpatrimoine\r\ncoopération\r\n", ["patrimoine", "coopération"]),
    ("coopération\néducation\n".encode("utf-8-sig"), ["coopération", "éducation"]),
    ("coopération\néducation\n".encode("cp1252"), ["coopération", "éducation"]),
    ("   \n\n", []),
])
def test_a_pasted_or_uploaded_list_is_one_query_a_line(data, expected):
    assert read_lines(data) == expected


def test_a_binary_file_is_refused_with_a_reason():
    with pytest.raises(BatchError, match="could not be read as text"):
        read_lines(b"\x00\x01\x02PK\x03\x04" * 200)
