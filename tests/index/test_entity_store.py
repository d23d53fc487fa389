"""The entity store a reindex writes beside the facet tables: per file, aggregated, carried over."""
from __future__ import annotations

import json

from search.index import store
from search.index.entity_store import DOCS_NAME, STORE_NAME, load_entity_docs, load_entity_store
from search.index.indexer import reindex


def _store(index_dir):
    return load_entity_store(store.current_generation(index_dir))


def test_reindex_writes_variants_roles_and_meetings_per_entity(docs_dir, index_dir):
    data = _store(index_dir)
    malik = data["person"]["Salim M. AlMalik"]
    assert malik["key"] == "slm--mlk"
    assert {"form": "Salem Ben Mohammed Al-Malik", "count": 1} in malik["variants"]
    assert malik["roles"] and all(r["count"] >= 1 for r in malik["roles"])
    meetings = [data["meetings"][i] for i in malik["meetings"]]
    harbi = [m for m in meetings if ["person", "Saud Al-Harbi"] in m["participants"]]
    assert len(harbi) == 1 and harbi[0]["date"] == "2024-07-26" and harbi[0]["document"].startswith("003")
    assert data["org"]["ICESCO"]["variants"]


def test_an_incremental_reindex_keeps_unchanged_files_records_and_drops_removed_ones(docs_dir, index_dir):
    before = _store(index_dir)
    meeting_003 = next(m for m in before["meetings"] if m["document"].startswith("003"))
    other = next(p for p in sorted(docs_dir.glob("*.txt")) if not p.name.startswith("003"))
    other.write_text(other.read_text(encoding="utf-8") + "\n\nDr. Kamal Benali received Dr. Saud Al-Harbi in Rabat.\n",
                     encoding="utf-8")
    summary = reindex(docs_dir, index_dir)
    assert summary.updated == 1 and summary.unchanged == len(list(docs_dir.glob("*.txt"))) - 1
    after = _store(index_dir)
    assert meeting_003 in after["meetings"], "the unchanged file's meeting is carried over"
    records = load_entity_docs(store.current_generation(index_dir))
    assert set(records) == {p.name for p in docs_dir.glob("*.txt")}
    assert (store.current_generation(index_dir) / DOCS_NAME).is_file()
    (docs_dir / meeting_003["document"].split("_")[0]).with_name(meeting_003["document"]).unlink()
    reindex(docs_dir, index_dir)
    assert not any(m["document"].startswith("003") for m in _store(index_dir)["meetings"])
    assert (store.current_generation(index_dir) / STORE_NAME).is_file()


def test_records_of_a_generation_built_before_json_lines_are_carried_over(docs_dir, index_dir):
    """A generation written with the records in one JSON object (entity_docs.json) is read as the
    base of the next reindex, which writes them as JSON lines, equal, and drops the old file."""
    from search.index.entity_store import OLD_DOCS_NAME

    live = store.current_generation(index_dir)
    records = dict(load_entity_docs(live).items())
    (live / OLD_DOCS_NAME).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    (live / DOCS_NAME).unlink()
    aggregated = _store(index_dir)
    other = sorted(docs_dir.glob("*.txt"))[-1]
    other.write_text(other.read_text(encoding="utf-8") + "\n\nA closing line.\n", encoding="utf-8")
    reindex(docs_dir, index_dir)
    new = store.current_generation(index_dir)
    assert new != live and (new / DOCS_NAME).is_file() and not (new / OLD_DOCS_NAME).exists()
    assert dict(load_entity_docs(new).items()) == records
    assert _store(index_dir) == aggregated
