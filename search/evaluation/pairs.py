"""Detected relations between files against hand-labelled pairs (translation, same-article, contains).

    python -m search.evaluation.pairs [CORPUS_DIR] [PAIRS_TSV]

A detected link is a pair of files with any relation between documents of theirs (the parts of a
listing page are documents of one file). Precision: the share of detected links that are labelled
pairs, or implied by them (two same-article copies of a third are copies of each other); recall:
the share of labelled pairs detected.
"""
from __future__ import annotations

import csv
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from search.index.indexer import reindex
from search.index.relations import load_relations
from search.index import store

PROJECT = Path(__file__).resolve().parents[2]
SHARED = PROJECT.parent / "shared"


def read_pairs(pairs_path: Path, implied: bool = True) -> dict[frozenset, str]:
    """Labelled pairs of file names with their relation; implied: plus same-article pairs they imply."""
    labelled: dict[frozenset, str] = {}
    with open(pairs_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            labelled[frozenset((row["file_a"], row["file_b"]))] = row["relation"]
    if not implied:
        return labelled
    copies: dict[str, set[str]] = defaultdict(set)
    for pair, relation in labelled.items():
        if relation == "same-article":
            a, b = sorted(pair)
            copies[a].add(b)
            copies[b].add(a)
    for members in _components(copies):
        for a in members:
            for b in members:
                if a < b:
                    labelled.setdefault(frozenset((a, b)), "same-article")
    return labelled


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    seen: set[str] = set()
    groups = []
    for start in graph:
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node not in group:
                group.add(node)
                todo.extend(graph[node] - group)
        seen |= group
        groups.append(group)
    return groups


def detected_pairs(generation: Path) -> dict[frozenset, str]:
    """File pairs linked by the relations of an index generation, with the relation found."""
    sources = _sources(generation)
    found: dict[frozenset, str] = {}
    for doc_id, links in load_relations(generation).items():
        for link in links:
            a, b = sources.get(doc_id), sources.get(link["id"])
            if a and b and a != b:
                found.setdefault(frozenset((a, b)), link["relation"])
    return found


def _sources(generation: Path) -> dict[str, str]:
    from search.index.relations import load_signatures

    return {doc_id: sig["source"] for doc_id, sig in load_signatures(generation).items()}


def score_pairs(corpus_dir, pairs_path) -> dict:
    """Index the corpus in a temporary folder and score the detected links against the labels."""
    labelled = read_pairs(Path(pairs_path), implied=False)
    accepted = read_pairs(Path(pairs_path))  # a link implied by two labelled ones is no error
    with tempfile.TemporaryDirectory() as index_dir:
        reindex(Path(corpus_dir), index_dir, full=True)
        generation = store.current_generation(index_dir)
        detected = detected_pairs(generation) if generation else {}
    hits = [pair for pair in detected if pair in accepted]
    by_relation = {}
    for relation in sorted(set(labelled.values())):
        wanted = [p for p, r in labelled.items() if r == relation]
        by_relation[relation] = {"labelled": len(wanted), "found": sum(1 for p in wanted if p in detected)}
    return {
        "labelled": len(labelled),
        "detected": len(detected),
        "correct": len(hits),
        "precision": len(hits) / len(detected) if detected else 0.0,
        "recall": sum(1 for p in labelled if p in detected) / len(labelled) if labelled else 0.0,
        "by_relation": by_relation,
        "false": sorted((sorted(p), r) for p, r in detected.items() if p not in accepted),
        "missed": sorted((sorted(p), r) for p, r in labelled.items() if p not in detected),
    }


def format_pairs(scores: dict) -> str:
    """The pair scores as the few lines `make eval` prints."""
    lines = [
        f"Related documents: precision {scores['precision']:.2f}, recall {scores['recall']:.2f} "
        f"({scores['correct']} of {scores['detected']} detected links labelled; {scores['labelled']} labelled pairs)"
    ]
    for relation, counts in scores["by_relation"].items():
        lines.append(f"  {relation:<13} found {counts['found']} of {counts['labelled']}")
    for (a, b), relation in scores["false"]:
        lines.append(f"  not labelled: {a} {b} ({relation})")
    for (a, b), relation in scores["missed"]:
        lines.append(f"  missed: {a} {b} ({relation})")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the pair scores for a corpus and its labels."""
    corpus = Path(argv[0]) if argv else SHARED / "corpus"
    pairs = Path(argv[1]) if len(argv) > 1 else SHARED / "eval" / "pairs.tsv"
    if not corpus.is_dir() or not pairs.is_file():
        print(f"usage: python -m search.evaluation.pairs [CORPUS_DIR] [PAIRS_TSV] ({corpus} or {pairs} missing)",
              file=sys.stderr)
        return 2
    print(format_pairs(score_pairs(corpus, pairs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
