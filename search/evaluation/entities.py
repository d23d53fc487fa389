"""Score people and organisation extraction against hand labels: `python -m search.evaluation.entities`."""
from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from search.ingest.cleaning import clean_text
from search.ingest.entities import extract_entities, learn_from_corpus
from search.ingest.extract import find_common_lines
from search.ingest.language import detect_language
from search.ingest.names import fold, name_rules

TYPES = {"people": "people", "organisations": "orgs"}


def match_key(name: str) -> str:
    """A value as compared with the labels: case, accents, hyphens, dots and leading titles folded."""
    words = re.split(r"[\s\-.,’']+", fold(name))
    words = [w for w in words if w]
    while len(words) > 1 and words[0] in name_rules().titles:
        words = words[1:]
    return " ".join(words)


def _alias_index(entities: dict) -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for kind, label_kind in TYPES.items():
        index[kind] = {}
        for entity_id, entry in entities[label_kind].items():
            for alias in [entry["name"], *entry["aliases"]]:
                index[kind].setdefault(match_key(alias), entity_id)
    return index


def extract_corpus(corpus_dir: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Run the real extraction (cleaning, language, corpus-learned knowledge) over every file."""
    raws = {p.name: p.read_text(encoding="utf-8", errors="replace") for p in sorted(Path(corpus_dir).glob("*.txt"))}
    common = find_common_lines(raws.values(), len(raws))
    texts = {name: clean_text(raw, None, common) for name, raw in raws.items()}
    knowledge = learn_from_corpus(texts.values())
    return {name: extract_entities(text, detect_language(text), knowledge) for name, text in texts.items()}


def score_entities(corpus_dir: str | Path, labels_path: str | Path, entities_path: str | Path) -> dict:
    """Precision, recall and fragmentation of people and organisations over a labelled corpus."""
    labels = [json.loads(line) for line in Path(labels_path).read_text(encoding="utf-8").splitlines() if line.strip()]
    index = _alias_index(json.loads(Path(entities_path).read_text(encoding="utf-8")))
    extracted = extract_corpus(Path(corpus_dir))
    scores: dict = {"files": len(labels)}
    for position, (kind, label_kind) in enumerate(TYPES.items()):
        found = gold = hits = 0
        values: dict[str, set] = defaultdict(set)
        errors = {"false_positives": [], "missed": []}
        for label in labels:
            expected = set(label[label_kind])
            got = extracted.get(label["file"], ([], []))[position]
            matched = set()
            for value in got:
                entity = index[kind].get(match_key(value))
                found += 1
                if entity in expected:
                    matched.add(entity)
                    values[entity].add(value)
                else:
                    errors["false_positives"].append(f"{label['file']}: {value}")
            hits += len(matched)
            gold += len(expected)
            errors["missed"] += [f"{label['file']}: {e}" for e in sorted(expected - matched)]
        scores[kind] = {
            "precision": hits / found if found else 1.0,
            "recall": hits / gold if gold else 1.0,
            "fragmentation": sum(map(len, values.values())) / len(values) if values else 1.0,
            "extracted": found,
            "labelled": gold,
            "fragmented": {e: sorted(v) for e, v in values.items() if len(v) > 1},
            **errors,
        }
    return scores


def format_entities(scores: dict, details: bool = False) -> str:
    """A short report of the scores (and the errors when details is true)."""
    lines = [f"entities over {scores['files']} files"]
    for kind in TYPES:
        s = scores[kind]
        lines.append(f"{kind:14} precision {s['precision']:.3f}  recall {s['recall']:.3f}  "
                     f"fragmentation {s['fragmentation']:.3f}  ({s['extracted']} extracted, {s['labelled']} labelled)")
        if details:
            lines += [f"  FRAG {e}: {' | '.join(v)}" for e, v in s["fragmented"].items()]
            lines += [f"  FP {e}" for e in s["false_positives"]] + [f"  FN {e}" for e in s["missed"]]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the scores for a shared folder holding corpus/ and eval/ (default: ../shared)."""
    details = "-v" in argv
    args = [a for a in argv if a != "-v"]
    shared = Path(args[0]) if args else Path(__file__).resolve().parents[3] / "shared"
    scores = score_entities(shared / "corpus", shared / "eval" / "labels.jsonl", shared / "eval" / "entities.json")
    print(format_entities(scores, details))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
