"""`make eval`: relevance against the FTS5 baseline, then metadata, entity and pair scores when labelled.

    python -m search.evaluate [--docs DIR] [--queries FILE] [--labels FILE] [--entities FILE]
                              [--pairs FILE] [--per-query] [--index DIR]

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

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"


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
    if args.queries.is_file():
        from search.index.backends import engine_for

        engine = engine_for(_setting("SEARCH_BACKEND") or "whoosh", _setting("XAPIAN_SHARDS"))
        result = evaluate_relevance(args.docs, args.queries, baseline=not args.no_baseline, engine=engine,
                                    index_dir=args.index, scheduler=_setting("DASK_SCHEDULER") or None)
        print(format_relevance(result, per_query=args.per_query))
    else:
        print(f"no queries file at {args.queries}: relevance skipped")
    if args.labels.is_file():
        metadata = _optional("search.evaluation.metadata")
        if metadata is not None:
            print()
            print(metadata.format_metadata(metadata.score_metadata(args.docs, args.labels)))
        entities = _optional("search.evaluation.entities")
        if entities is not None and args.entities.is_file():
            print()
            print(entities.format_entities(entities.score_entities(args.docs, args.labels, args.entities)))
    pairs = _optional("search.evaluation.pairs")
    if pairs is not None and args.pairs.is_file():
        score = getattr(pairs, "score_pairs", None)
        fmt = getattr(pairs, "format_pairs", None)
        if score and fmt:
            print()
            print(fmt(score(args.docs, args.pairs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
