"""The project's own search tasks (name variants, unaccented French, Arabic) and the split over
pages of sites seen once."""
from __future__ import annotations

import pytest

from conftest import SHARED
from search.evaluate import PROJECT_TASKS
from search.evaluation.relevance import evaluate_relevance, load_queries
from search.evaluation.sites import single_site_files, single_site_relevance


def test_the_project_tasks_judge_files_of_the_shared_corpus():
    tasks = load_queries(PROJECT_TASKS)
    assert {t.type for t in tasks} == {"variant", "arabic"}
    if (SHARED / "corpus").is_dir():
        assert all((SHARED / "corpus" / f).is_file() for t in tasks for f in t.rel)


def test_sites_seen_once_are_read_from_the_sources_table(tmp_path):
    table = tmp_path / "sources.tsv"
    table.write_text("file\tsite\na.txt\tone.org\nb.txt\ttwo.org\nc.txt\ttwo.org\n", encoding="utf-8")
    assert single_site_files(table) == {"a.txt"}


@pytest.mark.skipif(not (SHARED / "eval" / "sources.tsv").is_file(), reason="no ../shared evaluation data")
def test_variant_and_arabic_targets_on_the_shared_corpus():
    result = evaluate_relevance(SHARED / "corpus", PROJECT_TASKS)
    engine, fts5 = result["by_type"]["engine"], result["by_type"]["fts5"]
    assert engine["variant"]["ndcg@10"] >= 0.90
    for kind in ("variant", "arabic"):
        assert engine[kind]["ndcg@10"] >= fts5[kind]["ndcg@10"], kind
    split = single_site_relevance(result, SHARED / "eval" / "sources.tsv")
    assert split["by_type"]["engine"]["overall"]["ndcg@10"] >= split["by_type"]["fts5"]["overall"]["ndcg@10"]
