"""Incremental, atomic reindexing: exactly what changed is added, updated or removed."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from search.index import extraction, indexer, scanning
from search.index import store
from search.index.indexer import ReindexError, reindex
from search.query.service import SearchRequest, SearchService
from conftest import SEEDS


ARTICLE = "Quarterly bulletin\n\nThe {word} committee of ICESCO met in Rabat on 3 March 2023 to review {word} programmes.\n"


def write_article(path: Path, word: str) -> None:
    path.write_text(ARTICLE.format(word=word), encoding="utf-8")


def total(index_dir: Path, q: str) -> int:
    """Hits for q through a fresh service, as a new worker would see them."""
    return SearchService(index_dir).search(SearchRequest(q=q)).total


def sources(index_dir: Path) -> set[str]:
    results = SearchService(index_dir).search(SearchRequest(per_page=100))
    return {hit.source for hit in results.hits}


def test_adding_editing_and_deleting_files_changes_exactly_those_documents(docs_dir, index_dir):
    before = sources(index_dir)
    write_article(docs_dir / "new.txt", "zanzibarite")
    (docs_dir / "001_2b910b306ed54871.txt").write_text(ARTICLE.format(word="quokkaphile"), encoding="utf-8")
    (docs_dir / "004_c732ec44fd574afc.txt").unlink()

    summary = reindex(docs_dir, index_dir)

    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (1, 1, 1, 3)
    assert summary.line().startswith("added 1, updated 1, removed 1, unchanged 3, skipped 0")
    assert sources(index_dir) == before - {"004_c732ec44fd574afc.txt"} | {"new.txt"}
    assert total(index_dir, "zanzibarite") == 1
    assert total(index_dir, "quokkaphile") == 1
    assert total(index_dir, "Azerbaïdjan") == 0


def test_nothing_changed_keeps_the_live_generation(docs_dir, index_dir):
    live = store.current_generation(index_dir)
    summary = reindex(docs_dir, index_dir)
    assert summary.line() == "added 0, updated 0, removed 0, unchanged 5, skipped 0"
    assert store.current_generation(index_dir) == live


def test_a_touched_file_is_unchanged_and_its_new_mtime_is_remembered(docs_dir, index_dir, monkeypatch):
    path = docs_dir / "000_f63f00728d386dc6.txt"
    os.utime(path, ns=(10**18, 10**18))
    assert reindex(docs_dir, index_dir).unchanged == 5
    live = store.current_generation(index_dir)
    assert scanning.FilesTable.load(live, store.read_meta(live))[path.name]["mtime_ns"] == 10**18
    hashed = []
    monkeypatch.setattr(scanning, "content_hash", lambda data: hashed.append(data) or "x")
    reindex(docs_dir, index_dir)
    assert hashed == []  # size and mtime match: the file is not read again


def test_the_file_table_is_kept_beside_meta_json_and_one_kept_inside_it_is_still_read(docs_dir, index_dir, monkeypatch):
    live = store.current_generation(index_dir)
    meta = store.read_meta(live)
    table = scanning.FilesTable.load(live, meta)
    assert "files" not in meta and set(table) == {p.name for p in docs_dir.glob("*.txt")}
    # A generation written before: its table inside meta.json, no files.json.
    store.write_meta(live, {**meta, "files": dict(table.items())})
    (live / scanning.FILES_NAME).unlink()
    hashed = []
    monkeypatch.setattr(scanning, "content_hash", lambda data: hashed.append(data) or "x")
    summary = reindex(docs_dir, index_dir)
    assert summary.unchanged == 5 and hashed == []
    assert store.current_generation(index_dir) == live


def test_an_unreadable_file_table_makes_the_reindex_a_full_one(docs_dir, index_dir):
    before = total(index_dir, "ICESCO")
    live = store.current_generation(index_dir)
    (live / scanning.FILES_NAME).write_text("{not json", encoding="utf-8")
    summary = reindex(docs_dir, index_dir)
    assert (summary.added, summary.updated, summary.unchanged) == (5, 0, 0)
    assert total(index_dir, "ICESCO") == before  # every document once, none twice


def test_full_rebuilds_every_document(docs_dir, index_dir):
    before = total(index_dir, "ICESCO")
    summary = reindex(docs_dir, index_dir, full=True)
    assert (summary.added, summary.updated, summary.unchanged) == (5, 0, 0)
    assert summary.documents == total(index_dir, "") >= 5  # a file may hold several articles
    assert total(index_dir, "ICESCO") == before


def test_a_reader_of_the_previous_generation_keeps_its_results(docs_dir, index_dir):
    service = SearchService(index_dir)
    generation = service._current()  # what a running worker holds open
    before = generation.engine.searcher.doc_count()
    for name in ("000_f63f00728d386dc6.txt", "002_5aa7868815be7374.txt"):
        (docs_dir / name).unlink()
        reindex(docs_dir, index_dir)  # the second publish deletes the first generation from disk
    assert not (index_dir / "gen-000001").exists()
    assert generation.engine.searcher.doc_count() == before
    assert len(list(generation.engine.searcher.documents())) == before
    assert service.search(SearchRequest()).total == before - 2  # the service follows CURRENT


def test_old_generations_are_cleaned_up(docs_dir, index_dir):
    for word in ("alpha", "beta", "gamma"):
        write_article(docs_dir / "new.txt", word)
        reindex(docs_dir, index_dir)
    gens = sorted(p.name for p in index_dir.glob("gen-*"))
    assert gens == ["gen-000003", "gen-000004"]
    assert store.current_generation(index_dir).name == "gen-000004"


def test_a_file_that_becomes_unreadable_keeps_its_documents(docs_dir, index_dir, monkeypatch):
    path = docs_dir / "003_19f07d10ece0ff41.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nedited\n", encoding="utf-8")
    real = Path.read_bytes

    def denied(self):
        if self.name == path.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    summary = reindex(docs_dir, index_dir)
    assert summary.removed == 0
    assert [(s.source, s.reason) for s in summary.skipped] == [(path.name, "cannot read: Permission denied")]
    assert "003_19f07d10ece0ff41.txt" in sources(index_dir)


def test_a_file_replaced_by_a_pipe_keeps_its_documents(docs_dir, index_dir):
    path = docs_dir / "003_19f07d10ece0ff41.txt"
    path.unlink()
    os.mkfifo(path)
    summary = reindex(docs_dir, index_dir)
    assert summary.skipped[0].reason.startswith("not a regular file")
    assert summary.removed == 0
    assert "003_19f07d10ece0ff41.txt" in sources(index_dir)


def test_a_file_emptied_loses_its_documents_and_says_why(docs_dir, index_dir):
    (docs_dir / "003_19f07d10ece0ff41.txt").write_bytes(b"")
    summary = reindex(docs_dir, index_dir)
    assert summary.removed == 1
    assert [s.reason for s in summary.skipped] == ["empty file (no text)"]
    assert "003_19f07d10ece0ff41.txt" not in sources(index_dir)
    assert "003_19f07d10ece0ff41.txt" in store.read_meta(store.current_generation(index_dir))["skipped"]


def test_a_file_deleted_between_listing_and_reading(docs_dir, index_dir, monkeypatch):
    """The listing stats each file once: a new file deleted after it is reported when it is read;
    an unchanged file deleted after it keeps its documents until the next reindex removes them."""
    write_article(docs_dir / "brand-new.txt", "ephemeral")
    real = indexer.list_files

    def list_then_delete(*args):
        found = real(*args)
        (docs_dir / "brand-new.txt").unlink()
        (docs_dir / "002_5aa7868815be7374.txt").unlink()
        return found

    monkeypatch.setattr(indexer, "list_files", list_then_delete)
    summary = reindex(docs_dir, index_dir)
    assert summary.removed == 0 and summary.unchanged == 5
    assert {s.source: s.reason for s in summary.skipped} == {"brand-new.txt": "deleted while the reindex ran"}
    monkeypatch.undo()
    summary = reindex(docs_dir, index_dir)
    assert summary.removed == 1 and summary.skipped == []
    assert sources(index_dir) == {"000_f63f00728d386dc6.txt", "001_2b910b306ed54871.txt",
                                  "003_19f07d10ece0ff41.txt", "004_c732ec44fd574afc.txt"}


def test_a_file_changed_after_the_scan_is_indexed_as_read(docs_dir, index_dir, monkeypatch):
    path = docs_dir / "new.txt"
    write_article(path, "firstversion")
    real = extraction.read_once  # the one reading of each changed file (search/index/spool.py)

    def edit_then_read(file):
        write_article(path, "secondversion")
        return real(file)

    monkeypatch.setattr(extraction, "read_once", edit_then_read)
    reindex(docs_dir, index_dir)
    monkeypatch.undo()
    assert total(index_dir, "secondversion") == 1
    assert reindex(docs_dir, index_dir).unchanged == 6  # meta recorded the hash of what was indexed


def test_nothing_indexable_is_refused_and_the_previous_index_serves(docs_dir, index_dir):
    before = total(index_dir, "ICESCO")
    for path in docs_dir.iterdir():
        path.write_bytes(b"   \n")
    with pytest.raises(ReindexError, match="No document could be indexed.*previous index is still serving"):
        reindex(docs_dir, index_dir)
    assert total(index_dir, "ICESCO") == before
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001"]


def test_an_empty_folder_builds_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReindexError, match="add .txt files"):
        reindex(tmp_path / "empty", tmp_path / "index")
    assert store.current_generation(tmp_path / "index") is None


def test_a_missing_documents_folder_says_what_to_set(tmp_path):
    with pytest.raises(FileNotFoundError, match="set DOCS_DIR"):
        reindex(tmp_path / "nope", tmp_path / "index")


def test_progress_reports_each_stage(docs_dir, tmp_path):
    stages = []
    reindex(docs_dir, tmp_path / "index", progress=lambda stage, done, total: stages.append((stage, done, total)))
    assert ("scanning", 5, 5) in stages
    assert [s for s in stages if s[0] == "indexing"] == [("indexing", i, 5) for i in range(1, 6)]
    assert stages[-2:] == [("committing", 5, 5), ("switching", 1, 1)]


def test_a_second_reindex_is_refused_while_the_lock_is_held(docs_dir, index_dir):
    with store.ReindexLock(index_dir):
        with pytest.raises(store.IndexLockedError, match=rf"Another reindex is running on .* \(pid {os.getpid()}\)"):
            reindex(docs_dir, index_dir)
    assert reindex(docs_dir, index_dir).unchanged == 5


def test_extraction_in_worker_processes_gives_the_same_index(tmp_path, docs_dir, monkeypatch):
    """Large reindexes extract in a process pool; what they index must not depend on it."""
    from search.index.relations import load_relations

    def snapshot(index_dir):
        service = SearchService(index_dir)
        ids = sorted(hit.id for hit in service.search(SearchRequest(per_page=100)).hits)
        return {doc_id: service.document(doc_id, similar=0).fields for doc_id in ids}, load_relations(
            store.current_generation(index_dir))

    reindex(docs_dir, tmp_path / "serial")
    monkeypatch.setattr(extraction, "POOL_MIN_FILES", 2)
    reindex(docs_dir, tmp_path / "pooled")
    serial, pooled = snapshot(tmp_path / "serial"), snapshot(tmp_path / "pooled")
    assert len(serial[0]) == 6 and serial == pooled


def test_postings_analysed_ahead_equal_the_writers_own(tmp_path):
    """Extraction workers analyse text fields into postings; the index is the one Whoosh would build."""
    from whoosh import index as whoosh_index

    from search.ingest.documents import content_hash
    from search.ingest.extract import ExtractionContext, extract_documents
    from search.index.schema import analysed, build_schema, document_fields

    docs = []
    for path in sorted(SEEDS.glob("*.txt")):
        data = path.read_bytes()
        docs += extract_documents(path.name, path, data, ExtractionContext(), content_hash(data))
    readers = []
    for name, prepare in (("plain", lambda f, s: f), ("ahead", analysed)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(tmp_path / name, build_schema())
        writer = ix.writer()
        schema = build_schema()
        for doc in docs:
            writer.add_document(**prepare(document_fields(doc), schema))
        writer.commit()
        readers.append(ix.reader())
    plain, ahead = readers
    terms = list(plain.all_terms())
    assert terms == list(ahead.all_terms()) and terms
    for fieldname, text in terms:
        if fieldname in ("text_en", "person_names", "spell"):
            a, b = plain.postings(fieldname, text), ahead.postings(fieldname, text)
            assert list(a.items_as("positions") if a.supports("positions") else a.all_ids()) == \
                list(b.items_as("positions") if b.supports("positions") else b.all_ids())
    for docnum in range(plain.doc_count_all()):
        assert plain.stored_fields(docnum) == ahead.stored_fields(docnum)
        assert plain.doc_field_length(docnum, "text_en") == ahead.doc_field_length(docnum, "text_en")


def test_facet_tables_saved_by_the_indexer_equal_those_read_from_the_index(tmp_path):
    from whoosh import index as whoosh_index

    from search.index.facets import TABLES_NAME, build_facet_tables, load_facet_tables, read_datenum
    from search.index.whoosh.engine import WhooshView
    from search.index.whoosh.postings import IndexArrays
    from search.index.schema import build_schema

    docs = tmp_path / "docs"
    docs.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        (docs / path.name).write_bytes(path.read_bytes())
    reindex(docs, tmp_path / "index")
    (docs / sorted(SEEDS.glob("*.txt"))[0].name).unlink()  # an incremental generation, with a deletion
    reindex(docs, tmp_path / "index")
    live_dir = store.current_generation(tmp_path / "index")
    tables, live, datenum = load_facet_tables(live_dir)
    with whoosh_index.open_dir(live_dir, schema=build_schema()).searcher() as searcher:
        built, built_live = build_facet_tables(WhooshView(searcher, IndexArrays(searcher.doc_count_all())))
        assert (live == built_live).all() and not live.all()
        assert (datenum == read_datenum(WhooshView(searcher, IndexArrays(len(live))))).all()
    for name, table in built.items():
        assert tables[name].values == table.values
        assert (tables[name].doc_rows == table.doc_rows).all() and (tables[name].value_rows == table.value_rows).all()
    (live_dir / TABLES_NAME).unlink()  # a generation written before: the service reads the index
    service = SearchService(tmp_path / "index")
    assert service.search(SearchRequest(org=["AICTO"])).total >= 1


def test_facet_values_order_by_count_then_name_case_aside():
    """Values are listed by count, then by name with case aside (values alike but for case in the
    table's order), selected ones always, those the table lacks with 0; years chronologically."""
    import random

    import numpy as np

    from search.index.facets import FacetTable, facet_values

    rng = random.Random(7)
    names = sorted({rng.choice(["ali", "Ali", "ALI", "Ben", "ben", "Zed", "éva", "Éva", "omar", "Omar"]) + str(rng.randint(0, 3))
                    for _ in range(60)})
    table = FacetTable(names, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32))
    for _ in range(50):
        counts = np.asarray([rng.choice([0, 0, 1, 2, 3]) for _ in names])
        selected = rng.sample(names, 2) + (["absent"] if rng.random() < 0.3 else [])
        expected = sorted([(v, int(c), v in selected) for v, c in zip(names, counts) if c > 0 or v in selected]
                          + [(v, 0, True) for v in selected if v not in names], key=lambda t: (-t[1], t[0].lower()))
        got = [(fv.value, fv.count, fv.selected) for fv in facet_values(table, counts, selected, "person")]
        assert got == expected
    years = FacetTable(["1999", "2005", "2024"], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32))
    got = facet_values(years, np.asarray([3, 0, 5]), ["2005", "2030"], "year")
    assert [(fv.value, fv.count) for fv in got] == [("1999", 3), ("2005", 0), ("2024", 5), ("2030", 0)]


def test_incremental_reindexes_keep_few_segments_and_the_same_answers(docs_dir, index_dir, tmp_path, monkeypatch):
    """Each reindex merges the segments no larger than what it writes (search/index/indexer.py
    `_merge_in_tiers`): after ten of them the index holds a few segments, not eleven, and answers
    as a full rebuild of the same files does (Whoosh's MERGE_SMALL kept all eleven here). Every
    segment keeps its long lists (search/index/whoosh/longlists.py, here of terms in 3 documents or more), and
    those of segments merged away are gone."""
    from search.index.whoosh import longlists

    monkeypatch.setattr(longlists, "MIN_POSTINGS", 3)
    for i in range(60):
        write_article(docs_dir / f"base-{i}.txt", f"base{i}")
    reindex(docs_dir, index_dir)
    for batch in range(10):
        for i in range(10):
            write_article(docs_dir / f"added-{batch}-{i}.txt", f"okapi{batch}x{i}")
        reindex(docs_dir, index_dir)
    reader = SearchService(index_dir)._current().engine.searcher.reader()
    segments = [sub.doc_count_all() for sub, _offset in reader.leaf_readers()]
    assert len(segments) <= 3, segments
    live = store.current_generation(index_dir)
    assert sorted(path.name for path in live.glob("*" + longlists.SUFFIX)) == \
        sorted(longlists.file_name(sub.segment()) for sub, _offset in reader.leaf_readers())
    assert all(longlists.LongLists(live)._contents_of(sub.segment().segment_id()) for sub, _offset in reader.leaf_readers())
    rebuilt = tmp_path / "rebuilt"
    reindex(docs_dir, rebuilt, full=True)
    for q in ["ICESCO", "okapi3x4", "okapi9x9", "", "culture", "base7"]:
        live, full = SearchService(index_dir), SearchService(rebuilt)
        live_rows, live_total, _ = live.export(SearchRequest(q=q))
        full_rows, full_total, _ = full.export(SearchRequest(q=q))
        assert live_total == full_total and sorted(r["id"] for r in live_rows) == sorted(r["id"] for r in full_rows)
        assert live.search(SearchRequest(q=q)).facets == full.search(SearchRequest(q=q)).facets


def test_a_segment_whose_documents_are_all_deleted_is_dropped(docs_dir, index_dir):
    """Files added in one reindex and deleted in a later one leave no empty segment behind."""
    for i in range(30):
        write_article(docs_dir / f"staying-{i}.txt", f"staying{i}")
    reindex(docs_dir, index_dir)
    for i in range(12):
        write_article(docs_dir / f"passing-{i}.txt", f"passing{i}")
    reindex(docs_dir, index_dir)
    for i in range(12):
        (docs_dir / f"passing-{i}.txt").unlink()
    assert reindex(docs_dir, index_dir).removed == 12
    reader = SearchService(index_dir)._current().engine.searcher.reader()
    assert [sub.doc_count() for sub, _offset in reader.leaf_readers()] == [sub.doc_count_all() for sub, _offset in reader.leaf_readers()]
    assert total(index_dir, "passing3") == 0 and total(index_dir, "ICESCO") > 0


def test_segments_merged_are_read_as_whoosh_reads_them(docs_dir, index_dir):
    """The reader a merge uses yields every live posting of a segment, in order, as Whoosh's
    own iter_postings does (documents deleted in it left out)."""
    from whoosh.reading import SegmentReader

    from search.index.whoosh import merging

    for i in range(20):
        write_article(docs_dir / f"doc-{i}.txt", f"okapi{i}")
    reindex(docs_dir, index_dir)
    for i in range(5):
        write_article(docs_dir / f"doc-{i}.txt", f"changed{i}")  # their first versions are deleted
    reindex(docs_dir, index_dir)
    ix = SearchService(index_dir)._current().engine.index
    segments = ix._segments()
    assert any(segment.deleted_count() for segment in segments)
    for segment in segments:
        ours = merging._MergedReader(ix.storage, ix.schema, segment)
        whooshs = SegmentReader(ix.storage, ix.schema, segment)
        try:
            assert list(ours.iter_postings()) == list(whooshs.iter_postings())
        finally:
            ours.close()
            whooshs.close()
