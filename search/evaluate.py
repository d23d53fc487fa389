"""`make eval`: relevance against the FTS5 baseline, then metadata, entity and pair scores when labelled.

    python -m search.evaluate [--docs DIR] [--queries FILE] [--labels FILE] [--entities FILE]
                              [--pairs FILE] [--sources FILE] [--details] [--per-query] [--index DIR]

Defaults: the shared corpus, ../shared/corpus, with ../shared/eval/* (relative to the project root).
The engine is SEARCH_BACKEND's (with XAPIAN_SHARDS and DASK_SCHEDULER, `FLASK_`-prefixed or not).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from search.evaluation.relevance import evaluate_relevance, format_relevance
from search.evaluation.sites import single_site_relevance

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
# The project's own tasks over ../shared/corpus: name variants, unaccented French, Arabic queries.
PROJECT_TASKS = PROJECT / "search" / "evaluation" / "queries_names.jsonl"
PHRASE_TASKS = PROJECT / "search" / "evaluation" / "queries_phrases.jsonl"  # quoted phrases, judged as exact


def _optional(module: str):
    """A scorer module written by another part of the project, or None when it is not there."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


def build_parser() -> argparse.ArgumentParser:
    """The command line of `python -m search.evaluate`."""
    parser = argparse.ArgumentParser(prog="python -m search.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=SHARED / "corpus", help="folder of documents to index")
    parser.add_argument("--queries", type=Path, default=SHARED / "eval" / "queries.jsonl", help="JSON-lines search tasks")
    parser.add_argument("--labels", type=Path, default=SHARED / "eval" / "labels.jsonl", help="metadata labels (optional)")
    parser.add_argument("--entities", type=Path, default=SHARED / "eval" / "entities.json", help="entity ids (optional)")
    parser.add_argument("--pairs", type=Path, default=SHARED / "eval" / "pairs.tsv", help="duplicate pairs (optional)")
    parser.add_argument("--sources", type=Path, default=None,
                        help="site of each file, for the leave-one-site-out and single-site splits (default: "
                             "../shared/eval/sources.tsv when --docs is ../shared/corpus)")
    parser.add_argument("--details", action="store_true", help="also print every metadata, entity and pair miss")
    parser.add_argument("--extra-queries", type=Path, action="append", default=None,
                        help="more JSON-lines tasks over the same documents (repeatable; default: the project's own "
                             "tasks over ../shared/corpus, search/evaluation/queries_names.jsonl, when --docs is that corpus)")
    parser.add_argument("--per-query", action="store_true", help="also print nDCG@10 of every query")
    parser.add_argument("--no-baseline", action="store_true", help="skip the SQLite FTS5 baseline")
    parser.add_argument("--index", type=Path, default=None,
                        help="index folder (default: a temporary one; a cluster's shards belong to one folder)")
    return parser


def _setting(name: str) -> str:
    return os.environ.get(name) or os.environ.get(f"FLASK_{name}", "")


def main(argv: list[str] | None = None) -> int:
    """Print every score the given labels allow."""
    args = build_parser().parse_args(argv)
    if not args.docs.is_dir():
        print(f"Documents folder {args.docs} does not exist: pass --docs DIR.", file=sys.stderr)
        return 2
    shared = args.docs.resolve() == (SHARED / "corpus").resolve()
    extra = args.extra_queries if args.extra_queries is not None else [PROJECT_TASKS, PHRASE_TASKS] if shared else []
    sources = args.sources or (SHARED / "eval" / "sources.tsv" if shared else None)
    if args.queries.is_file():
        from search.index.backends import engine_for

        engine = engine_for(_setting("SEARCH_BACKEND") or "whoosh", _setting("XAPIAN_SHARDS"))
        result = evaluate_relevance(args.docs, args.queries, baseline=not args.no_baseline, engine=engine, extra=tuple(extra),
                                    index_dir=args.index, scheduler=_setting("DASK_SCHEDULER") or None)
        print(format_relevance(result, per_query=args.per_query))
        split = single_site_relevance(result, sources) if sources and sources.is_file() else None
        if split and split["tasks"]:
            print()
            print(format_relevance(split))
    else:
        print(f"no queries file at {args.queries}: relevance skipped")
    if args.labels.is_file() and args.entities.is_file():
        from search.evaluation.splits import evaluate_splits, format_splits

        print()
        print(format_splits(evaluate_splits(args.docs, args.labels, args.entities, args.pairs, sources),
                            details=args.details))
    elif args.labels.is_file():
        metadata = _optional("search.evaluation.metadata")
        if metadata is not None:
            print()
            print(metadata.format_metadata(metadata.score_metadata(args.docs, args.labels)))
    if not (args.labels.is_file() and args.entities.is_file()) and args.pairs.is_file():
        from search.evaluation.pairs import format_pairs, score_pairs

        print()
        print(format_pairs(score_pairs(args.docs, args.pairs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
