"""`python -m bench.service_latency INDEX_DIR CORPUS_DIR`: the service part of `make bench` alone.

Runs the benchmark's query mix (bench.queries, same seed) through SearchService over an index that
already exists, and prints median and 95th percentile per query kind: a quick check of a query-side
change without rebuilding a scale index.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from search.query.service import SearchRequest, SearchService

from .queries import build_mix
from .stats import percentile


def main(argv: list[str] | None = None) -> int:
    """Print per-kind latency of the query mix over an existing index."""
    parser = argparse.ArgumentParser(prog="python -m bench.service_latency", description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("corpus_dir", type=Path, help="the corpus the index was built from (query words come from it)")
    parser.add_argument("--queries", type=int, default=320)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)
    service = SearchService(args.index_dir)
    browse = service.search(SearchRequest(q=""))
    facets = {name: [v.value for v in values[:20]] for name, values in browse.facets.items()}
    timings: dict[str, list[float]] = {}
    for query in build_mix(args.corpus_dir, facets, args.queries, args.seed):
        started = time.perf_counter()
        service.search(SearchRequest(q=query.q, fold=True, **query.filters))
        timings.setdefault(query.kind, []).append((time.perf_counter() - started) * 1000)
    everything = [t for values in timings.values() for t in values]
    for kind, values in [*timings.items(), ("all", everything)]:
        print(f"{kind:14} p50 {percentile(values, 0.5):8.1f} ms  p95 {percentile(values, 0.95):8.1f} ms  (n={len(values)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
