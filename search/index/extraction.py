"""Extraction for a reindex: each changed file read, extracted (search/ingest/) and its text
fields analysed into postings, in forked worker processes under a per-file budget
(search/index/workers.py); and the raw texts of the files for the archive-wide passes.

A file whose extraction runs past EXTRACT_TIME_LIMIT, or past EXTRACT_MEMORY_LIMIT, or kills its
worker, is extracted again with the cheap steps only (text, language, title, date: no entities);
if that fails too, it is skipped with the reason. The rest of the reindex goes on.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from search.index.entity_store import entity_record
from search.index.schema import analysed, build_schema, document_fields
from search.index.scanning import FileState
from search.index.spool import Spool, SpooledTexts, read_once
from search.index.workers import Budget, supervised_map
from search.ingest.documents import Document, content_hash
from search.ingest.memo import one_file
from search.ingest.extract import ExtractionContext, extract_documents, read_file_text
from search.ingest.formats import RawText, UnreadableFile
from search.ingest.signatures import signature

# Extraction (decoding, cleaning, language, entities, signatures) runs in this many worker
# processes when a reindex has at least POOL_MIN_FILES changed files; fewer run in one worker.
EXTRACT_PROCS = 2
POOL_MIN_FILES = 50  # fewer files are extracted faster than a second worker starts
POOL_WINDOW = 64  # extractions in flight at once: bounds memory when the writer is the slower side
DEFAULT_BUDGET = Budget(seconds=60.0, memory_mb=1024)  # EXTRACT_TIME_LIMIT, EXTRACT_MEMORY_LIMIT


def pool_size(count: int) -> int:
    """Worker processes for `count` files: 1 for a few."""
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
    retry: bool = False  # its full extraction failed (why: reason): try the cheap steps
    degraded: str = ""  # indexed with the cheap steps only, and why
    fields: list[dict] = field(default_factory=list)  # each document's fields, text fields analysed
    entities: list[dict] = field(default_factory=list)  # each document's entity record (variants, roles, meetings)


def extract_file(state: FileState, context: ExtractionContext, spool: Spool | None = None) -> Extraction:
    """Read and extract one file (in a pool worker when there are many), from the spool when it
    holds the file: never raises for a bad file."""
    with one_file():
        return _extract_file(state, context, spool)


def _extract_file(state: FileState, context: ExtractionContext, spool: Spool | None) -> Extraction:
    try:
        data = _spooled(state, spool) or _read(state)
        docs: list[Document] = extract_documents(state.source, state.path, data, context, state.digest)
        schema = _analysis_schema()
        fields = [analysed(document_fields(doc), schema) for doc in docs]
    except FileNotFoundError:
        return Extraction(state, reason="deleted while the reindex ran")
    except OSError as exc:
        return Extraction(state, unreadable=f"cannot read: {exc.strerror or exc}")
    except UnreadableFile as exc:
        return Extraction(state, reason=str(exc))
    except MemoryError:
        raise  # past EXTRACT_MEMORY_LIMIT: the worker answers, and the file is tried again cheaply
    except Exception as exc:  # a bug on one strange file must not cost the whole archive
        return Extraction(state, reason=f"could not be processed ({type(exc).__name__}: {exc})")
    knowledge = context.extra.get("entities")
    return Extraction(state, docs, [signature(doc) for doc in docs], fields=fields,
                      entities=[_entity_record(doc, knowledge) for doc in docs])


def _entity_record(doc: Document, knowledge) -> dict:
    """A document's entity record; a reading that fails on one strange text costs only its record."""
    try:
        return entity_record(doc, knowledge)
    except MemoryError:
        raise  # past the memory budget: handled as for extraction
    except Exception:
        return {"id": doc.id, "date": doc.date, "variants": [], "roles": [], "meetings": []}


_schema = None


def _analysis_schema():
    """The schema whose analysers turn this process's documents into postings (one per process)."""
    global _schema
    if _schema is None:
        _schema = build_schema()
    return _schema


_worker_context: ExtractionContext | None = None  # inherited by the forked workers
_worker_spool: Spool | None = None  # likewise: the files already read and decoded


def _extract_in_worker(state: FileState) -> Extraction:
    return extract_file(state, _worker_context, _worker_spool)


def _extract_cheaply(state: FileState) -> Extraction:
    cheap = ExtractionContext(_worker_context.common_lines, {**_worker_context.extra, "cheap": True})
    return extract_file(state, cheap, _worker_spool)


def _retry(state: FileState, why: str) -> Extraction:
    return Extraction(state, reason=why, retry=True)


def _skip(state: FileState, why: str) -> Extraction:
    return Extraction(state, reason=f"its extraction {why}, even without entity extraction")


def extracted(states: list[FileState], context: ExtractionContext, budget: Budget = DEFAULT_BUDGET,
              spool: Spool | None = None) -> Iterator[Extraction]:
    """Extractions in the files' order (those extracted again with the cheap steps last), from
    forked workers feeding this one writer, each file within the budget; files in the spool are
    not read again."""
    global _worker_context, _worker_spool
    _worker_context = context  # the workers inherit the archive's knowledge instead of unpickling it per task
    _worker_spool = spool
    try:
        again = []
        for outcome in supervised_map(_extract_in_worker, states, _retry, budget, pool_size(len(states)), POOL_WINDOW):
            if outcome.retry:
                again.append((outcome.state, outcome.reason))
            else:
                yield outcome
        whys = {state.source: why for state, why in again}  # the workers answer with copies of the states
        for outcome in supervised_map(_extract_cheaply, [state for state, _ in again], _skip, budget):
            if outcome.docs:
                outcome.degraded = whys[outcome.state.source]
            yield outcome
    finally:
        _worker_context = _worker_spool = None


def _spooled(state: FileState, spool: Spool | None) -> RawText | None:
    """The file as the archive-wide passes read it, when they did (the state takes that reading's
    size, time and hash: they describe what is indexed)."""
    record = spool.get(state.source) if spool is not None else None
    if record is None:
        return None
    state.size, state.mtime_ns, state.digest = record.size, record.mtime_ns, record.digest
    return record.raw


def _read(state: FileState) -> bytes:
    """Read a file again for extraction (files are not kept in memory between scan and extraction)."""
    with open(state.path, "rb") as handle:
        st = os.fstat(handle.fileno())
        data = handle.read()
    state.size, state.mtime_ns = st.st_size, st.st_mtime_ns
    state.digest = content_hash(data)  # it may have changed since the scan: record what we indexed
    return data


def read_into(spool: Spool, states: list[FileState], budget: Budget = DEFAULT_BUDGET) -> SpooledTexts:
    """Read and decode each changed file once, in workers, into the spool; their raw texts, for the
    archive-wide passes (a file that stalls its reader is left out here and meets the same budget
    at extraction)."""
    paths = [state.path for state in states]
    records = supervised_map(read_once, paths, lambda _path, _why: None, budget, pool_size(len(paths)), 256)
    try:
        for state, record in zip(states, records):
            if record is not None:
                spool.add(state.source, record)
    finally:
        records.close()  # the workers stop now, even when writing the spool failed (a full disk)
    return spool.texts([state.source for state in states])


def text_of(path: Path) -> str | None:
    """A file's raw text, or None when it cannot be read."""
    try:
        return read_file_text(path.read_bytes(), path).text
    except (OSError, UnreadableFile):
        return None


