"""Language detection on cleaned text (seeds, four languages, too little text) and metadata targets."""

import pytest

from search.ingest.language import UNDETERMINED, detect_language
from tests.ingest.test_titles import seed_text
from conftest import SHARED


@pytest.mark.parametrize("prefix, lang", [("000", "fr"), ("001", "en"), ("002", "fr"), ("003", "en"), ("004", "fr")])
def test_seed_languages(prefix, lang):
    assert detect_language(seed_text(prefix)) == lang


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Le Directeur général de l’ICESCO a reçu le ministre de l’Éducation au siège de l’Organisation.", "fr"),
        ("The Director-General of ICESCO received the Minister of Education at the Organization’s headquarters.", "en"),
        ("استقبل المدير العام للإيسيسكو وزير التربية في مقر المنظمة بالرباط", "ar"),
        ("Samarcanda organizó un congreso mundial que celebra el rico legado cultural de Uzbekistán.", "es"),
    ],
)
def test_detects_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "ICESCO", "2024 05"])
def test_too_little_text_is_undetermined(text):
    assert detect_language(text) == UNDETERMINED




@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="shared evaluation data not present")
def test_metadata_on_labelled_corpus_meets_targets():
    from search.evaluation.metadata import format_metadata, score_metadata

    scores = score_metadata(SHARED / "corpus", SHARED / "eval" / "labels.jsonl")
    report = format_metadata(scores)
    assert scores["lang_accuracy"] >= 0.98, report
    assert scores["title_accuracy"] >= 0.90, report
    assert scores["date_accuracy"] >= 0.90, report
    assert scores["date_null_accuracy"] >= 0.90, report
