"""Extraction runs in time linear in the text: repetitive texts, a 1 MB report, a file of one acronym.

Times are CPU seconds of this process (time.process_time): the machine is shared, and what these
tests guard is the work extraction does, not how busy the other processes keep the cores.
"""
from __future__ import annotations

import random
import re
import resource
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.ingest.cleaning import clean_text
from search.ingest.entities import learn_from_corpus
from search.ingest.extract import ExtractionContext, extract_documents
from search.index.indexer import reindex
from search.ingest.language import load_model
from search.ingest.org_patterns import ENGLISH_NAME, find_english_names
from search.query.service import SearchRequest, SearchService
from search.ingest.signatures import signature
from conftest import SEEDS

# Units that made a step quadratic or worse before: runs of capitalised words without a head noun,
# long words of capitals, names after titles, lines of spaces that cleaning keeps.
UNITS = ["ICESCO ", "Dr. Salim AlMalik ", "A. ", "AB&", "A", "Aé", "Aaaa ", "Mr. ", "ICESCO’s ", "Dr ", "A-",
         "\x0c", "\u2028", "Union ", "University of ", "Commission de la ", "(ICESCO) ", "29 mai 2024 ", "• item\n",
         "Title Case Words Here\n", "Ministère ", "le ministre ", "Al Malik ", "x\u3000", "- ", "…", "1 "]
FILLER = ["and", "the", "met", "de", "la", ",", ".", "\n", "\n\n", "2024", "Council", "of"]
# CPU milliseconds per kilobyte: the 1 MB case is given 3 ms; a quadratic step on 64 KB took 100 times that.
MS_PER_KB = 30


@pytest.fixture(scope="module", autouse=True)
def language_model():
    load_model()  # once per process, not part of any one text's cost


def extract_all(text: str) -> list:
    """Everything a reindex does with one file's text: learning, extraction, signatures."""
    knowledge = learn_from_corpus([clean_text(text)])
    docs = extract_documents("a.txt", Path("a.txt"), text.encode(), ExtractionContext(extra={"entities": knowledge}), "x")
    return [signature(doc) for doc in docs]


def cpu_of_process_and_children() -> float:
    """CPU seconds used so far by this process and its finished children (a reindex forks some)."""
    return sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for field in ("ru_utime", "ru_stime"))


def cpu_seconds(function, *args) -> float:
    started = time.process_time()
    function(*args)
    return time.process_time() - started


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(UNITS + FILLER), min_size=1, max_size=4).map("".join))
def test_long_repetitive_texts_take_bounded_time_per_kilobyte(unit):
    text = "Report\n\n" + unit * (64_000 // len(unit))
    seconds = cpu_seconds(extract_all, text)
    assert seconds * 1000 / (len(text.encode()) / 1024) <= MS_PER_KB, (unit, seconds)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["A", "AB", "a", " ", "\t", ",", "-", "’s", "&", "and", "of", "the", "University",
                                 "XUniversity", "e-", "Centre", "Director", "based", "É"]), max_size=12).map("".join))
def test_english_names_are_those_of_the_regex(text):
    assert [m.span() for m in find_english_names(text)] == [m.span() for m in ENGLISH_NAME.finditer(text)]


def mentions_text(size: int) -> str:
    """A report naming three organisations and one person about every ten characters."""
    rnd = random.Random(17)
    names = ["ICESCO", "ALECSO", "AICTO", "Dr. Salim AlMalik"]
    parts, length, i = [], 0, 0
    while length < size:
        end = "\n\n" if i % 40 == 39 else ". " if i % 10 == 9 else ", " if i % 3 == 2 else " "
        parts.append(rnd.choice(names) + end)
        length += len(parts[-1])
        i += 1
    return "".join(parts)[:size]


def test_a_1_mb_text_with_100000_mentions_is_extracted_in_3_seconds():
    text = mentions_text(1_000_000)
    assert len(re.findall(r"ICESCO|ALECSO|AICTO|AlMalik", text)) >= 100_000
    knowledge = learn_from_corpus([clean_text(text)])
    context = ExtractionContext(extra={"entities": knowledge})
    times = []
    for _ in range(3):  # the best of three: a shared machine's noise only ever adds time (CPU time
        # of the same extraction, run alone, measured 2.7 to 5.5 s here on a busy hour)
        started = time.process_time()
        docs = extract_documents("report.txt", Path("report.txt"), text.encode(), context, "x")
        times.append(time.process_time() - started)
    assert min(times) <= 3, f"{min(times):.1f} s"
    assert {"ICESCO", "ALECSO", "AICTO"} <= set(docs[0].organisations)
    assert "Salim AlMalik" in docs[0].people


def test_the_seeds_and_140_kb_of_one_acronym_reindex_in_10_seconds(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    (docs / "acronym.txt").write_text(" ".join(["ICESCO"] * 20_000) + "\n", encoding="utf-8")
    assert (docs / "acronym.txt").stat().st_size >= 140_000
    before = cpu_of_process_and_children()
    summary = reindex(docs, tmp_path / "index", full=True)
    seconds = cpu_of_process_and_children() - before
    assert seconds <= 10, f"{seconds:.1f} s"
    assert summary.added == 6 and not summary.skipped
    found = SearchService(tmp_path / "index").search(SearchRequest(q="ICESCO", org=["ICESCO"], per_page=100))
    assert "acronym.txt" in {hit.source for hit in found.hits}
