"""A listing page becomes one document per article; an ordinary article is never split."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.ingest.documents import document_id
from search.ingest.extract import ExtractionContext, extract_documents, split_listing
from conftest import PROJECT

ROOT = PROJECT  # the project folder
SEEDS = ROOT / "seeds"
LABELS = ROOT.parent / "shared" / "eval" / "labels.jsonl"
CORPUS = ROOT.parent / "shared" / "corpus"


def extract(path: Path):
    return extract_documents(path.name, path, path.read_bytes(), ExtractionContext(), "")


def test_seed_003_is_split_into_its_two_articles():
    path = next(SEEDS.glob("003_*.txt"))
    docs = extract(path)
    assert [(d.title, d.date) for d in docs] == [
        ("ICESCO Director-General receives former Director-General of ALECSO", "2024-07-26"),
        ("ICESCO and the Arab Information and Communication Technologies Organization Sign Cooperation Agreement",
         "2024-05-28"),
    ]
    assert [d.id for d in docs] == [document_id(path.name), document_id(path.name, 2)]
    assert {d.source for d in docs} == {path.name}
    assert "ALECSO" in docs[0].organisations and "AICTO" in docs[1].organisations
    assert "AICTO" not in docs[0].text


@pytest.mark.parametrize("name", [p.name for p in sorted(SEEDS.glob("*.txt")) if not p.name.startswith("003")])
def test_seed_articles_stay_whole(name):
    assert len(extract(SEEDS / name)) == 1


def test_subheadings_of_one_article_do_not_split_it():
    body = "The programme covers teacher training, digital schools and literacy in many member states. " * 3
    text = "\n\n".join([
        "ICESCO Launches a New Programme for Digital Education",
        "Rabat, 12 March 2024", body,
        "Teacher Training in Member States", body,
        "Digital Schools and Literacy Programmes", body,
    ])
    assert len(split_listing(text)) == 1


@pytest.mark.skipif(not LABELS.is_file(), reason="shared labels not available")
def test_labelled_articles_are_not_split_and_keep_their_title():
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    for label in labels:
        path = CORPUS / label["file"]
        if label["kind"] == "listing" or not path.is_file():
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        assert len(split_listing(raw)) == 1 or len(extract(path)) == 1, label["file"]
