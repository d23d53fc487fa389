"""Entity pages and curation through the real indexer and services (seeds, and the shared corpus)."""
from __future__ import annotations

import shutil
import time

import pytest

from search.index.curation import CURATION_FILE, read_curation
from search.index.indexer import reindex
from search.query.entity_service import EntityError, EntityService
from search.query.results import SearchRequest
from search.query.service import SearchService
from conftest import SEEDS, SHARED


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """An EntityService over a fresh index of a copy of the seeds (curation may be written beside them)."""
    docs = tmp_path_factory.mktemp("docs")
    shutil.copytree(SEEDS, docs, dirs_exist_ok=True)
    index = tmp_path_factory.mktemp("index")
    reindex(docs, index)
    return EntityService(SearchService(index, docs_dir=docs)), docs


def _key(entities: EntityService, kind: str, part: str) -> str:
    return next(r["key"] for r in entities.entities(kind, q=part)["results"])


def _facet(service: SearchService, facet: str) -> dict[str, int]:
    return {fv.value: fv.count for fv in service.search(SearchRequest()).facets[facet]}


def test_almalik_met_al_harbi_on_26_july_2024(seeds):
    entities, _ = seeds
    page = entities.entity("person", _key(entities, "person", "AlMalik"))
    assert page["name"] == "Salim M. AlMalik"
    with_harbi = [m for m in page["meetings"] if any(p["name"] == "Saud Al-Harbi" for p in m["participants"])]
    assert len(with_harbi) == 1
    meeting = with_harbi[0]
    assert meeting["date"] == "2024-07-26" and meeting["document"].startswith("003")
    assert "received Dr. Saud Al-Harbi" in meeting["sentence"]
    # the offsets give the sentence back out of the document's text
    text = entities.service.document(meeting["document"], similar=0).fields["text"]
    assert text[meeting["start"]:meeting["end"]] == meeting["sentence"]


def test_almalik_timeline_adds_up_to_his_document_count(seeds):
    entities, _ = seeds
    page = entities.entity("person", _key(entities, "person", "AlMalik"))
    facet = _facet(entities.service, "person")
    assert page["count"] == facet["Salim M. AlMalik"] > 1
    assert sum(t["count"] for t in page["timeline"]) == page["count"]
    assert any(t["period"] is None for t in page["timeline"]), "seed 001 is undated and counts apart"
    assert {"form": "Salem Ben Mohammed Al-Malik", "count": 1} in page["variants"]
    assert any("ICESCO" in r["role"] for r in page["roles"])


def test_entity_list_sorts_and_filters(seeds):
    entities, _ = seeds
    by_count = entities.entities("org")["results"]
    assert [r["count"] for r in by_count] == sorted((r["count"] for r in by_count), reverse=True)
    by_name = [r["name"].lower() for r in entities.entities("org", sort="name")["results"]]
    assert by_name == sorted(by_name)
    only = entities.entities("org", q="league")["results"]
    assert [r["name"] for r in only] == ["League of Arab States"]
    assert only[0]["first"] <= only[0]["last"]


def test_unknown_entity_is_none(seeds):
    entities, _ = seeds
    assert entities.entity("person", "no-such-key") is None
    assert entities.entity("planet", "x") is None


def test_graph_of_a_search_counts_documents_naming_both(seeds):
    entities, _ = seeds
    graph = entities.graph(SearchRequest(q="AICTO"))
    ids = {n["id"] for n in graph["nodes"]}
    assert "org:aicto" in ids
    aicto = next(n for n in graph["nodes"] if n["id"] == "org:aicto")
    total = entities.service.search(SearchRequest(q="AICTO")).total
    assert aicto["count"] == total
    assert all(e["source"] in ids and e["target"] in ids and e["weight"] >= 1 for e in graph["edges"])


def test_merge_rename_suppress_and_undo_apply_at_once(seeds):
    entities, docs = seeds
    service = entities.service
    before = _facet(service, "person")
    harbi, malik = _key(entities, "person", "Harbi"), _key(entities, "person", "AlMalik")
    merged = entities.merge("person", harbi, malik)
    after = _facet(service, "person")
    assert "Saud Al-Harbi" not in after
    assert after["Salim M. AlMalik"] == before["Salim M. AlMalik"]  # Al-Harbi's one document already names AlMalik
    assert entities.entity("person", harbi)["key"] == malik, "a merged key answers the entity it joined"
    renamed = entities.rename("person", malik, "Salim AlMalik (ICESCO)")
    assert entities.entity("person", malik)["name"] == "Salim AlMalik (ICESCO)"
    hit = service.search(SearchRequest(person=["Salim AlMalik (ICESCO)"]))
    assert hit.total == before["Salim M. AlMalik"] and "Salim AlMalik (ICESCO)" in hit.hits[0].people
    suppressed = entities.suppress("org", _key(entities, "org", "AICTO"))
    assert "AICTO" not in _facet(service, "org")
    assert [a["action"] for a in entities.actions()] == ["merge", "rename", "suppress"]
    assert len(read_curation(docs / CURATION_FILE)) == 3
    for action in (suppressed, renamed, merged):
        entities.undo(action.id)
    assert _facet(service, "person") == before
    assert "AICTO" in _facet(service, "org")


def test_a_merge_into_itself_or_an_unknown_key_is_refused(seeds):
    entities, _ = seeds
    malik = _key(entities, "person", "AlMalik")
    with pytest.raises(EntityError):
        entities.merge("person", malik, malik)
    with pytest.raises(EntityError):
        entities.merge("person", "nobody", malik)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared/corpus is not here")
    index = tmp_path_factory.mktemp("corpus-index")
    reindex(SHARED / "corpus", index)
    return EntityService(SearchService(index, docs_dir=tmp_path_factory.mktemp("no-curation")))


@pytest.mark.slow
def test_related_entities_are_not_the_most_frequent_in_count_order(corpus):
    people = corpus.entities("person")["results"]
    frequent = people[0]
    page = corpus.entity("person", frequent["key"])
    related = page["related"]["org"] + page["related"]["person"]
    assert len(related) >= 3, related
    frequent_overall = [r["name"] for r in corpus.entities("org", per_page=len(page["related"]["org"]))["results"]]
    assert [r["name"] for r in page["related"]["org"]] != frequent_overall
    # ranked by G², not by shared documents
    scores = [r["score"] for r in page["related"]["org"]]
    assert scores == sorted(scores, reverse=True)
    shared = [r["count"] for r in page["related"]["org"]]
    assert shared != sorted(shared, reverse=True) or len(set(shared)) == 1
    assert sum(t["count"] for t in page["timeline"]) == page["count"] == frequent["count"]


@pytest.mark.slow
def test_curation_applies_in_under_two_seconds(seeds):
    entities, _ = seeds
    harbi, malik = _key(entities, "person", "Harbi"), _key(entities, "person", "AlMalik")
    started = time.perf_counter()
    action = entities.merge("person", harbi, malik)
    assert "Saud Al-Harbi" not in _facet(entities.service, "person")
    assert time.perf_counter() - started < 2
    entities.undo(action.id)
