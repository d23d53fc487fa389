"""The Xapian engine on a real cluster on loopback: two xapian-tcpsrv shards (the first with a
replica kept in step by xapian-replicate), a Dask scheduler with two workers. The shared corpus is
indexed through it and every evaluation query answered as by the Whoosh engine; then a worker, a
reindex, a replica, a primary and a shard are killed, each with the behaviour the README promises.

Skipped, saying how to run them, without Debian's xapian-tools or the `cluster` extra.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import PROJECT, SHARED
from search.index.indexer import reindex
from search.index.xapian.local import (HOST, Process, dask_scheduler, dask_worker, free_port, tcpsrv, tools_missing,
                                       wait_for_replica, wait_for_workers)
from search.query.results import SearchRequest

MISSING = tools_missing()
CORPUS = SHARED / "corpus"
QUERIES = SHARED / "eval" / "queries.jsonl"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(MISSING is not None, reason=f"cluster tests skipped: {MISSING}"),
    pytest.mark.skipif(not CORPUS.is_dir() or not QUERIES.is_file(), reason=f"no corpus at {CORPUS}"),
]


@dataclass
class Cluster:
    root: Path
    docs: Path
    index: Path
    whoosh: Path
    spec: str
    scheduler: str
    primary: Process
    replica: Process
    shard1: Process
    workers: list[Process]

    def engine(self):
        from search.index.backends import engine_for

        return engine_for("xapian", self.spec)

    def service(self):
        from search.query.service import SearchService

        return SearchService(self.index, docs_dir=self.docs, engine=self.engine())

    def shard_counts(self) -> list[int]:
        import xapian

        return [xapian.remote_open(HOST, p.port, 2000, 1000).get_doccount() for p in (self.primary, self.shard1)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    logs = root / "logs"
    logs.mkdir()
    (root / "primary").mkdir()
    (root / "replica").mkdir()
    started: list[Process] = []

    def start(process: Process) -> Process:
        started.append(process)
        return process.start(logs)

    try:
        primary = start(tcpsrv("shard0", root / "primary" / "shard0", writable=True))
        shard1 = start(tcpsrv("shard1", root / "primary" / "shard1", writable=True))
        scheduler = start(dask_scheduler())
        address = f"tcp://{HOST}:{scheduler.port}"
        workers = [start(dask_worker(f"worker{i}", address)) for i in (1, 2)]
        replica = tcpsrv("replica0", root / "replica" / "shard0", writable=False)
        spec = f"{HOST}:{primary.port}|{HOST}:{replica.port},{HOST}:{shard1.port}"
        docs = root / "docs"
        shutil.copytree(CORPUS, docs)
        wait_for_workers(address, 2)
        cluster = Cluster(root, docs, root / "index", root / "whoosh", spec, address, primary, replica, shard1, workers)
        summary = reindex(docs, cluster.index, engine=cluster.engine(), scheduler=address)
        assert summary.skipped == [] and summary.added == len(list(CORPUS.iterdir()))
        reindex(docs, cluster.whoosh)
        # The replica follows the primary's changesets (xapian-replicate), served read-only.
        port = free_port()
        start(Process("replicate-server", ["xapian-replicate-server", "-I", HOST, "-p", str(port),
                                           str(root / "primary")], port=port))
        start(Process("replicate", ["xapian-replicate", "-h", HOST, "-p", str(port), "-m", "shard0", "-i", "1",
                                    "-r", "0", "-q", str(root / "replica" / "shard0")]))
        _wait_for_database(root / "replica" / "shard0")
        start(replica)
        wait_for_replica(replica.port, primary.port)
        yield cluster
    finally:
        for process in reversed(started):
            process.kill()


def _wait_for_database(path: Path, seconds: float = 30.0) -> None:
    """Wait until xapian-replicate's first copy of a database opens."""
    import xapian

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            xapian.Database(str(path)).close()
            return
        except xapian.DatabaseError:
            time.sleep(0.1)
    raise RuntimeError(f"no replica at {path} after {seconds:.0f}s")


def _answers(service, q: str, **filters) -> dict:
    """Everything a search answers (every page): total, facets, and the ranking as groups of ties
    (documents with the same score, or the same date, in any order)."""
    first = service.search(SearchRequest(q=q, per_page=100, **filters))
    hits = list(first.hits)
    for page in range(2, first.pages + 1):
        hits += service.search(SearchRequest(q=q, per_page=100, page=page, **filters)).hits
    groups: list[tuple] = []
    for hit in hits:
        key = round(hit.score, 9) if hit.score is not None else hit.date
        if groups and groups[-1][0] == key:
            groups[-1][1].add((hit.id, hit.snippet))
        else:
            groups.append((key, {(hit.id, hit.snippet)}))
    facets = {name: [(v.value, v.count) for v in values] for name, values in first.facets.items()}
    return {"total": first.total, "facets": facets, "ranking": groups, "partial": first.partial,
            "notices": first.notices}


def test_every_evaluation_query_answers_as_on_whoosh(cluster):
    """Same totals, facet counts, ranking (ties aside) and snippets for every evaluation query,
    alone and with a facet filter, and for the empty query (every document, newest first)."""
    from search.query.service import SearchService

    xapian_service, whoosh_service = cluster.service(), SearchService(cluster.whoosh, docs_dir=cluster.docs)
    queries = [json.loads(line)["query"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    facets = whoosh_service.search(SearchRequest(q="")).facets
    filters = [{name: [facets[name][0].value]} for name in ("org", "person", "year", "lang")]
    compared = 0
    for i, q in enumerate(queries + ["", "date:[2024-01 TO 2024-06]", "coop*", "year:2024"]):
        for chosen in ({}, filters[i % len(filters)]):
            expected = _answers(whoosh_service, q, **chosen)
            assert _answers(xapian_service, q, **chosen) == expected, (q, chosen)
            compared += 1
    assert compared == 2 * (len(queries) + 4) and expected["total"] > 0


def test_documents_and_similar_documents_read_back_as_on_whoosh(cluster):
    from search.query.service import SearchService

    xapian_service, whoosh_service = cluster.service(), SearchService(cluster.whoosh, docs_dir=cluster.docs)
    ids = [hit.id for hit in _all_hits(whoosh_service)]
    assert len(ids) > 100
    for doc_id in ids:
        assert xapian_service.document(doc_id, similar=0).fields == whoosh_service.document(doc_id, similar=0).fields
    for doc_id in ids[::10]:  # similar documents, by Whoosh's key terms model over the shards
        mine, theirs = xapian_service.document(doc_id).similar, whoosh_service.document(doc_id).similar
        assert [h.id for h in mine] == [h.id for h in theirs] and theirs, doc_id


def _matched(answers: dict) -> set:
    return {doc for _key, group in answers["ranking"] for doc in group}


def _all_hits(service):
    return service.search(SearchRequest(q="", per_page=100)).hits + service.search(
        SearchRequest(q="", per_page=100, page=2)).hits


def test_reindex_completes_with_correct_counts_when_a_worker_is_killed(cluster):
    """An incremental reindex on Dask: a worker killed while it holds a task; its tasks run again
    on the other worker."""
    from distributed import Client

    files = sorted(cluster.docs.glob("*.txt"))
    for path in files[:64]:
        path.write_text(path.read_text(encoding="utf-8") + f"\n\nZanzibarquux note {path.stem}.\n", encoding="utf-8")
    files[-1].unlink()
    (cluster.docs / "new-article.txt").write_text(
        "Xylophonique rencontre à Tunis\n\nTunis, le 3 mars 2024 — Une rencontre xylophonique a réuni "
        "les délégations de l'ALECSO et de l'ICESCO autour du patrimoine musical.\n", encoding="utf-8")
    victim = cluster.workers[1]
    seen: dict = {}
    stop = threading.Event()

    def kill_when_busy() -> None:
        """Kill the second worker the moment it holds a task (a pass's or an extraction's)."""
        with Client(cluster.scheduler, set_as_default=False) as client:
            while not stop.is_set():
                names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
                held = sum(len(tasks) for a, tasks in client.processing().items() if names.get(a) == "worker2")
                if held:
                    seen["held"] = held
                    victim.kill()
                    return
                time.sleep(0.01)

    killer = threading.Thread(target=kill_when_busy)
    killer.start()
    try:
        summary = reindex(cluster.docs, cluster.index, engine=cluster.engine(), scheduler=cluster.scheduler)
    finally:
        stop.set()
        killer.join()
    assert seen.get("held", 0) > 0 and victim.popen.poll() is not None
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (1, 64, 1, len(files) - 65)
    whoosh = reindex(cluster.docs, cluster.whoosh)
    assert summary.documents == whoosh.documents == sum(cluster.shard_counts())
    from search.query.service import SearchService

    service, whoosh_service = cluster.service(), SearchService(cluster.whoosh, docs_dir=cluster.docs)
    for q in ("Zanzibarquux", "xylophonique", "", "patrimoine"):
        # Whoosh's statistics count the replaced documents until its segments merge; the shards'
        # only the live ones: the scores differ, not what matches.
        mine, theirs = _answers(service, q), _answers(whoosh_service, q)
        assert (mine["total"], mine["facets"]) == (theirs["total"], theirs["facets"]), q
        assert _matched(mine) == _matched(theirs), q
    assert service.search(SearchRequest(q="Zanzibarquux")).total > 50
    assert service.search(SearchRequest(q="xylophonique")).total == 1
    assert files[-1].name not in {hit.source for hit in _all_hits(service)}


def test_a_reindex_killed_after_the_shards_commit_changes_nothing_and_the_next_repairs(cluster):
    """Killed between the shards' commits and the switch: readers see the previous generation
    whole (the shards' new documents are in no published numbering); the next reindex publishes
    and deletes what no numbering holds."""
    path = sorted(cluster.docs.glob("*.txt"))[0]
    before = cluster.service().search(SearchRequest(q="Zanzibarquux")).total
    counts = cluster.shard_counts()
    path.write_text("Quokkaplume à Rabat\n\nRabat, le 5 mai 2024 — Le quokkaplume est présenté à l'ICESCO.\n",
                    encoding="utf-8")
    proc = _flask_reindex(cluster, "committed", 60)
    try:
        assert "paused at committed" in proc.stderr.readline()
        os.killpg(proc.pid, signal.SIGKILL)  # the reindex and the relations process it forked
    finally:
        proc.wait(timeout=30)
    assert sum(cluster.shard_counts()) == sum(counts) + 1  # committed, in no numbering
    service = cluster.service()
    assert service.search(SearchRequest(q="quokkaplume")).total == 0
    assert service.search(SearchRequest(q="Zanzibarquux")).total == before

    summary = reindex(cluster.docs, cluster.index, engine=cluster.engine())
    assert (summary.updated, summary.added, summary.removed) == (1, 0, 0)
    assert any("unfinished generation" in note for note in summary.notes)
    service = cluster.service()
    assert service.search(SearchRequest(q="quokkaplume")).total == 1
    assert service.search(SearchRequest(q="Zanzibarquux")).total == before - 1
    assert cluster.shard_counts() == counts


def _flask_reindex(cluster, pause_at: str, seconds: int) -> subprocess.Popen:
    """`flask reindex` on the cluster in its own process group, pausing at a point (indexer.py)."""
    env = {**os.environ, "FLASK_APP": "webui", "FLASK_DOCS_DIR": str(cluster.docs),
           "FLASK_INDEX_DIR": str(cluster.index), "FLASK_SEARCH_BACKEND": "xapian",
           "FLASK_XAPIAN_SHARDS": cluster.spec, "SEARCH_TEST_PAUSE_AT": pause_at,
           "SEARCH_TEST_PAUSE_SECONDS": str(seconds)}
    return subprocess.Popen([sys.executable, "-m", "flask", "reindex"], cwd=PROJECT, env=env, text=True,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True)


def _app(cluster):
    from webui import create_app

    return create_app({"TESTING": True, "DOCS_DIR": str(cluster.docs), "INDEX_DIR": str(cluster.index),
                       "SEARCH_BACKEND": "xapian", "XAPIAN_SHARDS": cluster.spec})


def test_a_shard_dead_while_a_reindex_switches_leaves_the_new_generation_serving_the_others(cluster):
    """The shard dies while a reindex publishes: the generation is published all the same (its
    sweep waits for the next reindex), and searches answer from the other shard within 2 s."""
    from search.index import store

    client = _app(cluster).test_client()
    whole = client.get("/api/search?q=patrimoine&per_page=100").get_json()
    before = store.current_token(cluster.index)
    path = sorted(cluster.docs.glob("*.txt"))[1]
    path.write_text(path.read_text(encoding="utf-8") + "\n\nWombatique.\n", encoding="utf-8")
    proc = _flask_reindex(cluster, "switching", 3)
    try:
        assert "paused at switching" in proc.stderr.readline()
        cluster.shard1.kill()
    finally:
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    assert store.current_token(cluster.index) != before
    try:
        started = time.monotonic()
        client = _app(cluster).test_client()
        answer = client.get("/api/search?q=patrimoine&per_page=100").get_json()
        assert time.monotonic() - started < 2.0
        name = cluster.spec.split(",")[1]
        assert answer["partial"] is True and any(name in notice for notice in answer["notices"])
        assert 0 < answer["total"] < whole["total"]
        health = client.get("/healthz")
        assert health.status_code == 503 and name in health.get_json()["status"]
    finally:
        cluster.shard1.start(cluster.root / "logs")
    answer = _app(cluster).test_client().get("/api/search?q=patrimoine&per_page=100").get_json()
    assert answer["partial"] is False and answer["total"] == whole["total"]


def test_a_replica_answers_for_a_dead_primary_without_notice(cluster):
    client = _app(cluster).test_client()
    expected = client.get("/api/search?q=patrimoine").get_json()
    assert expected["total"] > 0 and expected["partial"] is False
    wait_for_replica(cluster.replica.port, cluster.primary.port)

    cluster.replica.kill()  # a replica lost: the primary still answers
    assert client.get("/api/search?q=patrimoine").get_json() == expected
    cluster.replica.start(cluster.root / "logs")
    wait_for_replica(cluster.replica.port, cluster.primary.port)

    cluster.primary.kill()  # the primary lost: its replica answers, nothing to tell
    answer = client.get("/api/search?q=patrimoine").get_json()
    assert answer == expected
    health = client.get("/healthz")
    assert health.status_code == 200
    assert [s["status"] for s in health.get_json()["shards"]] == ["replica", "ok"]


def test_a_hung_shard_gives_the_others_results_within_two_seconds(cluster):
    """A shard stopped (its port accepts connections that are never answered)."""
    client = _app(cluster).test_client()
    whole = client.get("/api/search?q=patrimoine&per_page=100").get_json()
    cluster.shard1.signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        answer = client.get("/api/search?q=patrimoine&per_page=100").get_json()
        elapsed = time.monotonic() - started
    finally:
        cluster.shard1.signal(signal.SIGCONT)
    assert elapsed < 2.0
    name = cluster.spec.split(",")[1]
    assert answer["partial"] is True and any(name in notice for notice in answer["notices"])
    assert 0 < answer["total"] < whole["total"]
    assert {r["id"] for r in answer["results"]} < {r["id"] for r in whole["results"]}
