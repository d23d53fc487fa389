"""Build and update the index: incremental by content hash, atomic by generation, one at a time.

Test-only: with SEARCH_TEST_PAUSE_AT set to one of PAUSE_POINTS, a reindex prints
"paused at <point>" on stderr and sleeps SEARCH_TEST_PAUSE_SECONDS (default 30) there, so that
fault tests can kill it at a known moment. It has no other effect; never set it in production.
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

from search.index import store
from search.index.backends import engine_for
from search.index.engine import Engine, GenerationWriter
from search.index.curation import CURATION_FILE, CurationError, read_curation
from search.index.entity_store import load_entity_docs, save_entity_store
from search.index.extraction import DEFAULT_BUDGET, Extraction, extracted
from search.index.facets import build_facet_tables, read_datenum, save_facet_tables
from search.index.learning import learn_entities, save_knowledge
from search.ingest.config_files import ALIASES_FILE, GLOSSARY_FILE, check_config_files
from search.index.relating import RelationsError, RelationsJob
from search.index.scanning import FileState, FilesTable, scan
from search.index.workers import Budget
from search.ingest.documents import Skipped, content_hash, list_files, printable_source
from search.ingest.extract import ExtractionContext, find_common_lines
from search.ingest.formats import supported_extensions
from search.ingest.language import import_model_loader, load_model
from search.index.extraction import read_into
from search.index.spool import Spool, SpooledRecords
from search.resources import data_files_fingerprint

# 2: relation signatures; 3: entity lists as lists; 4: entity knowledge; 5: facet column;
# 6: accents folded before stemming, name keys in Latin and Arabic script, person keys;
# 7: exact_title and exact_text for quoted phrases; 8: the entity store (entity_store.py)
SCHEMA_VERSION = 8

Progress = Callable[[str, int, int], None]
PAUSE_POINTS = ("adding", "committing", "committed", "switching")


class ReindexError(RuntimeError):
    """Nothing usable could be built; the previous index, if any, is still serving."""


@dataclass
class ReindexSummary:
    """What a reindex did, file by file."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    documents: int = 0
    seconds: float = 0.0
    generation: str | None = None
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The one summary line printed at the end of a reindex."""
        text = (
            f"added {self.added}, updated {self.updated}, removed {self.removed}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)}"
        )
        if self.skipped:
            text += ": " + "; ".join(f"{printable_source(s.source)} ({s.reason})" for s in self.skipped)
        return text


@dataclass
class _Plan:
    """What one reindex changes: files to drop, files to (re)extract, and the file list to record."""

    removed: list[str]
    changed: list[FileState]
    old_files: FilesTable
    files_meta: dict[str, dict]
    context: ExtractionContext
    budget: Budget
    signatures: MutableMapping = field(default_factory=dict)  # relations: per re-extracted file (on disk)
    scheduler: str | None = None  # a Dask scheduler extracts the files on its workers (search/index/distributed.py)
    entities: MutableMapping = field(default_factory=dict)  # entity records per file (entity_store.py; on disk)
    spool: Spool | None = None  # the changed files as the archive-wide passes read them (spool.py)


def _pause_for_test(point: str) -> None:
    """Test-only pause (see the module docstring)."""
    if os.environ.get("SEARCH_TEST_PAUSE_AT") == point:
        print(f"paused at {point}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("SEARCH_TEST_PAUSE_SECONDS", "30")))


def _fingerprint(docs_dir: Path) -> str:
    """Changes when anything that shapes extraction changes: code data files or researcher files."""
    parts = [str(SCHEMA_VERSION), data_files_fingerprint()]
    for name in (ALIASES_FILE, GLOSSARY_FILE):
        path = docs_dir / name
        if path.is_file():
            parts.append(content_hash(path.read_bytes()))
    return "-".join(parts)


def reindex(
    docs_dir: str | os.PathLike,
    index_dir: str | os.PathLike,
    full: bool = False,
    progress: Progress | None = None,
    engine: Engine | None = None,
    budget: Budget | None = None,
    scheduler: str | None = None,
) -> ReindexSummary:
    """Index what is new or changed in docs_dir, drop what disappeared, publish atomically.

    `budget` is what one file's extraction may spend (EXTRACT_TIME_LIMIT, EXTRACT_MEMORY_LIMIT).
    With `scheduler` (a Dask scheduler's address) the files are read and extracted on its workers.
    Raises ConfigError (search/resources.py) for a mistake in a configuration file,
    store.IndexLockedError when another reindex runs, ReindexError when no document could
    be indexed, OSError when the index cannot be written; in every case the previous index serves.
    """
    docs_dir, index_dir = Path(docs_dir), Path(index_dir)
    if not docs_dir.is_dir():
        raise FileNotFoundError(f"Documents folder {docs_dir} does not exist; set DOCS_DIR to your archive.")
    check_config_files(docs_dir)  # a mistake in aliases, glossary or curation: one line, nothing built
    started = time.perf_counter()
    with store.ReindexLock(index_dir) as lock:
        summary = ReindexSummary()
        if lock.stale_pid:
            summary.notes.append(
                f"recovered a stale lock left by process {lock.stale_pid}, which stopped during a reindex"
            )
        for name in _discard_unfinished(index_dir):
            summary.notes.append(f"removed {name}, an unfinished generation left by an interrupted reindex")
        _run(engine or engine_for("whoosh"), docs_dir, index_dir, full, progress or (lambda *a: None), summary,
             budget or DEFAULT_BUDGET, scheduler)
    summary.seconds = time.perf_counter() - started
    return summary


def build_index(docs_dir: str | os.PathLike, index_dir: str | os.PathLike, progress: Progress | None = None) -> ReindexSummary:
    """Rebuild the whole index from scratch."""
    return reindex(docs_dir, index_dir, full=True, progress=progress)


def _discard_unfinished(index_dir: Path) -> list[str]:
    """Remove generations newer than the live one: only a killed reindex leaves them (we hold the lock)."""
    live = store.current_generation(index_dir)
    names = []
    for gen in sorted(index_dir.glob(store.GEN_PREFIX + "*")):
        if gen.is_dir() and (live is None or gen.name > live.name):
            store.discard_generation(gen)
            names.append(gen.name)
    return names


def _run(engine: Engine, docs_dir: Path, index_dir: Path, full: bool, progress: Progress,
         summary: ReindexSummary, budget: Budget, scheduler: str | None = None) -> None:
    try:  # editors' corrections apply at query time; a broken file is refused before any work
        read_curation(docs_dir / CURATION_FILE)
    except CurationError as exc:
        raise ReindexError(f"{exc} Nothing was reindexed: the previous index is still serving.") from None
    live = store.current_generation(index_dir)
    meta = store.read_meta(live) if live else {}
    fingerprint = _fingerprint(docs_dir)
    if live is None or meta.get("fingerprint") != fingerprint:
        full = True
    old_files = None if full else FilesTable.load(live, meta)
    if old_files is None:  # a full reindex, or what the live generation was built from is unreadable
        full, old_files = True, FilesTable()

    listed: list = []
    _, listing_skips = list_files(docs_dir, supported_extensions(), listed)
    summary.skipped.extend(listing_skips)
    changed, present, touched, vanished = scan(listed, old_files, summary.skipped, progress)
    del listed
    # A file we could not read this time keeps its documents: only files that are gone lose theirs.
    kept = present | ({s.source for s in summary.skipped} - vanished)
    removed = [src for src in old_files if src not in kept]
    summary.unchanged = len(present) - len(changed)

    if live is not None and not full and not removed and not changed:
        if touched:  # same content, new mtimes: remember them
            FilesTable.of({**old_files, **touched}).save(live)
        summary.generation = live.name
        summary.documents = meta.get("documents", 0)
        return  # nothing else to write: the live generation stays
    files_meta = {src: touched.get(src, info) for src, info in old_files.items() if src in kept}

    # Signatures and entity records wait on disk, not in this process, until they are needed.
    # Related documents (copies, translations) are found from the signatures in a process forked
    # now, while this one is small (search/index/relating.py).
    signatures = Spool(index_dir)
    relations = RelationsJob(SpooledRecords(signatures))
    spool = entity_records = generation = None
    try:
        if scheduler:  # the workers read the files and send back what the passes need (distributed.py)
            from search.index.distributed import passes_on_cluster

            common, knowledge = passes_on_cluster(scheduler, docs_dir, changed, full,
                                                  frozenset(meta.get("common_lines", [])), None if full else live)
        else:
            spool = Spool(index_dir)
            common, knowledge = _archive_passes(docs_dir, changed, full, meta, live, budget, spool)
        context = ExtractionContext(common_lines=common, extra={"entities": knowledge})
        plan = _Plan(removed, changed, old_files, files_meta, context, budget, scheduler=scheduler, spool=spool)
        plan.signatures = relations.signatures
        entity_records = Spool(index_dir)
        plan.entities = SpooledRecords(entity_records, None if full else (lambda: load_entity_docs(live)))

        generation = store.new_generation_dir(index_dir)
        relations.aim(generation, live if not full else None, plan.removed)
        documents = _write(engine, generation, live if not full else None, plan, summary, progress, relations.start)
        if documents == 0:
            raise ReindexError(
                f"No document could be indexed from {docs_dir} ({len(summary.skipped)} file(s) skipped); "
                + ("the previous index is still serving." if live else "add .txt files and run it again.")
            )
        try:
            relations.wait()
        except RelationsError as exc:
            raise ReindexError(str(exc)) from exc
        save_knowledge(generation, knowledge)

        FilesTable.of(plan.files_meta).save(generation)
        store.write_meta(generation, {
            "fingerprint": fingerprint,
            "common_lines": sorted(common),
            "documents": documents,
            "built_at": time.time(),
            "skipped": {s.source: s.reason for s in summary.skipped},
        })
        progress("switching", 1, 1)
        engine.publish(index_dir, generation, lambda: _pause_for_test("switching"))
    except BaseException:
        relations.stop()
        if generation is not None:
            store.discard_generation(generation)
        raise
    finally:
        for opened in (spool, signatures, entity_records):
            if opened is not None:
                opened.close()
    summary.generation = generation.name
    summary.documents = documents


def _archive_passes(docs_dir: Path, changed: list[FileState], full: bool, meta: dict, live: Path | None,
                    budget: Budget, spool: Spool):
    """(common lines, entity knowledge), from the changed files decoded in this machine's pool into
    the spool, where the extraction reads them again (search/index/spool.py)."""
    # The language model loads while the files are decoded and learned from (its decompression
    # frees the interpreter), so the extraction workers forked after it inherit it instead of each
    # spending half a second loading it. The processes forked meanwhile never detect languages,
    # and the thread imports nothing (a process forked while a module is being imported can hang).
    model = threading.Thread(target=load_model, daemon=True)
    if changed:
        import_model_loader()
        model.start()
    texts = read_into(spool, changed, budget)  # decoded once for the passes and the extraction
    if full:
        common = find_common_lines(texts, len(changed))
    else:
        common = frozenset(meta.get("common_lines", []))
    knowledge = learn_entities(docs_dir, texts, common, None if full else live)
    if changed:
        model.join()
    return common, knowledge


def _write(engine: Engine, generation: Path, base: Path | None, plan: _Plan, summary: ReindexSummary,
           progress: Progress, extracted_all: Callable[[], None] = lambda: None) -> int:
    """Fill the new generation (from scratch, or on top of base) and commit; the document count.
    `extracted_all` is called once every changed file is extracted, before the commit."""
    writer = engine.writer(generation, base)
    try:
        try:
            for src in plan.removed:
                writer.delete_source(src)
                plan.entities.pop(src, None)
            summary.removed = len(plan.removed)
            if plan.scheduler:
                from search.index.distributed import extracted_on_cluster

                outcomes = extracted_on_cluster(plan.changed, plan.context, plan.scheduler)
            else:
                outcomes = extracted(plan.changed, plan.context, plan.budget, plan.spool)
            try:
                for i, outcome in enumerate(outcomes, 1):
                    progress("indexing", i, len(plan.changed))
                    _pause_for_test("adding")
                    _index_file(writer, outcome, plan, summary)
            finally:
                if hasattr(outcomes, "close"):
                    outcomes.close()  # the workers stop before the spools close, whatever failed
            extracted_all()
            progress("committing", len(plan.changed), len(plan.changed))
            _pause_for_test("committing")
            documents = writer.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        _pause_for_test("committed")
        view = writer.view()
        try:
            tables, live = build_facet_tables(view)
            save_facet_tables(generation, tables, live, read_datenum(view))
        finally:
            view.close()
        save_entity_store(generation, plan.entities)
        return documents
    finally:
        writer.close()


def _index_file(writer: GenerationWriter, outcome: Extraction, plan: _Plan, summary: ReindexSummary) -> None:
    """Replace one changed file's documents by its extraction; a file that fails is skipped with its reason."""
    state = outcome.state
    source, was_indexed = state.source, state.source in plan.old_files
    if outcome.unreadable:
        summary.skipped.append(Skipped(source, outcome.unreadable))
        return
    if outcome.degraded:
        summary.notes.append(f"{printable_source(source)} was indexed without its people and organisations: "
                             f"its extraction {outcome.degraded}")
    docs = outcome.docs
    if was_indexed:
        writer.delete_source(source)
    plan.signatures[source] = outcome.signatures
    plan.entities[source] = outcome.entities
    if not docs:
        summary.skipped.append(Skipped(source, outcome.reason))
        plan.entities.pop(source, None)
        if was_indexed:  # its content no longer yields documents: they go
            plan.files_meta.pop(source, None)
            summary.removed += 1
        return
    for fields in outcome.fields:
        writer.add(fields)
    plan.files_meta[source] = {"size": state.size, "mtime_ns": state.mtime_ns, "hash": state.digest}
    if was_indexed:
        summary.updated += 1
    else:
        summary.added += 1


