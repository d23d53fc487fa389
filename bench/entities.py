"""Entity pages, the network of a search and curation at scale: in process, through the same
services and the same Flask app the site runs (its HTML pages rendered by the test client)."""
from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from search.query.entity_service import EntityService
from search.query.service import SearchRequest, SearchService

from .latency import request_for
from .queries import BenchQuery
from .stats import summary

PAGES = 100  # entity pages measured: the most named people and organisations, and others at random


def _timed(call) -> float:
    t0 = time.perf_counter()
    call()
    return (time.perf_counter() - t0) * 1000


def entity_latency(index_dir: Path, queries: list[BenchQuery], seed: int) -> dict:
    """p50/p95 of entity pages (JSON and HTML), the network of the query mix (JSON and the search page
    drawing it), and the time from a merge to facet counts that show it (and from its undo)."""
    from webui import create_app

    with tempfile.TemporaryDirectory() as docs:  # curation.toml goes here, not into the corpus
        app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "DOCS_DIR": docs, "EDITOR_TOKEN": "bench"})
        client = app.test_client()
        entities: EntityService = app.extensions["entity_service"]
        service: SearchService = entities.service
        service.search(SearchRequest(q="ICESCO"))
        rng = random.Random(seed)
        picked = []
        for kind in ("person", "org"):
            listed = entities.entities(kind, per_page=500)["results"]
            top, rest = listed[:PAGES // 4], listed[PAGES // 4:]
            picked += [(kind, r["key"]) for r in top + rng.sample(rest, min(len(rest), PAGES // 4))]
        entities.entity(*picked[0])  # the entity store is read on first use, as in a worker
        api = [_timed(lambda k=k: entities.entity(*k)) for k in picked]
        html = [_timed(lambda k=k: client.get(f"/entity/{k[0]}/{k[1]}")) for k in picked]
        graph = [_timed(lambda q=q: entities.graph(request_for(q))) for q in queries]
        drawn = [_timed(lambda q=q: client.get("/", query_string={"q": q.q, "network": "1", **q.filters}))
                 for q in queries[: len(queries) // 2]]
        curation = _curation(entities, picked)
    return {"entity_api": summary(api), "entity_page": summary(html), "graph_api": summary(graph),
            "graph_page": summary(drawn), "curation_s": curation}


def _curation(entities: EntityService, picked: list[tuple[str, str]], rounds: int = 3) -> dict:
    """Seconds from a merge request to facet counts that show it, and from its undo to counts restored."""
    service = entities.service
    people = [key for kind, key in picked if kind == "person"]
    applied, undone = [], []
    for source, target in list(zip(people[1::2], people[2::2]))[:rounds]:
        name = entities.entity("person", source)["name"]
        t0 = time.perf_counter()
        action = entities.merge("person", source, target)
        facets = service.search(SearchRequest(per_page=1)).facets["person"]
        assert all(fv.value != name for fv in facets), "the merged value is gone from the facet"
        applied.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        entities.undo(action.id)
        service.search(SearchRequest(per_page=1))
        undone.append(time.perf_counter() - t0)
    return {"apply": summary(applied), "undo": summary(undone)}
