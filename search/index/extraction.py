"""Extraction for a reindex: each changed file read, extracted (search/ingest/) and its text
fields analysed into postings, in a pool of forked worker processes when there are many; and the
raw texts of the files for the archive-wide passes."""
from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from search.index.entity_store import entity_record
from search.index.schema import analysed, build_schema, document_fields
from search.index.scanning import FileState
from search.ingest.documents import Document, content_hash
from search.ingest.extract import ExtractionContext, extract_documents, read_file_text
from search.ingest.formats import UnreadableFile
from search.ingest.signatures import signature

# Extraction (decoding, cleaning, language, entities, signatures) runs in this many worker
# processes when a reindex has at least POOL_MIN_FILES changed files; small ones stay in-process.
EXTRACT_PROCS = 2
POOL_MIN_FILES = 50  # fewer files are extracted faster than a pool starts
POOL_WINDOW = 64  # extractions in flight at once: bounds memory when the writer is the slower side


def pool_size(count: int) -> int:
    """Worker processes for `count` files: 1 (in-process) for a few."""
    procs = min(EXTRACT_PROCS, os.cpu_count() or 1)
    return 1 if procs < 2 or count < POOL_MIN_FILES else procs


@dataclass
class Extraction:
    """What extracting one changed file gave: its documents and their signatures, or why none."""

    state: FileState
    docs: list[Document] = field(default_factory=list)
    signatures: list[dict] = field(default_factory=list)
    reason: str = ""
    unreadable: str | None = None  # unreadable for now: its previous documents stay
    fields: list[dict] = field(default_factory=list)  # each document's fields, text fields analysed
    entities: list[dict] = field(default_factory=list)  # each document's entity record (variants, roles, meetings)


def extract_file(state: FileState, context: ExtractionContext) -> Extraction:
    """Read and extract one file (in a pool worker when there are many): never raises for a bad file."""
    try:
        data = _read(state)
        docs: list[Document] = extract_documents(state.source, state.path, data, context, state.digest)
        schema = _analysis_schema()
        fields = [analysed(document_fields(doc), schema) for doc in docs]
    except FileNotFoundError:
        return Extraction(state, reason="deleted while the reindex ran")
    except OSError as exc:
        return Extraction(state, unreadable=f"cannot read: {exc.strerror or exc}")
    except UnreadableFile as exc:
        return Extraction(state, reason=str(exc))
    except Exception as exc:  # a bug on one strange file must not cost the whole archive
        return Extraction(state, reason=f"could not be processed ({type(exc).__name__}: {exc})")
    knowledge = context.extra.get("entities")
    return Extraction(state, docs, [signature(doc) for doc in docs], fields=fields,
                      entities=[_entity_record(doc, knowledge) for doc in docs])


def _entity_record(doc: Document, knowledge) -> dict:
    """A document's entity record; a reading that fails on one strange text costs only its record."""
    try:
        return entity_record(doc, knowledge)
    except Exception:
        return {"id": doc.id, "date": doc.date, "variants": [], "roles": [], "meetings": []}


_schema = None


def _analysis_schema():
    """The schema whose analysers turn this process's documents into postings (one per process)."""
    global _schema
    if _schema is None:
        _schema = build_schema()
    return _schema


_worker_context: ExtractionContext | None = None


def _set_worker_context(context: ExtractionContext) -> None:
    global _worker_context
    _worker_context = context


def _extract_in_worker(state: FileState) -> Extraction:
    return extract_file(state, _worker_context)


def extracted(states: list[FileState], context: ExtractionContext) -> Iterator[Extraction]:
    """Extractions in the files' order; from a process pool feeding this one writer when there are
    many files (extraction is half a full reindex's work), with a bounded number in flight."""
    procs = pool_size(len(states))
    if procs < 2:
        for state in states:
            yield extract_file(state, context)
        return
    window = threading.BoundedSemaphore(POOL_WINDOW)

    def feed():
        for state in states:
            window.acquire()  # the pool's feeder thread waits here while the writer catches up
            yield state

    # Forked workers inherit the context (the archive's entity knowledge) instead of unpickling it per task.
    with multiprocessing.get_context("fork").Pool(procs, _set_worker_context, (context,)) as pool:
        for outcome in pool.imap(_extract_in_worker, feed(), chunksize=4):
            window.release()
            yield outcome


def _read(state: FileState) -> bytes:
    """Read a file again for extraction (files are not kept in memory between scan and extraction)."""
    with open(state.path, "rb") as handle:
        st = os.fstat(handle.fileno())
        data = handle.read()
    state.size, state.mtime_ns = st.st_size, st.st_mtime_ns
    state.digest = content_hash(data)  # it may have changed since the scan: record what we indexed
    return data


def raw_texts(states: list[FileState]) -> list[str]:
    """The raw text of each readable file, for the archive-wide passes (common lines, entity
    learning); decoded in the process pool when there are many."""
    paths = [state.path for state in states]
    procs = pool_size(len(paths))
    if procs < 2:
        texts = map(_text_of, paths)
    else:
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            texts = pool.map(_text_of, paths, chunksize=64)
    return [text for text in texts if text is not None]


def _text_of(path: Path) -> str | None:
    try:
        return read_file_text(path.read_bytes(), path).text
    except (OSError, UnreadableFile):
        return None


