"""Run one reindex in this (fresh) process and print what it cost as JSON: `flask reindex` as users run it."""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time

from search.index.indexer import reindex

from .stats import own_peak_mb


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, reindex, print seconds, counts and peak memory as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("docs_dir")
    parser.add_argument("index_dir")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--profile", help="write a cProfile of the reindex to this file")
    parser.add_argument("--backend", default="whoosh", help="SEARCH_BACKEND (xapian: with --shards)")
    parser.add_argument("--shards", default="", help="XAPIAN_SHARDS")
    parser.add_argument("--scheduler", default=None, help="DASK_SCHEDULER")
    args = parser.parse_args(argv)
    from search.index.backends import engine_for

    engine = engine_for(args.backend, args.shards)
    started = time.perf_counter()
    cpu_before = sum(usage.ru_utime + usage.ru_stime
                     for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
        summary = profiler.runcall(reindex, args.docs_dir, args.index_dir, full=args.full, engine=engine,
                                   scheduler=args.scheduler)
        profiler.dump_stats(args.profile)
    else:
        summary = reindex(args.docs_dir, args.index_dir, full=args.full, engine=engine, scheduler=args.scheduler)
    seconds = time.perf_counter() - started
    cpu = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu_s = sum(usage.ru_utime + usage.ru_stime for usage in cpu) - cpu_before
    own, children = own_peak_mb()
    json.dump({"seconds": seconds, "documents": summary.documents, "added": summary.added,
               "updated": summary.updated, "unchanged": summary.unchanged, "skipped": len(summary.skipped),
               "peak_mb": own, "children_peak_mb": children, "cpu_s": cpu_s, "generation": summary.generation}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
