"""Relevance: the metrics, the queries format, what real documents answer, and the targets on ../shared."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from search.evaluate import main as evaluate_main
from search.evaluation.relevance import evaluate_relevance, load_queries, ndcg, recall, reciprocal_rank
from search.index.indexer import reindex
from search.query.service import SearchRequest, SearchService
from conftest import SHARED


DOCUMENTS = {
    "fr/patrimoine.txt": (
        "L’ICESCO inscrit douze nouveaux sites sur la liste du patrimoine du monde islamique\n\n"
        "Rabat, 12 mars 2024. L’Organisation du monde islamique pour l’éducation, les sciences et la culture "
        "(ICESCO) a inscrit douze sites historiques sur ses listes du patrimoine, dont des monuments du Maroc "
        "et de l’Ouzbékistan, lors de la réunion de son comité du patrimoine."
    ),
    "fr/numerique.txt": (
        "Tunis accueille un atelier sur la cybersécurité\n\n"
        "Tunis, 5 mai 2023. L’Organisation Arabe des Technologies de l’Information et de la Communication a "
        "ouvert un atelier régional sur la cybersécurité et la protection des données, en présence du "
        "ministre tunisien des technologies de la communication."
    ),
    "fr/jeunesse.txt": (
        "Le Dr Salim AlMalik reçoit une délégation de jeunes ambassadeurs de la paix\n\n"
        "Rabat, 3 juin 2024. Le Directeur général de l’ICESCO, le Dr Salim AlMalik, a reçu les jeunes "
        "ambassadeurs de la paix et les a encouragés à promouvoir le dialogue et la formation au leadership."
    ),
    "en/heritage.txt": (
        "Heritage experts meet in Baku\n\n"
        "Baku, 2 April 2024. Experts on cultural heritage gathered in Baku to discuss the safeguarding of "
        "historic sites and museums across the Islamic world, at the invitation of the Ministry of Culture."
    ),
    "en/agreement.txt": (
        "ICESCO and Malaysia sign a cooperation agreement on higher education\n\n"
        "Kuala Lumpur, 9 October 2024. ICESCO and the Malaysian Ministry of Higher Education signed an "
        "agreement on scholarships and cooperation between universities, in the presence of Dr Salim AlMalik."
    ),
    "en/space.txt": (
        "Young scientists win the space science award\n\n"
        "Jeddah, 1 February 2023. Twelve young scientists received awards for research on satellites and "
        "space science, in a competition on science, technology, engineering and mathematics."
    ),
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, SearchService]:
    """Three French and three English articles, indexed with the real indexer."""
    root = tmp_path_factory.mktemp("archive")
    docs = root / "docs"
    for name, text in DOCUMENTS.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    reindex(docs, root / "index")
    return docs, SearchService(root / "index", docs_dir=docs)


def _sources(service: SearchService, q: str, **filters) -> list[str]:
    return [hit.source for hit in service.search(SearchRequest(q=q, **filters)).hits]


@pytest.mark.parametrize(
    "query, first",
    [
        ("patrimoine", "fr/patrimoine.txt"),
        ("cybersécurité", "fr/numerique.txt"),
        ("young scientists", "en/space.txt"),
        ("accord de coopération", "en/agreement.txt"),  # French words, English answer
        ("cybersecurity", "fr/numerique.txt"),  # English word, French answer
        ("AICTO", "fr/numerique.txt"),  # acronym, only the full French name in the text
        ("jeunesse ambassadeurs de la paix", "fr/jeunesse.txt"),
    ],
)
def test_a_query_finds_the_document_about_it_in_either_language(archive, query, first):
    _docs, service = archive
    assert _sources(service, query)[0] == first


def test_heritage_reaches_patrimoine_below_the_english_article(archive):
    _docs, service = archive
    found = _sources(service, "heritage")
    assert found[:2] == ["en/heritage.txt", "fr/patrimoine.txt"]


@pytest.mark.parametrize("query", ["Almalick", "Al-Malik", "almalik"])
def test_name_variants_reach_the_person(archive, query):
    _docs, service = archive
    assert set(_sources(service, query)[:3]) >= {"fr/jeunesse.txt", "en/agreement.txt"}


def test_a_word_in_half_the_archive_weighs_less_than_a_rare_one(archive):
    from search.query.expansion import rarity, word_terms

    _docs, service = archive
    searcher = service._current().engine.searcher
    common, rare = rarity(searcher, [word_terms("ICESCO")]), rarity(searcher, [word_terms("Baku")])
    assert common < 0.5 < rare <= 1.0


def test_the_document_holding_every_word_comes_first(archive):
    _docs, service = archive
    assert _sources(service, "ICESCO cooperation universities")[0] == "en/agreement.txt"


def test_fielded_filter_is_required_while_words_are_or_ed(archive):
    _docs, service = archive
    found = _sources(service, "patrimoine heritage year:2023")
    assert found == []
    assert _sources(service, "cybersécurité museums year:2023") == ["fr/numerique.txt"]


def test_metrics_on_a_known_ranking():
    rel = {"a": 2, "b": 1, "c": 2}
    assert ndcg(["a", "c", "b"], rel) == pytest.approx(1.0)
    assert ndcg(["x", "a"], rel) == pytest.approx((2 / math.log2(3)) / (2 + 2 / math.log2(3) + 1 / 2))
    assert reciprocal_rank(["x", "y", "b"], rel) == pytest.approx(1 / 3)
    assert recall(["a", "x"], rel) == pytest.approx(1 / 3)


def test_queries_file_errors_name_the_line(tmp_path):
    path = tmp_path / "queries.jsonl"
    path.write_text('{"qid": "1", "query": "x", "type": "t", "rel": {"a.txt": 2}}\n{"qid": "2"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"queries.jsonl:2: expected"):
        load_queries(path)


def test_evaluation_runs_on_a_researchers_own_archive(archive, tmp_path, capsys):
    docs, _service = archive
    queries = tmp_path / "queries.jsonl"
    tasks = [
        {"qid": "q1", "query": "heritage", "type": "cross-language", "rel": {"fr/patrimoine.txt": 2, "en/heritage.txt": 2}},
        {"qid": "q2", "query": "AICTO", "type": "entity", "rel": {"fr/numerique.txt": 2}},
    ]
    queries.write_text("\n".join(json.dumps(t) for t in tasks), encoding="utf-8")
    assert evaluate_main(["--docs", str(docs), "--queries", str(queries), "--labels", str(tmp_path / "none")]) == 0
    out = capsys.readouterr().out
    assert "cross-language" in out and "overall" in out and "fts5" in out


@pytest.mark.skipif(not (SHARED / "eval" / "queries.jsonl").is_file(), reason="no ../shared evaluation data")
def test_targets_on_the_shared_corpus():
    result = evaluate_relevance(SHARED / "corpus", SHARED / "eval" / "queries.jsonl")
    engine, fts5 = result["by_type"]["engine"], result["by_type"]["fts5"]
    # Quoted phrases are exact (issue 15): the shared phrase tasks also judge pages that do not hold
    # the phrase ("Charte de Riyad" against pages saying "Riyadh Charter"), which no exact phrase can
    # reach. The 0.80 bar holds for the other types; phrases must still beat FTS5's phrases (below).
    counts = {kind: sum(1 for task in result["tasks"] if task.type == kind) for kind in engine if kind != "overall"}
    others = {kind: n for kind, n in counts.items() if kind != "phrase"}
    assert sum(n * engine[kind]["ndcg@10"] for kind, n in others.items()) / sum(others.values()) >= 0.80
    assert engine["cross-language"]["ndcg@10"] >= 0.60
    for kind, scores in fts5.items():
        assert engine[kind]["ndcg@10"] >= scores["ndcg@10"] - 1e-9, kind
