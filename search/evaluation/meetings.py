"""Score meeting extraction against hand labels: `python -m search.evaluation.meetings`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from search.ingest.cleaning import clean_text
from search.ingest.documents import content_hash, list_files, relative_source
from search.ingest.entities import learn_from_corpus
from search.ingest.knowledge import Knowledge
from search.ingest.extract import ExtractionContext, extract_documents, find_common_lines, read_file_text
from search.ingest.formats import UnreadableFile, supported_extensions
from search.ingest.meetings import find_meetings
from search.ingest.names import fold, person_key


def extract_archive(corpus_dir: str | Path) -> tuple[dict[str, list], Knowledge]:
    """Every document of every file, extracted as the indexer does (common lines, learned names)."""
    root = Path(corpus_dir)
    paths, _skipped = list_files(root, supported_extensions())
    raws = {}
    for path in paths:
        data = path.read_bytes()
        try:
            raws[path] = (data, read_file_text(data, path).text)
        except UnreadableFile:
            continue
    common = find_common_lines((text for _data, text in raws.values()), len(raws))
    knowledge = learn_from_corpus(clean_text(text, None, common) for _data, text in raws.values())
    context = ExtractionContext(common_lines=common, extra={"entities": knowledge})
    documents = {}
    for path, (data, _text) in raws.items():
        source = relative_source(path, root)
        try:
            documents[source] = extract_documents(source, path, data, context, content_hash(data))
        except UnreadableFile:
            continue
    return documents, knowledge


def archive_meetings(documents: dict[str, list], knowledge: Knowledge) -> dict[str, list]:
    """The meetings found in each file's documents, by file name."""
    return {source: [m for doc in docs for m in find_meetings(doc.text, doc.people, doc.organisations, doc.date,
                                                                doc.lang, knowledge)]
            for source, docs in documents.items()}


def load_labels(path: str | Path) -> list[dict]:
    """Labelled sentences from a JSON-lines file: file, sentence, participants ([] when no meeting)."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def _words(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


def _same_sentence(label: str, found: str) -> bool:
    a, b = _words(label), _words(found)
    return a in b or b in a


def _same_entity(label: str, found: str) -> bool:
    # Labels name people as the text does; the extractor gives canonical values: share a long word.
    # "A|B" labels one organisation the text names two ways.
    if "|" in label:
        return any(_same_entity(alternative, found) for alternative in label.split("|"))
    if person_key(label.split()) and person_key(label.split()) == person_key(found.split()):
        return True
    a = {w for w in _words(label).replace(" al ", " ").split() if len(w) > 2}
    b = {w for w in _words(found).split() if len(w) > 2}
    return bool(a & b) or _words(label).replace(" ", "") == _words(found).replace(" ", "")


def _matches(label: dict, meeting) -> bool:
    # Right when every participant found is one the label names (or ties to one, "also"), and at
    # least two are the label's participants.
    names = [p["name"] for p in meeting.participants]
    core = [n for n in names if any(_same_entity(p, n) for p in label["participants"])]
    extra = [n for n in names if n not in core and any(_same_entity(p, n) for p in label.get("also", []))]
    return (_same_sentence(label["sentence"], meeting.sentence) and len(set(core)) >= 2
            and len(core) + len(extra) == len(names))


def score_meetings(corpus_dir: str | Path, labels_path: str | Path) -> dict:
    """Precision and recall of meetings over the labelled files, with the errors."""
    labels = load_labels(labels_path)
    files = sorted({label["file"] for label in labels})
    documents, knowledge = extract_archive(corpus_dir)
    found = archive_meetings({f: documents.get(f, []) for f in files}, knowledge)
    gold = [label for label in labels if label["participants"]]
    right, false_positives = 0, []
    for source in files:
        for meeting in found[source]:
            if any(label["file"] == source and _matches(label, meeting) for label in gold):
                right += 1
            else:
                false_positives.append(f"{source}: {[p['name'] for p in meeting.participants]} | {meeting.sentence}")
    missed = [f"{g['file']}: {g['participants']} | {g['sentence']}" for g in gold
              if not any(_matches(g, m) for m in found[g["file"]])]
    extracted = sum(map(len, found.values()))
    # Labels in French and English (no "lang") apart from the few in other languages.
    fr_en = [g for g in gold if not g.get("lang")]
    fr_en_found = [g for g in fr_en if any(_matches(g, m) for m in found[g["file"]])]
    return {"files": len(files), "labelled": len(gold), "extracted": extracted,
            "precision": right / extracted if extracted else 1.0,
            "recall": (len(gold) - len(missed)) / len(gold) if gold else 1.0,
            "recall_fr_en": len(fr_en_found) / len(fr_en) if fr_en else 1.0,
            "false_positives": false_positives, "missed": missed}


def main(argv: list[str]) -> int:
    """Print the scores for ../shared/corpus against tests/data/meetings.jsonl (-v: the errors)."""
    root = Path(__file__).resolve().parents[2]
    scores = score_meetings(root.parent / "shared" / "corpus", root / "tests" / "data" / "meetings.jsonl")
    print(f"meetings over {scores['files']} files: precision {scores['precision']:.3f}  recall "
          f"{scores['recall']:.3f} (French and English {scores['recall_fr_en']:.3f})  "
          f"({scores['extracted']} extracted, {scores['labelled']} labelled)")
    if "-v" in argv:
        print("\n".join([f"  FP {e}" for e in scores["false_positives"]] + [f"  FN {e}" for e in scores["missed"]]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
