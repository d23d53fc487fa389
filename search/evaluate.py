"""`make eval`: relevance against the FTS5 baseline, then metadata, entity and pair scores when labelled.

    python -m search.evaluate [--docs DIR] [--queries FILE] [--labels FILE] [--entities FILE]
                              [--pairs FILE] [--sources FILE] [--details] [--per-query]

Defaults: the shared corpus, ../shared/corpus, with ../shared/eval/* (relative to the project root).
"""
from __future__ import annotations

import argparse
import importlib
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
    parser.add_argument("--sources", type=Path, default=SHARED / "eval" / "sources.tsv",
                        help="site of each file, for the leave-one-site-out and single-site splits (optional)")
    parser.add_argument("--details", action="store_true", help="also print every metadata, entity and pair miss")
    parser.add_argument("--per-query", action="store_true", help="also print nDCG@10 of every query")
    parser.add_argument("--no-baseline", action="store_true", help="skip the SQLite FTS5 baseline")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Print every score the given labels allow."""
    args = build_parser().parse_args(argv)
    if not args.docs.is_dir():
        print(f"Documents folder {args.docs} does not exist: pass --docs DIR.", file=sys.stderr)
        return 2
    if args.queries.is_file():
        result = evaluate_relevance(args.docs, args.queries, baseline=not args.no_baseline)
        print(format_relevance(result, per_query=args.per_query))
    else:
        print(f"no queries file at {args.queries}: relevance skipped")
    if args.labels.is_file() and args.entities.is_file():
        from search.evaluation.splits import evaluate_splits, format_splits

        print()
        print(format_splits(evaluate_splits(args.docs, args.labels, args.entities, args.pairs, args.sources),
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
