"""Relevance of the engine against graded judgements: nDCG@10, MRR and Recall@20 per query type.

A queries file is JSON lines, one search task per line::

    {"qid": "Q1", "query": "patrimoine", "type": "topical", "rel": {"a/010.txt": 2, "011.txt": 1}}

`rel` grades files by their path relative to the documents folder (2 substantially about it,
1 partly; an unlisted file is not relevant). `type` groups the scores; `lang` and `note` are optional.
"""
from __future__ import annotations

import json
import math
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from search.ingest.documents import document_id, list_files, relative_source
from search.ingest.formats import supported_extensions
from search.index.indexer import reindex
from search.query.service import SearchRequest, SearchService
from .fts5 import Fts5Baseline

DEPTH = 20
METRICS = ("ndcg@10", "mrr", "recall@20")


@dataclass
class Task:
    """One search task: the query, its type and graded relevant files."""

    qid: str
    query: str
    type: str
    rel: dict[str, int]
    lang: str | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def load_queries(path: str | Path) -> list[Task]:
    """The tasks of a JSON-lines queries file; a malformed line raises ValueError naming it."""
    tasks = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                rel = {str(k): int(v) for k, v in item["rel"].items()}
                tasks.append(Task(str(item["qid"]), item["query"], item.get("type", "all"), rel,
                                  item.get("lang"), item.get("note", "")))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
                raise ValueError(
                    f"{path}:{number}: expected a JSON object with qid, query, type and rel "
                    f"(file → grade), got an error: {exc}"
                ) from exc
    return tasks


def ndcg(ranking: list[str], rel: dict[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain at k, with linear gains (the grade)."""
    dcg = sum(rel.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def reciprocal_rank(ranking: list[str], rel: dict[str, int]) -> float:
    """1 / rank of the first relevant file (0 when none is ranked)."""
    return next((1.0 / (i + 1) for i, doc in enumerate(ranking) if rel.get(doc, 0) > 0), 0.0)


def recall(ranking: list[str], rel: dict[str, int], k: int = DEPTH) -> float:
    """Share of the relevant files found in the first k."""
    relevant = {doc for doc, g in rel.items() if g > 0}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 0.0


def score_ranking(ranking: list[str], rel: dict[str, int]) -> dict[str, float]:
    """The three metrics of one ranked list of files."""
    return {"ndcg@10": ndcg(ranking, rel), "mrr": reciprocal_rank(ranking, rel), "recall@20": recall(ranking, rel)}


def engine_ranking(service: SearchService, query: str, sources: dict[str, str], depth: int = DEPTH) -> list[str]:
    """Files in the order the engine ranks them; copies folded into a hit count right after it."""
    results = service.search(SearchRequest(q=query, per_page=depth, fold=True))
    ranking = []
    for hit in results.hits:
        ranking.append(hit.source)
        ranking += [sources.get(c, c) for c in getattr(hit, "copies", [])]
    return list(dict.fromkeys(ranking))[:depth]


def document_sources(docs_dir: str | Path) -> dict[str, str]:
    """Document id → file (relative path) for every file of a folder."""
    root = Path(docs_dir)
    paths, _skipped = list_files(root, supported_extensions())
    return {document_id(relative_source(p, root)): relative_source(p, root) for p in paths}


def average(per_query: dict[str, dict[str, float]], tasks: list[Task]) -> dict[str, dict[str, float]]:
    """Mean metrics per query type, and over all tasks under 'overall'."""
    groups: dict[str, list[str]] = defaultdict(list)
    for task in tasks:
        groups[task.type].append(task.qid)
        groups["overall"].append(task.qid)
    return {
        name: {m: sum(per_query[q][m] for q in qids) / len(qids) for m in METRICS} | {"queries": len(qids)}
        for name, qids in groups.items()
    }


def evaluate_relevance(docs_dir: str | Path, queries_path: str | Path, baseline: bool = True,
                       extra: tuple[str | Path, ...] = (), engine=None, index_dir: str | Path | None = None,
                       scheduler: str | None = None) -> dict:
    """Index docs_dir into a temporary index (or index_dir) with the engine (Whoosh by default), run
    every task (of queries_path, then of the extra files) through the search service (and FTS5)."""
    tasks = load_queries(queries_path)
    for path in extra:
        tasks += load_queries(path)
    runs: dict[str, dict[str, dict[str, float]]] = {"engine": {}}
    rankings: dict[str, dict[str, list[str]]] = {"engine": {}}
    with tempfile.TemporaryDirectory(prefix="search-eval-") as tmp:
        index = Path(index_dir) if index_dir is not None else Path(tmp) / "index"
        reindex(docs_dir, index, full=True, engine=engine, scheduler=scheduler)
        service = SearchService(index, time_limit=30.0, docs_dir=docs_dir, engine=engine)
        sources = document_sources(docs_dir)
        for task in tasks:
            ranking = engine_ranking(service, task.query, sources)
            rankings["engine"][task.qid] = ranking
            runs["engine"][task.qid] = score_ranking(ranking, task.rel)
    if baseline:
        fts = Fts5Baseline(docs_dir)
        runs["fts5"], rankings["fts5"] = {}, {}
        for task in tasks:
            ranking = fts.search(task.query, DEPTH)
            rankings["fts5"][task.qid] = ranking
            runs["fts5"][task.qid] = score_ranking(ranking, task.rel)
    return {
        "tasks": tasks,
        "per_query": runs,
        "rankings": rankings,
        "by_type": {system: average(scores, tasks) for system, scores in runs.items()},
    }


def format_relevance(result: dict, per_query: bool = False) -> str:
    """The table: one row per query type and overall, engine beside FTS5."""
    by_type = result["by_type"]
    engine = by_type["engine"]
    fts = by_type.get("fts5")
    order = list(dict.fromkeys(t.type for t in result["tasks"])) + ["overall"]
    header = f"{'type':16} {'n':>3}  " + "  ".join(f"{m:>9}" for m in METRICS)
    if fts:
        header += "   │ " + "  ".join(f"{'fts5 ' + m.split('@')[0]:>9}" for m in METRICS)
    title = result.get("title", "relevance (engine: copies folded into a hit count right after it")
    lines = [title + (" │ SQLite FTS5 baseline)" if fts else ")"), header]
    for name in order:
        row = f"{name:16} {engine[name]['queries']:>3}  " + "  ".join(f"{engine[name][m]:>9.3f}" for m in METRICS)
        if fts:
            row += "   │ " + "  ".join(f"{fts[name][m]:>9.3f}" for m in METRICS)
        lines.append(row)
    if per_query:
        lines.append("")
        for task in result["tasks"]:
            e = result["per_query"]["engine"][task.qid]
            b = result["per_query"].get("fts5", {}).get(task.qid)
            lines.append(f"{task.qid:6} {task.type:15} ndcg {e['ndcg@10']:.3f}"
                         + (f" (fts5 {b['ndcg@10']:.3f})" if b else "") + f"  {task.query}")
    return "\n".join(lines)
