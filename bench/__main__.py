"""`python -m bench`: generate seeded scale corpora, then measure indexing and search on each.

Prints progress as it goes and a table per size at the end; the figures also go to
bench_data/results-<size>.json. See the README's "Benchmark" section for what each line means.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from search.index import store

from . import corpus as scale
from .batch import batch_lines, measure_batch
from .entities import entity_latency
from .fts5 import Fts5Searcher, build as build_fts5
from .latency import facet_values, http_latency, request_for, service_latency
from .queries import build_mix
from .stats import folder_mb, summary
from .writer import writer_throughput

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10_000, 100_000)
TARGETS = {  # size → what the issues ask of this machine (2 cores)
    10_000: {"full_s": 90, "cpu_ms": 20, "peak_mb": 500, "nochange_s": 2, "changed_s": 5, "p95_ms": 40,
             "batch_s": 20, "entity_ms": 100, "graph_ms": 200, "curation_s": 2},
    100_000: {"full_s": 900, "peak_mb": 1500, "nochange_s": 1, "changed_s": 15, "p50_ms": 50, "p95_ms": 150,
              "browse_ms": 150, "worker_mb": 400, "first_s": 1},
}


def log(message: str) -> None:
    """Progress on stderr, with the time of day, so a long run shows where it is."""
    print(time.strftime("%H:%M:%S"), message, file=sys.stderr, flush=True)


def run_reindex(docs: Path, index: Path, full: bool = False, profile: Path | None = None) -> dict:
    """One reindex in a fresh process (as `flask reindex` runs), with its peak memory."""
    command = [sys.executable, "-m", "bench.reindex_once", str(docs), str(index)]
    if full:
        command.append("--full")
    if profile:
        command += ["--profile", str(profile)]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        how = f"killed by signal {-done.returncode}" if done.returncode < 0 else f"exit status {done.returncode}"
        raise RuntimeError(f"reindex of {docs} failed ({how}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_indexing(docs: Path, index: Path, seed: int, rounds: int, profile_dir: Path | None) -> dict:
    """Full reindex, no-change reindexes, reindexes after 1 % of the files changed, size on disk."""
    shutil.rmtree(index, ignore_errors=True)
    log(f"full reindex of {docs.name}...")
    full = run_reindex(docs, index, full=True, profile=profile_dir / f"full-{docs.name}.prof" if profile_dir else None)
    full["docs_per_s"] = full["documents"] / full["seconds"]
    full["cpu_ms_per_doc"] = 1000 * full.get("cpu_s", float("nan")) / max(full["documents"], 1)
    log(f"  {full['seconds']:.1f} s, {full['docs_per_s']:.0f} documents/s, {full['cpu_ms_per_doc']:.1f} ms of CPU "
        f"a document, peak {full['peak_mb']:.0f} MB")
    nochange = []
    for _ in range(rounds):
        nochange.append(run_reindex(docs, index)["seconds"])
    log(f"  no-change reindex: {summary(nochange)['p50']:.2f} s")
    changed, files = [], 0
    for r in range(rounds):
        originals = {}
        files = scale.change_share(docs, 0.01, seed + r, originals)
        changed.append(run_reindex(docs, index)["seconds"])
        scale.restore(originals)
        run_reindex(docs, index)
    log(f"  1 % changed ({files} files): {summary(changed)['p50']:.2f} s")
    live = store.current_generation(index)
    return {"full": full, "nochange_s": summary(nochange), "changed_s": summary(changed), "changed_files": files,
            "index_mb": folder_mb(live) if live else 0.0}


def measure_fts5(docs: Path, data: Path, queries) -> dict:
    """The same indexing and query mix through SQLite FTS5."""
    db = data / f"fts5-{docs.name}.sqlite"
    log("SQLite FTS5: indexing...")
    built = build_fts5(docs, db)
    searcher = Fts5Searcher(db)
    times = []
    for query in queries:
        t0 = time.perf_counter()
        searcher.search(query)
        times.append(time.perf_counter() - t0)
    searcher.close()
    built["latency"] = summary([t * 1000 for t in times])
    built["db_mb"] = db.stat().st_size / 2**20
    log(f"  {built['seconds']:.1f} s; query p50 {built['latency']['p50']:.1f} ms")
    return built


def bench_size(size: int, args) -> dict:
    """Every measurement at one corpus size."""
    data = args.data
    docs = data / f"corpus-{size}"
    index = data / f"index-{size}"
    log(f"== {size:,} documents: corpus from {scale.source_folder()} (seed {args.seed})")
    scale.generate(docs, size, args.seed, progress=lambda what, i, n: log(f"  {what} {i:,}/{n:,}"))
    result: dict = {"size": size, "seed": args.seed, "measured": _provenance()}
    if args.reuse_index:
        earlier = _earlier_results(data, size, args.seed, index)
        result["indexing"] = earlier["indexing"]
        result["indexing_from"] = earlier.get("indexing_from", earlier.get("measured", {}))
        log(f"index of an earlier run reused: {index}")
    else:
        result["indexing"] = measure_indexing(docs, index, args.seed, args.rounds, args.profile)
        _save(data, size, result)  # a later step that fails keeps the indexing figures (--reuse-index)
    values = facet_values(index)
    queries = build_mix(docs, values, args.queries, args.seed)
    result["queries"] = len(queries)
    log(f"service: {len(queries)} queries...")
    result["service"] = service_latency(index, queries)
    log(f"  p50 {result['service']['latency']['all']['p50']:.1f} ms, p95 {result['service']['latency']['all']['p95']:.1f} ms")
    if not args.no_entities:
        log("entity pages, networks, curation...")
        result["entities"] = entity_latency(index, queries, args.seed)
        log(f"  entity page p95 {result['entities']['entity_page']['p95']:.1f} ms, graph p95 "
            f"{result['entities']['graph_api']['p95']:.1f} ms, curation {result['entities']['curation_s']['apply']['p95']:.2f} s")
    if not args.no_batch:
        lines = batch_lines(docs, values, args.batch_lines, args.seed)
        log(f"batch search: {len(lines)} lines...")
        result["batch"] = measure_batch(index, docs, lines)
        log(f"  {result['batch']['seconds']:.1f} s (POST /api/batch {result['batch']['api_seconds']:.1f} s)")
    if not args.no_http:
        log("HTTP on gunicorn (one worker)...")
        result["http"] = http_latency(index, queries, docs)
        log(f"  first answer {result['http']['first_answer_s']:.2f} s, /api/search p50 "
            f"{result['http']['api']['all']['p50']:.1f} ms")
    if not args.no_fts5:
        result["fts5"] = measure_fts5(docs, data, queries)
    if not args.no_writer:
        log("Whoosh writer alone: single process, procs=2, procs=2 multisegment...")
        result["writer"] = writer_throughput(docs, data / f"writer-{size}")
    _save(data, size, result)
    return result


def _save(data: Path, size: int, result: dict) -> None:
    (data / f"results-{size}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")


def _provenance() -> dict:
    """When, and at which commit of the project, figures were measured."""
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                           capture_output=True, text=True, check=False)
    commit = done.stdout.strip() or "unknown"
    return {"at": time.strftime("%Y-%m-%d %H:%M:%S"), "commit": commit + ("+changes" if dirty.stdout.strip() else "")}


def _earlier_results(data: Path, size: int, seed: int, index: Path) -> dict:
    """The results of an earlier run at this size and seed, whose index is still there."""
    path = data / f"results-{size}.json"
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"--reuse-index needs {path} from an earlier run at this size ({exc})") from exc
    if earlier.get("seed") != seed or store.current_generation(index) is None:
        raise SystemExit(f"--reuse-index needs the index of an earlier run with seed {seed} in {index}")
    return earlier


def _ms(s: dict) -> str:
    return f"p50 {s['p50']:7.1f} ms  p95 {s['p95']:7.1f} ms"


def _target(size: int, key: str, value: float, unit: str) -> str:
    limit = TARGETS.get(size, {}).get(key)
    if limit is None:
        return ""
    return f"  [target ≤ {limit} {unit}: {'met' if value <= limit else 'MISSED'}]"


def report(result: dict) -> str:
    """The table printed for one size."""
    size, ix = result["size"], result["indexing"]
    full = ix["full"]
    measured = result.get("measured", {})
    lines = [
        f"\n=== {size:,} documents (seed {result['seed']}; {result['queries']} queries; "
        f"measured {measured.get('at', '?')} at commit {measured.get('commit', '?')}) ===",
        f"full reindex            {full['seconds']:8.1f} s   {full['docs_per_s']:6.0f} documents/s"
        + _target(size, "full_s", full["seconds"], "s"),
        f"no-change reindex       {ix['nochange_s']['p50']:8.2f} s (median of {ix['nochange_s']['n']})"
        + _target(size, "nochange_s", ix["nochange_s"]["p50"], "s"),
        f"1 % changed reindex     {ix['changed_s']['p50']:8.2f} s (median of {ix['changed_s']['n']}, "
        f"{ix['changed_files']} files)" + _target(size, "changed_s", ix["changed_s"]["p50"], "s"),
        f"CPU a document          {full.get('cpu_ms_per_doc', float('nan')):8.1f} ms (every process of the full "
        f"reindex: {full.get('cpu_s', float('nan')):.0f} s)" + _target(size, "cpu_ms", full.get("cpu_ms_per_doc", 0), "ms"),
        f"index size on disk      {ix['index_mb']:8.1f} MB",
        f"indexer peak memory     {max(full['peak_mb'], full['children_peak_mb']):8.0f} MB "
        f"(main {full['peak_mb']:.0f}, largest child {full['children_peak_mb']:.0f})"
        + _target(size, "peak_mb", max(full["peak_mb"], full["children_peak_mb"]), "MB"),
    ]
    if "indexing_from" in result:
        earlier = result["indexing_from"]
        lines.append(f"  (indexing figures above: from the earlier run whose index was reused, measured "
                     f"{earlier.get('at', 'at an unrecorded time')} at commit {earlier.get('commit', 'unrecorded')})")
    lines += [
        "query latency, service (facets + snippets + suggestion, as the page renders them):",
    ]
    for kind, s in result["service"]["latency"].items():
        extra = ""
        if kind == "all":
            extra = _target(size, "p95_ms", s["p95"], "ms p95") + _target(size, "p50_ms", s["p50"], "ms p50")
        if kind == "empty browse":
            extra = _target(size, "browse_ms", s["p95"], "ms")
        lines.append(f"  {kind:<14} {_ms(s)}  (n={s['n']}){extra}")
    lines.append(f"first answer, in process {result['service']['first_answer_s']:6.2f} s (open index + first query)")
    batch = result.get("batch")
    if batch:
        lines += [
            f"batch search, {batch['lines']:,} lines {batch['seconds']:6.1f} s "
            f"({1000 * batch['seconds'] / max(batch['lines'], 1):.1f} ms a line; {batch['matched_lines']} lines "
            f"with documents, {batch['errors']} with an error)" + _target(size, "batch_s", batch["seconds"], "s"),
            f"  its CPU time                {batch.get('cpu_seconds', float('nan')):6.1f} s (the machine's load "
            f"average was {batch.get('load', float('nan')):.1f}: other work stretches the time above)",
            f"  the same, POST /api/batch   {batch['api_seconds']:6.1f} s (the app in this process)"
            + _target(size, "batch_s", batch["api_seconds"], "s"),
        ]
    ent = result.get("entities")
    if ent:
        lines += [
            f"entity page, API         {_ms(ent['entity_api'])}  (n={ent['entity_api']['n']})",
            f"entity page, HTML        {_ms(ent['entity_page'])}" + _target(size, "entity_ms", ent["entity_page"]["p95"], "ms p95"),
            f"network of a search, API {_ms(ent['graph_api'])}" + _target(size, "graph_ms", ent["graph_api"]["p95"], "ms p95"),
            f"search page with network {_ms(ent['graph_page'])}",
            f"curation: merge to facets {ent['curation_s']['apply']['p95']:.3f} s (p95 of {ent['curation_s']['apply']['n']}), "
            f"undo {ent['curation_s']['undo']['p95']:.3f} s" + _target(size, "curation_s", ent["curation_s"]["apply"]["p95"], "s"),
        ]
    http = result.get("http")
    if http:
        lines += [
            f"query latency, HTTP /api/search   {_ms(http['api']['all'])}",
            f"query latency, HTTP / (HTML page) {_ms(http['page']['all'])}",
            f"server worker peak memory {http.get('worker_peak_mb', float('nan')):6.0f} MB"
            + _target(size, "worker_mb", http.get("worker_peak_mb", 0), "MB"),
            f"first answer after start  {http['first_answer_s']:6.2f} s"
            + _target(size, "first_s", http["first_answer_s"], "s"),
        ]
    fts = result.get("fts5")
    if fts:
        service = result["service"]["latency"]["all"]
        lines += [
            f"SQLite FTS5, same work  index {fts['seconds']:.1f} s ({fts['db_mb']:.0f} MB), query {_ms(fts['latency'])}",
            f"ratio Whoosh / FTS5     indexing ×{full['seconds'] / fts['seconds']:.2f}, "
            f"query p50 ×{service['p50'] / fts['latency']['p50']:.1f}, p95 ×{service['p95'] / fts['latency']['p95']:.1f}",
        ]
    for label, figures in result.get("writer", {}).items():
        lines.append(f"Whoosh writer alone, {label:<21} {figures['docs_per_s']:6.0f} documents/s "
                     f"({figures['seconds']:.1f} s, {figures['segments']} segment(s))")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Parse the flags and run the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated corpus sizes (default: 10000,100000)")
    parser.add_argument("--quick", action="store_true", help="one small size (2,000), one round: a smoke run")
    parser.add_argument("--queries", type=int, default=320, help="queries in the mix (default 320)")
    parser.add_argument("--rounds", type=int, default=3, help="repeats of the incremental reindexes (default 3)")
    parser.add_argument("--seed", type=int, default=20240601, help="seed of corpus and query mix")
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT / "bench_data",
                        help="where corpora, indexes and results go (default bench_data/, git-ignored)")
    parser.add_argument("--batch-lines", type=int, default=1000, help="lines of the batch search (default 1000)")
    parser.add_argument("--no-batch", action="store_true", help="skip the batch search measurement")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn measurements")
    parser.add_argument("--no-entities", action="store_true",
                        help="skip entity pages, the network of a search and curation")
    parser.add_argument("--no-fts5", action="store_true", help="skip the SQLite FTS5 yardstick")
    parser.add_argument("--no-writer", action="store_true",
                        help="skip the writer-alone throughput (single process vs Whoosh's procs=2 writer)")
    parser.add_argument("--profile", type=Path, help="write cProfile files of each full reindex to this folder")
    parser.add_argument("--reuse-index", action="store_true",
                        help="measure the search side again over the index an earlier run left in --data "
                             "(its indexing figures are carried over, and marked so)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes takes comma-separated whole numbers, not {args.sizes!r}")
    if args.quick:
        sizes, args.rounds = [2_000], 1
    if args.queries < 1 or any(s < 10 for s in sizes):
        parser.error("--queries must be at least 1 and every size at least 10")
    args.data.mkdir(parents=True, exist_ok=True)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    results = [bench_size(size, args) for size in sizes]
    for result in results:
        print(report(result))


if __name__ == "__main__":
    main()
