"""Batch search at scale: a list of 1,000 distinct lines (the mix's queries, people and
organisations of the archive) answered through search/query/batch.py and through POST /api/batch."""
from __future__ import annotations

import os
import time
from pathlib import Path

from search.query.batch import run_batch
from search.query.results import SearchRequest
from search.query.service import SearchService

from .queries import build_mix


def batch_lines(corpus: Path, facet_values: dict[str, list[str]], count: int, seed: int) -> list[str]:
    """`count` distinct lines a researcher tracks: a quarter people, a quarter organisations, the
    rest queries of the mix (words, phrases, fields, misspellings), seeded."""
    people = facet_values.get("person", [])[: count // 4]
    orgs = facet_values.get("org", [])[: count // 4]
    mix = [q.q for q in build_mix(corpus, facet_values, count * 3, seed + 1) if q.q.strip()]
    lines = list(dict.fromkeys(people + orgs + mix))
    return lines[:count]


def measure_batch(index_dir: Path, docs_dir: Path, lines: list[str]) -> dict:
    """Seconds to answer the lines: the service (folded, as the /batch page counts) on a fresh
    service warmed by one search, then POST /api/batch on the app in this process."""
    service = SearchService(index_dir, docs_dir=docs_dir)
    service.search(SearchRequest(q="warm"))
    t0, cpu0 = time.perf_counter(), time.process_time()
    answer = run_batch(service, lines, SearchRequest(fold=True))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    load = os.getloadavg()[0]  # the machine's 1-minute load as the run ended: other work slows the figure
    errors = sum(1 for line in answer.lines if line.error)

    from webui import create_app  # the web app only for its own figure

    app = create_app({"INDEX_DIR": str(index_dir), "DOCS_DIR": str(docs_dir), "BATCH_TIME_LIMIT": 600})
    client = app.test_client()
    client.get("/api/search", query_string={"q": "warm"})
    t0 = time.perf_counter()
    response = client.post("/api/batch", json={"queries": lines})
    api_seconds = time.perf_counter() - t0
    if response.status_code != 200:
        raise RuntimeError(f"POST /api/batch answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
    return {"lines": len(lines), "seconds": seconds, "errors": errors, "api_seconds": api_seconds, "load": load,
            "cpu_seconds": cpu,
            "matched_lines": sum(1 for line in answer.lines if line.total)}
