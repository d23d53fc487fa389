"""Score metadata extraction (language, title, date) against hand labels: `python -m search.evaluation.metadata`."""
from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

from search.ingest.documents import content_hash, list_files, relative_source
from search.ingest.extract import ExtractionContext, extract_documents, find_common_lines, read_file_text
from search.ingest.formats import UnreadableFile, supported_extensions

# Label values outside the languages we treat by name: any other ISO code counts as right.
NAMED_LANGUAGES = {"fr", "en", "ar", "es"}


def _normalise(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(unicodedata.normalize("NFC", text).split())


def _lang_right(label: str, found: str) -> bool:
    if label == "other":
        return found not in NAMED_LANGUAGES
    return label == found


def _date_right(label: str | None, date: str | None, year: int | None) -> bool:
    """The date at the labelled precision (YYYY-MM-DD, YYYY-MM or YYYY), or null for a null label."""
    if label is None:
        return date is None
    return date == label and year == int(label[:4])


def load_labels(labels_path: str | Path) -> dict[str, dict]:
    """Labels by file name (relative to the corpus folder), from a JSON-lines file."""
    labels = {}
    with open(labels_path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{labels_path}:{number}: not valid JSON ({exc})") from exc
            labels[item["file"]] = item
    return labels


def extract_corpus(corpus_dir: str | Path) -> dict[str, object]:
    """The first document of each file of the corpus, extracted as the indexer does."""
    root = Path(corpus_dir)
    paths, _skipped = list_files(root, supported_extensions())
    raw_texts = {}
    for path in paths:
        data = path.read_bytes()
        try:
            raw_texts[path] = (data, read_file_text(data, path).text)
        except UnreadableFile:
            continue
    common = find_common_lines((text for _data, text in raw_texts.values()), len(raw_texts))
    context = ExtractionContext(common_lines=common)
    documents = {}
    for path, (data, _text) in raw_texts.items():
        source = relative_source(path, root)
        try:
            docs = extract_documents(source, path, data, context, content_hash(data))
        except UnreadableFile:
            continue
        if docs:
            documents[source] = docs[0]
    return documents


def score_metadata(corpus_dir: str | Path, labels_path: str | Path) -> dict:
    """Share of files whose language, title and date match the labels, plus the misses."""
    if not Path(corpus_dir).is_dir():
        raise ValueError(f"{corpus_dir}: not a folder (expected the corpus of .txt files)")
    labels = load_labels(labels_path)
    documents = extract_corpus(corpus_dir)
    counts = {"files": 0, "lang": 0, "title_labelled": 0, "title": 0, "title_null_labelled": 0,
              "title_null": 0, "date_labelled": 0, "date": 0, "date_partial_labelled": 0,
              "date_partial": 0, "date_null_labelled": 0, "date_null": 0, "year_null": 0}
    misses: list[dict] = []
    for name, label in sorted(labels.items()):
        doc = documents.get(name)
        counts["files"] += 1
        lang = doc.lang if doc else None
        title = _normalise(doc.title) if doc else None
        date, year = (doc.date, doc.year) if doc else (None, None)
        if doc and _lang_right(label["lang"], lang):
            counts["lang"] += 1
        else:
            misses.append({"file": name, "field": "lang", "label": label["lang"], "found": lang})
        want_title = _normalise(label.get("title"))
        key = "title" if want_title is not None else "title_null"
        counts[f"{key}_labelled"] += 1
        if title == want_title:
            counts[key] += 1
        else:
            misses.append({"file": name, "field": "title", "label": want_title, "found": title})
        want_date = label.get("date")
        key = "date_null" if want_date is None else "date" if len(want_date) == 10 else "date_partial"
        counts[f"{key}_labelled"] += 1
        if want_date is None:
            counts["year_null"] += year is None
        if _date_right(want_date, date, year):
            counts[key] += 1
        else:
            misses.append({"file": name, "field": "date", "label": want_date, "found": date, "year": year})

    def share(hit: str, total: str) -> float:
        return counts[hit] / counts[total] if counts[total] else 1.0

    return {
        **counts,
        "lang_accuracy": share("lang", "files"),
        "title_accuracy": share("title", "title_labelled"),
        "title_null_accuracy": share("title_null", "title_null_labelled"),
        "date_accuracy": share("date", "date_labelled"),
        "date_partial_accuracy": share("date_partial", "date_partial_labelled"),
        "date_null_accuracy": share("date_null", "date_null_labelled"),
        "misses": misses,
    }


def format_metadata(scores: dict, show_misses: bool = True) -> str:
    """A short human-readable report of score_metadata's figures (and its misses)."""
    rows = [
        ("language", "lang", "files"),
        ("title (labelled)", "title", "title_labelled"),
        ("title null (labelled null)", "title_null", "title_null_labelled"),
        ("date exact (labelled YYYY-MM-DD)", "date", "date_labelled"),
        ("date partial (labelled YYYY-MM or YYYY)", "date_partial", "date_partial_labelled"),
        ("date null (labelled null)", "date_null", "date_null_labelled"),
        ("year null (labelled null)", "year_null", "date_null_labelled"),
    ]
    lines = ["metadata extraction vs labels"]
    for name, hit, total in rows:
        pct = 100 * scores[hit] / scores[total] if scores[total] else 100.0
        lines.append(f"  {name:<52} {scores[hit]:>4}/{scores[total]:<4} {pct:6.1f} %")
    if show_misses and scores["misses"]:
        lines.append("misses:")
        for miss in scores["misses"]:
            extra = f" (year {miss['year']})" if miss.get("year") and miss["field"] == "date" else ""
            lines.append(f"  {miss['file']} {miss['field']}: want {miss['label']!r}, got {miss['found']!r}{extra}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the figures for a corpus and its labels (defaults: the shared evaluation set)."""
    shared = Path(__file__).resolve().parents[3] / "shared"
    corpus = Path(argv[0]) if argv else shared / "corpus"
    labels = Path(argv[1]) if len(argv) > 1 else shared / "eval" / "labels.jsonl"
    try:
        scores = score_metadata(corpus, labels)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_metadata(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
