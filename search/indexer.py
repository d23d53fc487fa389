"""Build and update the index: incremental by content hash, atomic by generation, one at a time.

Test-only: with SEARCH_TEST_PAUSE_AT set to one of PAUSE_POINTS, a reindex prints
"paused at <point>" on stderr and sleeps SEARCH_TEST_PAUSE_SECONDS (default 30) there, so that
fault tests can kill it at a known moment. It has no other effect; never set it in production.
"""
from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader

from . import store
from .documents import Document, Skipped, content_hash, list_files, printable_source, relative_source
from .cleaning import clean_text
from .entities import Knowledge, learn_from_corpus, load_aliases
from .extract import ExtractionContext, extract_documents, find_common_lines, read_file_text
from .facets import build_facet_tables, read_datenum, save_facet_tables
from .formats import UnreadableFile, supported_extensions
from .language import import_model_loader, load_model
from .longlists import write_missing as write_long_lists
from .relations import update_relations
from .scoring import region_postings
from .signatures import signature
from .resources import data_files_fingerprint
from .schema import analysed, build_schema, document_fields

SCHEMA_VERSION = 5  # 2: relation signatures; 3: entity lists as lists; 4: entity knowledge; 5: facet column
MAX_FILE_BYTES = 25 * 1024 * 1024
ALIASES_FILE = "aliases.toml"
KNOWLEDGE_FILE = "entities.pickle"  # the archive's learned entity knowledge, one per generation
WRITER_LIMIT_MB = 256
# Extraction (decoding, cleaning, language, entities, signatures) runs in this many worker
# processes when a reindex has at least POOL_MIN_FILES changed files; small ones stay in-process.
EXTRACT_PROCS = 2
POOL_MIN_FILES = 50  # fewer files are extracted faster than a pool starts
POOL_WINDOW = 64  # extractions in flight at once: bounds memory when the writer is the slower side

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
class _FileState:
    source: str
    path: Path
    size: int
    mtime_ns: int
    digest: str | None = None
    changed: bool = False


@dataclass
class _Plan:
    """What one reindex changes: files to drop, files to (re)extract, and the file list to record."""

    removed: list[str]
    changed: list[_FileState]
    old_files: dict[str, dict]
    files_meta: dict[str, dict]
    context: ExtractionContext
    signatures: dict[str, list[dict]] = field(default_factory=dict)  # relations: per re-extracted file


def _pause_for_test(point: str) -> None:
    """Test-only pause (see the module docstring)."""
    if os.environ.get("SEARCH_TEST_PAUSE_AT") == point:
        print(f"paused at {point}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("SEARCH_TEST_PAUSE_SECONDS", "30")))


def _fingerprint(docs_dir: Path) -> str:
    """Changes when anything that shapes extraction changes: code data files or researcher files."""
    parts = [str(SCHEMA_VERSION), data_files_fingerprint()]
    for name in (ALIASES_FILE, "glossary.toml"):
        path = docs_dir / name
        if path.is_file():
            parts.append(content_hash(path.read_bytes()))
    return "-".join(parts)


def reindex(
    docs_dir: str | os.PathLike,
    index_dir: str | os.PathLike,
    full: bool = False,
    progress: Progress | None = None,
) -> ReindexSummary:
    """Index what is new or changed in docs_dir, drop what disappeared, publish atomically.

    Raises store.IndexLockedError when another reindex runs, ReindexError when no document could
    be indexed, OSError when the index cannot be written; in every case the previous index serves.
    """
    docs_dir, index_dir = Path(docs_dir), Path(index_dir)
    if not docs_dir.is_dir():
        raise FileNotFoundError(f"Documents folder {docs_dir} does not exist; set DOCS_DIR to your archive.")
    started = time.perf_counter()
    with store.ReindexLock(index_dir) as lock:
        summary = ReindexSummary()
        if lock.stale_pid:
            summary.notes.append(
                f"recovered a stale lock left by process {lock.stale_pid}, which stopped during a reindex"
            )
        for name in _discard_unfinished(index_dir):
            summary.notes.append(f"removed {name}, an unfinished generation left by an interrupted reindex")
        _run(docs_dir, index_dir, full, progress or (lambda *a: None), summary)
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


def _run(docs_dir: Path, index_dir: Path, full: bool, progress: Progress, summary: ReindexSummary) -> None:
    live = store.current_generation(index_dir)
    meta = store.read_meta(live) if live else {}
    fingerprint = _fingerprint(docs_dir)
    if live is None or meta.get("fingerprint") != fingerprint:
        full = True
    # A copy: the scan updates mtimes of touched files, and meta must show whether it did.
    old_files: dict[str, dict] = {} if full else {k: dict(v) for k, v in meta.get("files", {}).items()}

    paths, listing_skips = list_files(docs_dir, supported_extensions())
    summary.skipped.extend(listing_skips)
    states, vanished = _scan(docs_dir, paths, old_files, summary, progress)
    # A file we could not read this time keeps its documents: only files that are gone lose theirs.
    kept = {s.source for s in states} | ({s.source for s in summary.skipped} - vanished)
    removed = [src for src in old_files if src not in kept]
    changed = [s for s in states if s.changed]
    summary.unchanged = len(states) - len(changed)
    files_meta = {src: info for src, info in old_files.items() if src in kept}

    if live is not None and not full and not removed and not changed:
        if files_meta != meta.get("files"):  # touched files: remember their new mtimes
            store.write_meta(live, {**meta, "files": files_meta})
        summary.generation = live.name
        summary.documents = meta.get("documents", 0)
        return  # nothing else to write: the live generation stays

    # The language model loads while the files are decoded and learned from (its decompression
    # frees the interpreter), so the extraction workers forked after it inherit it instead of each
    # spending half a second loading it. The processes forked meanwhile never detect languages,
    # and the thread imports nothing (a process forked while a module is being imported can hang).
    model = threading.Thread(target=load_model, daemon=True)
    if changed:
        import_model_loader()
        model.start()
    texts = _texts(changed)  # decoded once for both archive-wide passes
    if full:
        common = find_common_lines(texts, len(changed))
    else:
        common = frozenset(meta.get("common_lines", []))
    knowledge = _learn_entities(docs_dir, texts, common, None if full else live)
    del texts
    if changed:
        model.join()
    context = ExtractionContext(common_lines=common, extra={"entities": knowledge})
    plan = _Plan(removed, changed, old_files, files_meta, context)

    generation = store.new_generation_dir(index_dir)
    # Related documents (copies, translations), from signatures kept in the generation.
    relations = _RelationsJob(generation, live if not full else None, plan)
    try:
        documents = _write(generation, live if not full else None, plan, summary, progress, relations.start)
        if documents == 0:
            raise ReindexError(
                f"No document could be indexed from {docs_dir} ({len(summary.skipped)} file(s) skipped); "
                + ("the previous index is still serving." if live else "add .txt files and run it again.")
            )
        relations.wait()
        _save_knowledge(generation, knowledge)

        store.write_meta(generation, {
            "fingerprint": fingerprint,
            "files": files_meta,
            "common_lines": sorted(common),
            "documents": documents,
            "built_at": time.time(),
            "skipped": {s.source: s.reason for s in summary.skipped},
        })
        progress("switching", 1, 1)
        store.publish_generation(index_dir, generation, before_switch=lambda: _pause_for_test("switching"))
    except BaseException:
        relations.stop()
        store.discard_generation(generation)
        raise
    summary.generation = generation.name
    summary.documents = documents


class _RelationsJob:
    """A generation's related documents, computed in a forked process while this one commits the
    index and builds its facet tables: on two cores the two overlap, and after the extraction of
    a few changed files they are most of what a reindex has left to do."""

    def __init__(self, generation: Path, base: Path | None, plan: _Plan):
        self.generation, self.base, self.plan = generation, base, plan
        self._process = None
        self._outcome = None

    def start(self) -> None:
        """Start once every changed file's signatures are in the plan (the child sees them as they are)."""
        context = multiprocessing.get_context("fork")
        self._outcome, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_relations_in_child, args=(sender, self.generation, self.base,
                                                                           self.plan.signatures, self.plan.removed))
        self._process.start()
        sender.close()

    def wait(self) -> None:
        """Wait for the relations to be written; raises what computing them raised."""
        if self._process is None:
            self.start()
        try:
            failure = self._outcome.recv()
        except EOFError:
            failure = ReindexError(f"Finding related documents stopped (exit code {self._process.exitcode}).")
        self._process.join()
        self._process = None
        if failure is not None:
            raise failure

    def stop(self) -> None:
        """Stop the child if it still runs (the reindex failed)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._process = None


def _relations_in_child(outcome, generation: Path, base: Path | None, signatures: dict, removed: list[str]) -> None:
    # A short-lived process building and dropping many small containers: without the cycle
    # collector walking them again and again, loading the signatures and finding the relations
    # take about a third less (its memory goes back when it exits).
    gc.disable()
    failure = None
    try:
        update_relations(generation, base, signatures, removed)
    except BaseException as exc:  # reported to the parent, which raises it
        failure = exc
    try:
        outcome.send(failure)
    except Exception:  # an exception that does not pickle: its text
        outcome.send(ReindexError(f"Finding related documents failed ({type(failure).__name__}: {failure})"))
    outcome.close()


def _write(generation: Path, base: Path | None, plan: _Plan, summary: ReindexSummary, progress: Progress,
           extracted: Callable[[], None] = lambda: None) -> int:
    """Fill the new generation (from scratch, or linked from base) and commit; the document count.
    `extracted` is called once every changed file is extracted, before the commit."""
    if base is None:
        ix = whoosh_index.create_in(generation, build_schema())
    else:
        store.link_generation(base, generation)
        ix = whoosh_index.open_dir(generation, schema=build_schema())
    try:
        writer = ix.writer(limitmb=WRITER_LIMIT_MB)
        try:
            for src in plan.removed:
                writer.delete_by_term("source", src)
            summary.removed = len(plan.removed)
            for i, outcome in enumerate(_extracted(plan.changed, plan.context), 1):
                progress("indexing", i, len(plan.changed))
                _pause_for_test("adding")
                _index_file(writer, outcome, plan, summary)
            extracted()
            progress("committing", len(plan.changed), len(plan.changed))
            _pause_for_test("committing")
            writer.commit(mergetype=_merge_in_tiers)
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        _pause_for_test("committed")
        write_long_lists(generation, ix)
        with ix.searcher() as searcher:
            tables, live = build_facet_tables(searcher)
            save_facet_tables(generation, tables, live, read_datenum(searcher.reader(), len(live)))
        return ix.doc_count()
    finally:
        ix.close()


def _merge_in_tiers(writer, segments) -> list:
    """Whoosh merge policy for incremental batches: the segments no larger than what is being
    written (the new documents, then the segments merged so far) are merged into it, smallest
    first; the others stay. Segments then grow like the digits of a binary counter, a few at any
    time, and each document is rewritten about log2(reindexes) times. Whoosh's MERGE_SMALL let a
    dozen small segments pile up first, and every query looks each of its terms up in every
    segment: on the 10,000-document benchmark, 7 segments cost 20 % of the query time."""
    written = writer.doc_count()
    kept = []
    for segment in sorted(segments, key=lambda s: s.doc_count_all()):
        if segment.doc_count() == 0:
            continue  # every document of it deleted: dropped, nothing to merge
        if not kept and segment.doc_count_all() <= max(written, 1):
            reader = _MergedReader(writer.storage, writer.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
            written += segment.doc_count_all()
        else:
            kept.append(segment)
    return kept


class _MergedReader(SegmentReader):
    """A segment read for merging into the one being written: each term's postings come from its
    whole region at once (search/scoring.py `region_postings`), straight from its term info, not
    from a matcher per term walking them one by one. Merging a few hundred documents took a second
    or two of a 1 % reindex, most of it building matchers for their twenty thousand terms."""

    def iter_postings(self):
        deleted = self.deleted_docs_set
        schema = self.schema
        for (fieldname, btext), info in self._terms.items():
            if fieldname not in schema:
                continue  # a field the schema no longer has: the merge leaves its postings out
            if info.is_inlined():
                ids, weights, values = info.inlined_postings()
            else:
                offset, extent = info.extent()
                size = schema[fieldname].format.fixed_value_size()
                ids, weights, values = region_postings(self._terms._postfile, offset, extent, size, True)
            for docnum, weight, value in zip(np.asarray(ids).tolist(), np.asarray(weights).tolist(), values):
                if docnum not in deleted:
                    yield fieldname, btext, docnum, weight, value


@dataclass
class _Extraction:
    """What extracting one changed file gave: its documents and their signatures, or why none."""

    state: _FileState
    docs: list[Document] = field(default_factory=list)
    signatures: list[dict] = field(default_factory=list)
    reason: str = ""
    unreadable: str | None = None  # unreadable for now: its previous documents stay
    fields: list[dict] = field(default_factory=list)  # each document's fields, text fields analysed


def _extract_file(state: _FileState, context: ExtractionContext) -> _Extraction:
    """Read and extract one file (in a pool worker when there are many): never raises for a bad file."""
    try:
        data = _read(state)
        docs: list[Document] = extract_documents(state.source, state.path, data, context, state.digest)
        schema = _analysis_schema()
        fields = [analysed(document_fields(doc), schema) for doc in docs]
    except FileNotFoundError:
        return _Extraction(state, reason="deleted while the reindex ran")
    except OSError as exc:
        return _Extraction(state, unreadable=f"cannot read: {exc.strerror or exc}")
    except UnreadableFile as exc:
        return _Extraction(state, reason=str(exc))
    except Exception as exc:  # a bug on one strange file must not cost the whole archive
        return _Extraction(state, reason=f"could not be processed ({type(exc).__name__}: {exc})")
    return _Extraction(state, docs, [signature(doc) for doc in docs], fields=fields)


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


def _extract_in_worker(state: _FileState) -> _Extraction:
    return _extract_file(state, _worker_context)


def _extracted(states: list[_FileState], context: ExtractionContext) -> Iterator[_Extraction]:
    """Extractions in the files' order; from a process pool feeding this one writer when there are
    many files (extraction is half a full reindex's work), with a bounded number in flight."""
    procs = min(EXTRACT_PROCS, os.cpu_count() or 1)
    if procs < 2 or len(states) < POOL_MIN_FILES:
        for state in states:
            yield _extract_file(state, context)
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


def _index_file(writer, outcome: _Extraction, plan: _Plan, summary: ReindexSummary) -> None:
    """Replace one changed file's documents by its extraction; a file that fails is skipped with its reason."""
    state = outcome.state
    source, was_indexed = state.source, state.source in plan.old_files
    if outcome.unreadable:
        summary.skipped.append(Skipped(source, outcome.unreadable))
        return
    docs = outcome.docs
    if was_indexed:
        writer.delete_by_term("source", source)
    plan.signatures[source] = outcome.signatures
    if not docs:
        summary.skipped.append(Skipped(source, outcome.reason))
        if was_indexed:  # its content no longer yields documents: they go
            plan.files_meta.pop(source, None)
            summary.removed += 1
        return
    for fields in outcome.fields:
        writer.add_document(**fields)
    plan.files_meta[source] = {"size": state.size, "mtime_ns": state.mtime_ns, "hash": state.digest}
    if was_indexed:
        summary.updated += 1
    else:
        summary.added += 1


def _read(state: _FileState) -> bytes:
    """Read a file again for extraction (files are not kept in memory between scan and extraction)."""
    with open(state.path, "rb") as handle:
        st = os.fstat(handle.fileno())
        data = handle.read()
    state.size, state.mtime_ns = st.st_size, st.st_mtime_ns
    state.digest = content_hash(data)  # it may have changed since the scan: record what we indexed
    return data


def _learn_entities(docs_dir: Path, texts: list[str], common: frozenset[str], base_generation: Path | None) -> Knowledge:
    """What the archive teaches about names: the researcher's aliases, then acronyms and name forms.

    A full build learns from every file; an incremental one extends the live generation's knowledge
    with the changed files, so unchanged documents keep the values they were indexed with.
    """
    base = _load_knowledge(base_generation) if base_generation else None
    if base is None:
        base = load_aliases(docs_dir / ALIASES_FILE)
    procs = min(EXTRACT_PROCS, os.cpu_count() or 1)
    if procs < 2 or len(texts) < POOL_MIN_FILES:
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


def _save_knowledge(generation: Path, knowledge: Knowledge) -> None:
    store.replace_file(generation / KNOWLEDGE_FILE,
                       lambda handle: pickle.dump(knowledge, handle, protocol=pickle.HIGHEST_PROTOCOL))


def _load_knowledge(generation: Path) -> Knowledge | None:
    try:
        with open(generation / KNOWLEDGE_FILE, "rb") as handle:
            knowledge = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None
    return knowledge if isinstance(knowledge, Knowledge) else None


def _texts(states: list[_FileState]) -> list[str]:
    """The raw text of each readable file, for the archive-wide passes (common lines, entity
    learning); decoded in the process pool when there are many."""
    paths = [state.path for state in states]
    procs = min(EXTRACT_PROCS, os.cpu_count() or 1)
    if procs < 2 or len(paths) < POOL_MIN_FILES:
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


def _scan(docs_dir: Path, paths: list[Path], old_files: dict, summary: ReindexSummary,
          progress: Progress) -> tuple[list[_FileState], set[str]]:
    """Stat every file; hash those whose size or mtime changed. Returns the states and vanished sources."""
    states: list[_FileState] = []
    vanished: set[str] = set()
    for i, path in enumerate(paths, 1):
        if i % 200 == 0 or i == len(paths):
            progress("scanning", i, len(paths))
        source = relative_source(path, docs_dir)
        try:
            st = path.stat()
            state = _FileState(source, path, st.st_size, st.st_mtime_ns)
            if st.st_size > MAX_FILE_BYTES:
                summary.skipped.append(Skipped(source, f"larger than the {MAX_FILE_BYTES // 2**20} MB limit"))
                continue
            old = old_files.get(source)
            if old and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
                state.digest = old.get("hash")
                states.append(state)
                continue
            state.digest = content_hash(path.read_bytes())
        except FileNotFoundError:
            vanished.add(source)
            summary.skipped.append(Skipped(source, "deleted while the reindex ran"))
            continue
        except OSError as exc:
            summary.skipped.append(Skipped(source, f"cannot read: {exc.strerror or exc}"))
            continue
        if old and old.get("hash") == state.digest:
            old["size"], old["mtime_ns"] = st.st_size, st.st_mtime_ns  # touched, not changed
        else:
            state.changed = True
        states.append(state)
    return states, vanished
