"""Copies, containment and translations between documents, kept right by incremental reindexes."""
from __future__ import annotations

import shutil
from pathlib import Path

from search import store
from search.indexer import reindex
from search.relations import copy_groups, load_relations
from search.service import SearchService

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FR, EN, LISTING = "000_f63f00728d386dc6.txt", "001_2b910b306ed54871.txt", "003_19f07d10ece0ff41.txt"


def relations_of(index_dir: Path) -> dict[str, dict[str, str]]:
    found = load_relations(store.current_generation(index_dir))
    return {doc: {link["id"]: link["relation"] for link in links} for doc, links in found.items()}


def copy_seeds(target: Path) -> Path:
    shutil.copytree(SEEDS, target)
    return target


def test_seed_translations_and_wire_copy_are_linked(tmp_path):
    reindex(SEEDS, tmp_path / "index")
    links = relations_of(tmp_path / "index")
    assert links[FR][EN] == "translation" and links[EN][FR] == "translation"
    assert links[EN][f"{LISTING}-2"] == "duplicate"
    assert LISTING not in links  # the ALECSO article of the page has no copy


def test_unrelated_articles_have_no_relations(tmp_path):
    reindex(SEEDS, tmp_path / "index")
    links = relations_of(tmp_path / "index")
    assert "002_5aa7868815be7374.txt" not in links and "004_c732ec44fd574afc.txt" not in links


def test_incremental_reindex_drops_and_restores_a_relation(tmp_path):
    docs = copy_seeds(tmp_path / "docs")
    index = tmp_path / "index"
    reindex(docs, index)
    original = (docs / EN).read_bytes()
    (docs / EN).write_text("A short note about an unrelated meeting on water resources in 2019.\n", encoding="utf-8")
    reindex(docs, index)
    links = relations_of(index)
    assert EN not in links.get(FR, {}) and EN not in links.get(f"{LISTING}-2", {})
    assert links[FR][f"{LISTING}-2"] == "translation"  # the unchanged pair stays linked
    (docs / EN).write_bytes(original)
    summary = reindex(docs, index)
    assert summary.updated == 1 and summary.unchanged == 4
    assert relations_of(index)[FR][EN] == "translation"


def test_removed_file_leaves_no_dangling_relation(tmp_path):
    docs = copy_seeds(tmp_path / "docs")
    reindex(docs, tmp_path / "index")
    (docs / EN).unlink()
    reindex(docs, tmp_path / "index")
    links = relations_of(tmp_path / "index")
    assert all(EN not in targets for targets in links.values()) and EN not in links


def test_copy_groups_join_chains_of_duplicates():
    relations = {"a": [{"id": "b", "relation": "duplicate"}], "b": [{"id": "c", "relation": "duplicate"}],
                 "d": [{"id": "a", "relation": "translation"}]}
    assert copy_groups(relations)["c"] == ["a", "b", "c"]
    assert "d" not in copy_groups(relations)


def test_document_lists_its_related_documents(tmp_path):
    reindex(SEEDS, tmp_path / "index")
    view = SearchService(tmp_path / "index").document(EN)
    assert {"id": FR, "relation": "translation"} in view.related
    assert {"id": f"{LISTING}-2", "relation": "duplicate"} in view.related
