"""Metadata, entity and related-pair figures three ways: whole archive, leave-one-site-out, single-site pages.

    python -m search.evaluation.splits [CORPUS_DIR] [EVAL_DIR] [-v]

Everything the indexer learns from the archive (lines common to many files, acronyms and name
forms, and the relations found among documents) is learned here as the indexer learns it:

- **whole**: learned from every file, then every file extracted (what `flask reindex` gives);
- **leave-one-site-out**: for each site of `sources.tsv`, learned from the archive minus that
  site's files, then that site's files extracted with it (one learning pass per site); relations
  are then found over these extractions together;
- **single-site**: the leave-one-site-out extractions of the files whose site has one file in the
  corpus, the nearest thing to a site never seen (relations: labelled pairs with such a file).

Dates are scored at the precision of the label: a day label needs that day, a month or year label
that month or year (`YYYY-MM`, `YYYY`). A file's entities are those of all its documents.
"""
from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from search.ingest.cleaning import clean_text
from search.ingest.documents import Document, content_hash, list_files, relative_source
from search.ingest.entities import learn_from_corpus
from search.ingest.extract import ExtractionContext, extract_documents, find_common_lines, read_file_text
from search.ingest.formats import UnreadableFile, supported_extensions
from search.index.relations import find_relations
from search.ingest.signatures import signature
from search.evaluation.entities import TYPES, _alias_index, match_key
from .metadata import _lang_right, _normalise, load_labels
from .pairs import read_pairs

SPLITS = ("whole", "leave-one-site-out", "single-site")


@dataclass
class CorpusFile:
    """One file of the corpus as read once: its bytes and decoded text."""

    source: str
    path: Path
    data: bytes
    text: str


def read_corpus(corpus_dir: Path) -> dict[str, CorpusFile]:
    """Every readable file of the corpus, by source (its path relative to the corpus folder)."""
    paths, _skipped = list_files(corpus_dir, supported_extensions())
    files = {}
    for path in paths:
        data = path.read_bytes()
        try:
            text = read_file_text(data, path).text
        except UnreadableFile:
            continue
        files[relative_source(path, corpus_dir)] = CorpusFile(relative_source(path, corpus_dir), path, data, text)
    return files


def read_sites(sources_path: Path) -> dict[str, str]:
    """The site of each file, from a `file<TAB>site` table."""
    with open(sources_path, encoding="utf-8", newline="") as handle:
        return {row["file"]: row["site"] for row in csv.DictReader(handle, delimiter="\t")}


def learn_context(texts: list[str]) -> ExtractionContext:
    """What the indexer learns from these texts on a full build: common lines, then entity knowledge."""
    common = find_common_lines(texts, len(texts))
    knowledge = learn_from_corpus(clean_text(text, None, common) for text in texts)
    return ExtractionContext(common_lines=common, extra={"entities": knowledge})


def _extract(files: list[CorpusFile], context: ExtractionContext) -> dict[str, list[Document]]:
    found = {}
    for item in files:
        try:
            found[item.source] = extract_documents(item.source, item.path, item.data, context, content_hash(item.data))
        except UnreadableFile:
            found[item.source] = []
    return found


def extract_whole(files: dict[str, CorpusFile]) -> dict[str, list[Document]]:
    """Every file extracted with what the whole archive teaches."""
    return _extract(list(files.values()), learn_context([f.text for f in files.values()]))


def extract_held_out(files: dict[str, CorpusFile], sites: dict[str, str]) -> dict[str, list[Document]]:
    """Every file extracted with what the archive minus the file's own site teaches."""
    by_site: dict[str, list[CorpusFile]] = defaultdict(list)
    for source, item in files.items():
        by_site[sites.get(source, source)].append(item)
    found = {}
    for site, members in by_site.items():
        rest = [f.text for s, f in files.items() if sites.get(s, s) != site]
        found.update(_extract(members, learn_context(rest)))
    return found


def score_metadata(docs: dict[str, list[Document]], labels: dict[str, dict], files: set[str]) -> dict:
    """Titles, dates (day and partial precision apart), nulls and language over the given files."""
    counts: Counter = Counter()
    misses = []
    for name in sorted(files & set(labels)):
        label, found = labels[name], docs.get(name) or []
        doc = found[0] if found else None
        counts["files"] += 1
        counts["lang"] += bool(doc and _lang_right(label["lang"], doc.lang))
        want_title, title = _normalise(label.get("title")), _normalise(doc.title) if doc else None
        key = "title" if want_title is not None else "title_null"
        counts[f"{key}_n"] += 1
        counts[key] += title == want_title
        if title != want_title:
            misses.append(f"{name} title: want {want_title!r}, got {title!r}")
        want_date, date = label.get("date"), doc.date if doc else None
        key = "date_null" if want_date is None else "date_day" if len(want_date) == 10 else "date_partial"
        counts[f"{key}_n"] += 1
        counts[key] += date == want_date
        if date != want_date:
            misses.append(f"{name} date: want {want_date!r}, got {date!r}")
    return {"counts": counts, "misses": misses}


def score_entities(docs: dict[str, list[Document]], labels: dict[str, dict], aliases: dict, files: set[str]) -> dict:
    """Precision, recall and fragmentation of people and organisations over the given files."""
    scores = {}
    for kind, label_kind in TYPES.items():
        found = gold = hits = 0
        values: dict[str, set] = defaultdict(set)
        errors = []
        for name in sorted(files & set(labels)):
            expected = set(labels[name][label_kind])
            got = sorted({v for doc in docs.get(name) or [] for v in getattr(doc, kind)})
            matched = set()
            for value in got:
                entity = aliases[kind].get(match_key(value))
                found += 1
                if entity in expected:
                    matched.add(entity)
                    values[entity].add(value)
                else:
                    errors.append(f"FP {name}: {value}")
            hits += len(matched)
            gold += len(expected)
            errors += [f"FN {name}: {e}" for e in sorted(expected - matched)]
        scores[kind] = {
            "precision": hits / found if found else 1.0,
            "recall": hits / gold if gold else 1.0,
            "fragmentation": sum(map(len, values.values())) / len(values) if values else 1.0,
            "errors": errors + [f"FRAG {e}: {' | '.join(sorted(v))}" for e, v in values.items() if len(v) > 1],
        }
    return scores


def file_links(docs: dict[str, list[Document]]) -> dict[frozenset, str]:
    """Pairs of files linked by any relation between their documents, found as the indexer finds them."""
    sources = {doc.id: doc.source for found in docs.values() for doc in found}
    links: dict[frozenset, str] = {}
    for doc_id, related in find_relations(signature(doc) for found in docs.values() for doc in found).items():
        for link in related:
            a, b = sources.get(doc_id), sources.get(link["id"])
            if a and b and a != b:
                links.setdefault(frozenset((a, b)), link["relation"])
    return links


def score_links(links: dict[frozenset, str], pairs_path: Path, files: set[str]) -> dict:
    """Precision and recall of the detected file links touching the given files."""
    labelled = {p: r for p, r in read_pairs(pairs_path, implied=False).items() if p & files}
    accepted = read_pairs(pairs_path)
    detected = {p: r for p, r in links.items() if p & files}
    correct = sum(1 for p in detected if p in accepted)
    return {
        "precision": correct / len(detected) if detected else 1.0,
        "recall": sum(1 for p in labelled if p in detected) / len(labelled) if labelled else 1.0,
        "detected": len(detected),
        "labelled": len(labelled),
        "errors": [f"missed {' '.join(sorted(p))} ({r})" for p, r in sorted(labelled.items(), key=str) if p not in detected]
        + [f"not labelled {' '.join(sorted(p))} ({r})" for p, r in sorted(detected.items(), key=str) if p not in accepted],
    }


def evaluate_splits(corpus_dir: Path, labels_path: Path, entities_path: Path, pairs_path: Path | None = None,
                    sources_path: Path | None = None) -> dict:
    """Every figure, per split: {split: {"files", "metadata", "entities", "links"}}.

    Without a sources table only the whole-archive split is computed (sites are unknown).
    """
    files = read_corpus(Path(corpus_dir))
    labels = load_labels(labels_path)
    aliases = _alias_index(json.loads(Path(entities_path).read_text(encoding="utf-8")))
    pairs = Path(pairs_path) if pairs_path and Path(pairs_path).is_file() else None
    everything = set(files)
    runs = {"whole": (extract_whole(files), everything)}
    if sources_path and Path(sources_path).is_file():
        sites = read_sites(Path(sources_path))
        held_out = extract_held_out(files, sites)
        per_site = Counter(sites.get(s, s) for s in files)
        single = {s for s in files if per_site[sites.get(s, s)] == 1}
        runs["leave-one-site-out"] = (held_out, everything)
        runs["single-site"] = (held_out, single)
    results = {}
    links_of: dict[int, dict] = {}
    for split, (docs, subset) in runs.items():
        if pairs and id(docs) not in links_of:
            links_of[id(docs)] = file_links(docs)
        results[split] = {
            "files": len(subset & set(labels)),
            "metadata": score_metadata(docs, labels, subset),
            "entities": score_entities(docs, labels, aliases, subset),
            "links": score_links(links_of[id(docs)], pairs, subset) if pairs else None,
        }
    return results


def _share(counts: Counter, key: str) -> str:
    total = counts[f"{key}_n"]
    return f"{counts[key] / total:.3f} ({counts[key]}/{total})" if total else "-"


def format_splits(results: dict, details: bool = False) -> str:
    """The figures as one table, a column per split (and each split's errors when details)."""
    rows: list[tuple[str, list[str]]] = []
    cols = list(results)

    def row(name: str, values) -> None:
        rows.append((name, [values(results[c]) for c in cols]))

    row("files", lambda r: str(r["files"]))
    for name, key in (("title", "title"), ("title null", "title_null"), ("date, day precision", "date_day"),
                      ("date, month/year precision", "date_partial"), ("date null", "date_null")):
        row(name, lambda r, key=key: _share(r["metadata"]["counts"], key))
    for kind in TYPES:
        row(f"{kind} P / R", lambda r, k=kind: f"{r['entities'][k]['precision']:.3f} / {r['entities'][k]['recall']:.3f}")
        row(f"{kind} fragmentation", lambda r, k=kind: f"{r['entities'][k]['fragmentation']:.3f}")
    if all(r["links"] for r in results.values()):
        row("related pairs P / R", lambda r: f"{r['links']['precision']:.2f} / {r['links']['recall']:.2f}"
            f" ({r['links']['labelled']})")
    width = max(len(c) for c in cols) + 2
    lines = ["metadata, entities and related pairs by split (leave-one-site-out: learned without the file's site)",
             f"  {'':<28}" + "".join(f"{c:>{max(width, 22)}}" for c in cols)]
    lines += [f"  {name:<28}" + "".join(f"{v:>{max(width, 22)}}" for v in values) for name, values in rows]
    if details:
        for split in cols:
            r = results[split]
            lines.append(f"[{split}]")
            lines += [f"  {m}" for m in r["metadata"]["misses"]]
            for kind in TYPES:
                lines += [f"  {kind} {e}" for e in r["entities"][kind]["errors"]]
            if r["links"]:
                lines += [f"  {e}" for e in r["links"]["errors"]]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the split figures (-v: with every miss) for a corpus and its eval folder."""
    details = "-v" in argv
    args = [a for a in argv if a != "-v"]
    shared = Path(__file__).resolve().parents[3] / "shared"
    corpus = Path(args[0]) if args else shared / "corpus"
    eval_dir = Path(args[1]) if len(args) > 1 else shared / "eval"
    if not corpus.is_dir() or not (eval_dir / "labels.jsonl").is_file():
        print(f"usage: python -m search.evaluation.splits [CORPUS_DIR] [EVAL_DIR] ({corpus} or "
              f"{eval_dir / 'labels.jsonl'} missing)", file=sys.stderr)
        return 2
    results = evaluate_splits(corpus, eval_dir / "labels.jsonl", eval_dir / "entities.json",
                              eval_dir / "pairs.tsv", eval_dir / "sources.tsv")
    print(format_splits(results, details))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
