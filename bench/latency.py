"""Query latency of the query mix: through the service in this process, and over HTTP on gunicorn."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import asdict
from pathlib import Path

from search.query.service import SearchRequest, SearchService

from .queries import KINDS, BenchQuery
from .stats import peak_rss_mb, rss_mb, summary

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def request_for(query: BenchQuery) -> SearchRequest:
    """The SearchRequest the search page makes for a query of the mix."""
    return SearchRequest(q=query.q, **query.filters)


def facet_values(index_dir: Path) -> dict[str, list[str]]:
    """Facet values of the whole index, most frequent first (the query mix draws filters from them)."""
    results = SearchService(index_dir).search(SearchRequest(q=""))
    return {name: [fv.value for fv in values] for name, values in results.facets.items()}


def by_kind(queries: list[BenchQuery], times: list[float]) -> dict[str, dict]:
    """Median and p95 per kind of query and over the whole mix, in milliseconds."""
    out = {"all": summary([t * 1000 for t in times])}
    for kind in KINDS:
        picked = [t * 1000 for q, t in zip(queries, times) if q.kind == kind]
        if picked:
            out[kind] = summary(picked)
    return out


def service_latency(index_dir: Path, queries: list[BenchQuery], rounds: int = 1, engine=None) -> dict:
    """Run the mix through one SearchService (opened and warmed by a first query, as a worker is)."""
    service = SearchService(index_dir, engine=engine)
    started = time.perf_counter()
    service.search(SearchRequest(q="ICESCO"))
    first = time.perf_counter() - started
    times: list[float] = []
    for _ in range(rounds):
        for query in queries:
            t0 = time.perf_counter()
            service.search(request_for(query))
            times.append(time.perf_counter() - t0)
    return {"first_answer_s": first, "latency": by_kind(queries * rounds, times)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def _worker_pid(master: int) -> int | None:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def http_latency(index_dir: Path, queries: list[BenchQuery], docs_dir: Path) -> dict:
    """Start the production server (gunicorn, one worker), time its first answer, run the mix over
    /api/search and the HTML page, and read the worker's peak resident memory."""
    port = _free_port()
    env = {**os.environ, "FLASK_INDEX_DIR": str(index_dir), "FLASK_DOCS_DIR": str(docs_dir)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(gunicorn), "--workers", "1", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "webui:create_app()"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        first = None
        while time.perf_counter() - started < 60:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, _ = _get(conn, "/api/search?q=ICESCO")
                if status == 200:
                    first = time.perf_counter() - started
                    break
            except OSError:
                time.sleep(0.02)
        if first is None:
            raise RuntimeError("gunicorn gave no answer within 60 s: " + server.stderr.read1().decode(errors="replace"))
        results = {"first_answer_s": first}
        for label, route in (("api", "/api/search"), ("page", "/")):
            times = []
            for query in queries:
                path = route + "?" + urllib.parse.urlencode(query.params(), doseq=True)
                t0 = time.perf_counter()
                status, body = _get(conn, path)
                times.append(time.perf_counter() - t0)
                if status != 200:
                    raise RuntimeError(f"{path} answered HTTP {status}: {body[:200]!r}")
            results[label] = by_kind(queries, times)
        worker = _worker_pid(server.pid)
        if worker:
            results["worker_peak_mb"] = peak_rss_mb(worker)
            results["worker_rss_mb"] = rss_mb(worker)
        return results
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
