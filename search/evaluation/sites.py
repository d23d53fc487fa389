"""Relevance over the pages of sites the corpus holds once: the nearest it has to unseen sites.

Each task's ranking and judgments are cut to the files whose site (sources.tsv: file, site) has a
single page in the corpus; a task left without a relevant such file is not counted.
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from search.evaluation.relevance import average, score_ranking


def single_site_files(sources: str | Path) -> set[str]:
    """Files whose site appears once in a file → site table."""
    with open(sources, encoding="utf-8", newline="") as handle:
        rows = [(row["file"], row["site"]) for row in csv.DictReader(handle, delimiter="\t")]
    counts = Counter(site for _file, site in rows)
    return {file for file, site in rows if counts[site] == 1}


def single_site_relevance(result: dict, sources: str | Path) -> dict:
    """The result of evaluate_relevance scored again over single-site pages only (same shape)."""
    keep = single_site_files(sources)
    tasks = [t for t in result["tasks"] if any(g > 0 and f in keep for f, g in t.rel.items())]
    runs = {}
    for system, rankings in result["rankings"].items():
        runs[system] = {}
        for task in tasks:
            ranking = [f for f in rankings[task.qid] if f in keep]
            rel = {f: g for f, g in task.rel.items() if f in keep}
            runs[system][task.qid] = score_ranking(ranking, rel)
    return {"tasks": tasks, "per_query": runs, "rankings": result["rankings"],
            "by_type": {system: average(scores, tasks) for system, scores in runs.items()},
            "title": "relevance over the pages of sites seen once (rankings and judgments cut to them"}
