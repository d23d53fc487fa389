"""`make bench-cluster` (`python -m bench.cluster`): the benchmark archive on 1, 2 and 4 Xapian
shards on this machine, beside the Whoosh engine, in one table.

For each engine: a full reindex in a fresh process (the coordinator's peak memory; with two Dask
workers for the cluster), the query mix of `make bench` through the search service and over HTTP
(p50/p95 with facets and snippets), and for the cluster each shard's size on disk and its
servers' memory. Shards, scheduler and workers run on loopback (search/index/xapian/local.py).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from search.index import store
from search.index.backends import engine_for
from search.index.xapian.local import HOST, dask_scheduler, dask_worker, tcpsrv, tools_missing, wait_for_workers

from . import corpus as scale
from .__main__ import _earlier_results, _provenance, log
from .latency import facet_values, http_latency, service_latency
from .queries import build_mix
from .stats import folder_mb, rss_mb

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def reindex_in_process(docs: Path, index: Path, *options: str) -> dict:
    """A full reindex in a fresh process, as `flask reindex --full` runs: seconds, documents, peak MB."""
    import subprocess

    command = [sys.executable, "-m", "bench.reindex_once", str(docs), str(index), "--full", *options]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"reindex failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _group_mb(process) -> float:
    """Resident memory of a server and the children it forked for its connections."""
    pids = [process.popen.pid]
    children = Path(f"/proc/{process.popen.pid}/task/{process.popen.pid}/children")
    if children.is_file():
        pids += [int(p) for p in children.read_text().split()]
    total = 0.0
    for pid in pids:
        try:
            total += rss_mb(pid)
        except OSError:
            pass
    return total


def index_engine(label: str, docs: Path, index: Path, options=()) -> dict:
    """A full reindex through one engine."""
    shutil.rmtree(index, ignore_errors=True)
    log(f"{label}: full reindex...")
    indexing = reindex_in_process(docs, index, *options)
    indexing["docs_per_s"] = indexing["documents"] / indexing["seconds"]
    log(f"  {indexing['seconds']:.1f} s, {indexing['docs_per_s']:.0f} documents/s, coordinator peak "
        f"{indexing['peak_mb']:.0f} MB")
    return indexing


def bench_engine(label: str, docs: Path, index: Path, queries, http: bool, engine=None, options=(),
                 indexing: dict | None = None) -> dict:
    """Index (unless done), then search the mix, through one engine."""
    indexing = indexing or index_engine(label, docs, index, options)
    log(f"{label}: {len(queries)} queries through the service...")
    service = service_latency(index, queries, engine=engine)
    log(f"  p50 {service['latency']['all']['p50']:.1f} ms, p95 {service['latency']['all']['p95']:.1f} ms")
    result = {"engine": label, "indexing": indexing, "service": service}
    if http:
        result["http"] = http_latency(index, queries, docs)
    live = store.current_generation(index)
    result["index_mb"] = folder_mb(live) if live else 0.0
    return result


def _earlier_cluster(root: Path, data: Path, size: int, label: str) -> tuple[list[int], dict]:
    """The ports and indexing figures of the cluster an earlier run built in `root`."""
    from search.index.xapian.engine import Numbering

    live = store.current_generation(root / "index")
    try:
        earlier = json.loads((data / f"cluster-results-{size}.json").read_text(encoding="utf-8"))
        indexing = next(r["indexing"] for r in earlier if r["engine"] == label)
    except (OSError, ValueError, StopIteration):
        indexing = None
    if live is None or indexing is None:
        raise SystemExit(f"--reuse-cluster needs the cluster of an earlier run in {root} and its figures in "
                         f"{data / f'cluster-results-{size}.json'}")
    return [int(name.rpartition(":")[2]) for name in Numbering.load(live).shards], indexing


def bench_cluster(shard_count: int, size: int, docs: Path, data: Path, queries, http: bool, workers: int,
                  reuse: bool = False) -> dict:
    """Start `shard_count` shards, a scheduler and workers; index (unless `reuse`: the shards and
    figures of an earlier run, served again on their ports) and search through them."""
    root = data / f"cluster-{shard_count}"
    label = f"xapian, {shard_count} shard{'s' if shard_count > 1 else ''}"
    ports, indexing = [None] * shard_count, None
    if reuse:
        ports, indexing = _earlier_cluster(root, data, size, label)
    else:
        shutil.rmtree(root, ignore_errors=True)
        (root / "logs").mkdir(parents=True)
    started = []
    try:
        shards = [tcpsrv(f"shard{i}", root / f"shard{i}", writable=True, port=ports[i]).start(root / "logs")
                  for i in range(shard_count)]
        started += shards
        spec = ",".join(f"{HOST}:{s.port}" for s in shards)
        options: tuple[str, ...] = ()
        if not reuse:  # the workers only index
            scheduler = dask_scheduler().start(root / "logs")
            started.append(scheduler)
            address = f"tcp://{HOST}:{scheduler.port}"
            started += [dask_worker(f"worker{i}", address).start(root / "logs") for i in range(workers)]
            wait_for_workers(address, workers)
            options = ("--backend", "xapian", "--shards", spec, "--scheduler", address)
        os.environ.update({"FLASK_SEARCH_BACKEND": "xapian", "FLASK_XAPIAN_SHARDS": spec})
        result = bench_engine(label, docs, root / "index", queries, http, engine_for("xapian", spec), options,
                              indexing)
        # A server forks a child per connection: measured while a service holds its connections.
        from search.query.service import SearchService

        from .latency import request_for

        service = SearchService(root / "index", engine=engine_for("xapian", spec))
        for query in queries[:50]:
            service.search(request_for(query))
        result["shards"] = [{"mb": folder_mb(root / f"shard{i}"), "rss_mb": _group_mb(s)} for i, s in enumerate(shards)]
        return result
    finally:
        os.environ.pop("FLASK_SEARCH_BACKEND", None)
        os.environ.pop("FLASK_XAPIAN_SHARDS", None)
        for process in reversed(started):
            process.kill()


def _with_earlier(path: Path, results: list[dict]) -> list[dict]:
    """This run's results, and an earlier run's for the engines this one left out (each row says
    when and at which commit it was measured)."""
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        earlier = []
    ran = {r["engine"] for r in results}
    merged = results + [r for r in earlier if r.get("engine") not in ran]
    return sorted(merged, key=lambda r: (r["engine"] != "whoosh", int(r["engine"].split()[1]) if "," in r["engine"] else 0))


def report(size: int, results: list[dict]) -> str:
    """One table: each engine's figures side by side."""
    lines = [f"Cluster benchmark, {size:,} documents", "",
             "| engine | full reindex | docs/s | coordinator peak | service p50 / p95 | HTTP /api p50 / p95 "
             "| page p50 / p95 | index or shards on disk | shard servers' memory | searched at |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        lat = r["service"]["latency"]["all"]
        api = r.get("http", {}).get("api", {}).get("all")
        page = r.get("http", {}).get("page", {}).get("all")
        disk = (" + ".join(f"{s['mb']:.0f}" for s in r["shards"]) + " MB") if "shards" in r else f"{r['index_mb']:.0f} MB"
        memory = (" + ".join(f"{s['rss_mb']:.0f}" for s in r["shards"]) + " MB") if "shards" in r else "-"
        lines.append(
            f"| {r['engine']} | {r['indexing']['seconds']:.1f} s | {r['indexing']['docs_per_s']:.0f} | "
            f"{r['indexing']['peak_mb']:.0f} MB | {lat['p50']:.1f} / {lat['p95']:.1f} ms | "
            + (f"{api['p50']:.1f} / {api['p95']:.1f} ms | {page['p50']:.1f} / {page['p95']:.1f} ms | " if api else "- | - | ")
            + f"{disk} | {memory} | {r['measured'].get('at')}, {r['measured'].get('commit')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="corpus size (documents)")
    parser.add_argument("--shards", default="1,2,4", help="comma-separated shard counts")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers")
    parser.add_argument("--queries", type=int, default=320, help="queries in the mix")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT / "bench_data")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurements")
    parser.add_argument("--reuse-cluster", action="store_true",
                        help="search the shards an earlier run built (served again on their ports), with its indexing figures")
    parser.add_argument("--reuse-index", action="store_true",
                        help="for Whoosh, the index and full-reindex figures of an earlier `make bench` at this size")
    args = parser.parse_args(argv)
    missing = tools_missing()
    if missing:
        print(f"bench-cluster cannot run: {missing}", file=sys.stderr)
        return 2
    args.data.mkdir(parents=True, exist_ok=True)
    docs = args.data / f"corpus-{args.size}"
    log(f"== {args.size:,} documents (seed {args.seed})")
    scale.generate(docs, args.size, args.seed, progress=lambda what, i, n: log(f"  {what} {i:,}/{n:,}"))
    started = time.perf_counter()
    if args.reuse_index:
        # `make bench`'s index of this archive, and the full reindex it measured.
        whoosh = args.data / f"index-{args.size}"
        indexing = _earlier_results(args.data, args.size, args.seed, whoosh)["indexing"]["full"]
        log(f"whoosh: the index of an earlier `make bench` reused: {whoosh}")
    else:
        whoosh = args.data / f"index-whoosh-{args.size}"
        indexing = index_engine("whoosh", docs, whoosh)
    queries = build_mix(docs, facet_values(whoosh), args.queries, args.seed)
    results = [bench_engine("whoosh", docs, whoosh, queries, not args.no_http, indexing=indexing)]
    for count in (int(c) for c in args.shards.split(",") if c.strip()):
        results.append(bench_cluster(count, args.size, docs, args.data, queries, not args.no_http, args.workers,
                                     args.reuse_cluster))
    for r in results:
        r["measured"] = _provenance()
    results = _with_earlier(args.data / f"cluster-results-{args.size}.json", results)
    table = report(args.size, results)
    (args.data / f"cluster-results-{args.size}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(table)
    log(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
