"""A file whose extraction stalls or swells is stopped; the rest of the reindex goes on.

The stalls are injected into the real extraction (a step that never returns, or allocates without
end, for one marked file), as a reader or an extractor would on a hostile file; the workers that
run them are real forked processes, killed and replaced by the real supervisor.
"""
from __future__ import annotations

import time

import pytest

from search.index import store
from search.index.indexer import reindex
from search.index.workers import Budget, supervised_map
from search.ingest import extract
from search.query.results import SearchRequest
from search.query.service import SearchService

MARK = "zzstallzz"


def _stall_on_mark(original):
    def stalling(text, *args, **kwargs):
        if MARK in text:
            while True:  # a step that never returns
                time.sleep(0.05)
        return original(text, *args, **kwargs)
    return stalling


def _swell_on_mark(original):
    def swelling(text, *args, **kwargs):
        if MARK in text:
            hoard = []
            while True:  # a step that allocates without end
                hoard.append(bytearray(64 * 2**20))
        return original(text, *args, **kwargs)
    return swelling


def _hang_reader(original):
    def hanging(data, path):
        if MARK.encode() in data:
            while True:
                time.sleep(0.05)
        return original(data, path)
    return hanging


def _marked(docs_dir):
    (docs_dir / "hostile.txt").write_text(
        f"Le ministre reçoit le directeur général de l'ICESCO à Rabat\n\nRabat, 3 mars 2024. {MARK} Le ministre "
        "de l'Éducation a reçu le directeur général de l'ICESCO pour parler de coopération.", encoding="utf-8")


def _summary_without(docs_dir, index_dir, budget):
    """The reindex's summary, and how much longer it took than the same reindex without the
    marked file (measured just before, so a busy machine slows both)."""
    hostile = docs_dir / "hostile.txt"
    kept = hostile.read_bytes()
    hostile.unlink()
    started = time.monotonic()
    reindex(docs_dir, index_dir.with_name(index_dir.name + "-clean"), budget=budget)
    clean = time.monotonic() - started
    hostile.write_bytes(kept)
    started = time.monotonic()
    summary = reindex(docs_dir, index_dir, budget=budget)
    return summary, time.monotonic() - started - clean


def test_an_extraction_past_its_time_is_stopped_and_the_file_indexed_without_entities(docs_dir, tmp_path, monkeypatch):
    _marked(docs_dir)
    monkeypatch.setattr(extract, "extract_entities", _stall_on_mark(extract.extract_entities))
    summary, extra = _summary_without(docs_dir, tmp_path / "index", Budget(seconds=2.0))
    assert extra < 2 * 2.0 + 10  # two attempts of 2 s (with entities, then without), and new workers
    assert summary.added == 6 and not summary.skipped
    assert any("hostile.txt was indexed without its people and organisations: its extraction ran past 2 s "
               "(EXTRACT_TIME_LIMIT)" in note for note in summary.notes)
    results = SearchService(tmp_path / "index").search(SearchRequest(q=MARK))
    assert [hit.source for hit in results.hits] == ["hostile.txt"] and results.hits[0].organisations == []
    assert results.hits[0].date == "2024-03-03"


def test_a_reader_that_never_returns_costs_its_file_only(docs_dir, tmp_path, monkeypatch):
    _marked(docs_dir)
    monkeypatch.setattr(extract, "read_raw", _hang_reader(extract.read_raw))
    summary, extra = _summary_without(docs_dir, tmp_path / "index", Budget(seconds=2.0))
    assert extra < 2 * 2.0 + 10
    assert summary.added == 5
    assert {s.source: s.reason for s in summary.skipped} == {
        "hostile.txt": "its extraction ran past 2 s (EXTRACT_TIME_LIMIT), even without entity extraction"}


def test_an_extraction_past_its_memory_is_stopped(docs_dir, tmp_path, monkeypatch):
    _marked(docs_dir)
    monkeypatch.setattr(extract, "extract_entities", _swell_on_mark(extract.extract_entities))
    summary, _extra = _summary_without(docs_dir, tmp_path / "index", Budget(seconds=60.0, memory_mb=256))
    assert summary.added == 6 and not summary.skipped
    assert any("hostile.txt was indexed without its people and organisations: its extraction needed more memory "
               "than EXTRACT_MEMORY_LIMIT allows" in note for note in summary.notes)


def test_a_failed_file_leaves_the_previous_index_serving_the_rest(docs_dir, index_dir, monkeypatch):
    before = store.current_generation(index_dir)
    documents = SearchService(index_dir).stats()["documents"]
    _marked(docs_dir)
    monkeypatch.setattr(extract, "read_raw", _hang_reader(extract.read_raw))
    summary = reindex(docs_dir, index_dir, budget=Budget(seconds=1.0))
    assert summary.added == 0 and [s.source for s in summary.skipped] == ["hostile.txt"]
    assert store.current_generation(index_dir) != before  # a new generation, serving the five seeds as before
    assert SearchService(index_dir).stats()["documents"] == documents


def _square(n):
    if n == 3:
        time.sleep(60)
    if n == 5:
        raise ValueError("five")
    return n * n


@pytest.mark.parametrize("procs", [1, 2])
def test_supervised_map_keeps_order_and_answers_every_item(procs):
    started = time.monotonic()
    out = list(supervised_map(_square, range(8), lambda n, why: f"{n}: {why}", Budget(seconds=1.0), procs=procs, window=3))
    assert out == [0, 1, 4, "3: ran past 1 s (EXTRACT_TIME_LIMIT)", 16, "5: raised ValueError: five", 36, 49]
    assert time.monotonic() - started < 15
