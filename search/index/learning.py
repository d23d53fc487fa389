"""What a reindex learns about names from the whole archive (search/ingest/entities.py), and the
learned knowledge kept in each generation so that an incremental reindex extends it."""
from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path

from search.index import store
from search.index.extraction import pool_size
from search.ingest.cleaning import clean_text
from search.ingest.config_files import ALIASES_FILE
from search.ingest.entities import learn_from_corpus
from search.ingest.knowledge import Knowledge, load_aliases

KNOWLEDGE_FILE = "entities.pickle"  # the archive's learned entity knowledge, one per generation


def learn_entities(docs_dir: Path, texts: list[str], common: frozenset[str], base_generation: Path | None) -> Knowledge:
    """What the archive teaches about names: the researcher's aliases, then acronyms and name forms.

    A full build learns from every file; an incremental one extends the live generation's knowledge
    with the changed files, so unchanged documents keep the values they were indexed with.
    """
    base = _load_knowledge(base_generation) if base_generation else None
    if base is None:
        base = load_aliases(docs_dir / ALIASES_FILE)
    procs = pool_size(len(texts))
    if procs < 2:
        return learn_from_corpus((clean_text(text, None, common) for text in texts), base)
    global _learning
    _learning = (texts, common)  # forked workers inherit the texts: only chunk bounds travel
    size = -(-len(texts) // (procs * 4))
    try:
        with multiprocessing.get_context("fork").Pool(procs) as pool:

            def map_chunks(function, knowledge):
                return pool.map(_learn_chunk, [(function, start, start + size, knowledge)
                                               for start in range(0, len(texts), size)])

            return learn_from_corpus((), base, map_chunks)
    finally:
        _learning = None


_learning: tuple[list[str], frozenset[str]] | None = None  # the texts being learned from, and common lines


def _learn_chunk(task):
    """One chunk of an entity learning pass, in a pool worker: its texts cleaned, then the pass."""
    function, start, end, knowledge = task
    texts, common = _learning
    return function([clean_text(text, None, common) for text in texts[start:end]], knowledge)


def save_knowledge(generation: Path, knowledge: Knowledge) -> None:
    store.replace_file(generation / KNOWLEDGE_FILE,
                       lambda handle: pickle.dump(knowledge, handle, protocol=pickle.HIGHEST_PROTOCOL))


def _load_knowledge(generation: Path) -> Knowledge | None:
    try:
        with open(generation / KNOWLEDGE_FILE, "rb") as handle:
            knowledge = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return knowledge if isinstance(knowledge, Knowledge) else None


