"""The index built from ../shared/corpus holds the same documents, fields, terms, entities and
relations as the kept digest: speed work on the indexer must not change what it produces.

When extraction is meant to change, rebuild the digest and commit it with the change:
    python -m bench.reindex_once ../shared/corpus /tmp/corpus-index --full
    python -m search.index.whoosh.digest /tmp/corpus-index --out tests/data/corpus_index_digest.json
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from search.index import store
from search.index.indexer import reindex
from search.index.whoosh import engine as whoosh_engine
from search.index.whoosh.digest import differences, digest
from tests.conftest import SHARED

KEPT = Path(__file__).resolve().parent.parent / "data" / "corpus_index_digest.json"
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="module")
def corpus_digest(tmp_path_factory) -> dict:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent: the equivalence test needs the shared corpus beside the project")
    index = tmp_path_factory.mktemp("corpus-index")
    reindex(CORPUS, index, full=True)
    return digest(store.current_generation(index))


def test_full_build_matches_the_kept_digest(corpus_digest):
    kept = json.loads(KEPT.read_text(encoding="utf-8"))
    assert len(corpus_digest["documents"]) == len(kept["documents"])
    assert differences(kept, corpus_digest) == []


def test_a_writer_that_spills_to_runs_files_the_same_postings(tmp_path, monkeypatch, corpus_digest):
    """With a 1 MB writer budget the posting pool writes many runs and merges them
    (search/index/whoosh/fastwriter.py): the index is the same."""
    monkeypatch.setattr(whoosh_engine, "WRITER_LIMIT_MB", 1)
    reindex(CORPUS, tmp_path / "index", full=True)
    assert differences(corpus_digest, digest(store.current_generation(tmp_path / "index"))) == []


def test_files_taken_out_and_put_back_give_the_same_index(tmp_path, corpus_digest):
    """A quarter of the files taken out of the folder, then put back: they are extracted again on
    top of the previous generation, and the result matches the full build."""
    docs = tmp_path / "docs"
    shutil.copytree(CORPUS, docs)
    index = tmp_path / "index"
    reindex(docs, index, full=True)
    aside = tmp_path / "aside"
    moved = {}
    for i, path in enumerate(sorted(docs.rglob("*.txt"))[::4]):
        moved[path] = aside / str(i)
        moved[path].parent.mkdir(exist_ok=True)
        path.rename(moved[path])
    assert reindex(docs, index).removed == len(moved)
    for path, kept in moved.items():
        kept.rename(path)
    assert reindex(docs, index).added == len(moved)
    assert differences(corpus_digest, digest(store.current_generation(index))) == []
