"""Build and update the index: incremental by content hash, atomic by generation, one at a time."""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from . import store
from .documents import Document, Skipped, content_hash, list_files, relative_source
from .extract import ExtractionContext, extract_documents, find_common_lines, read_file_text
from .formats import UnreadableFile, supported_extensions
from .resources import data_files_fingerprint
from .schema import build_schema, document_fields

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 25 * 1024 * 1024
WRITER_LIMIT_MB = 256

Progress = Callable[[str, int, int], None]


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
            text += ": " + "; ".join(f"{s.source} ({s.reason})" for s in self.skipped)
        return text


@dataclass
class _FileState:
    source: str
    path: Path
    size: int
    mtime_ns: int
    digest: str | None = None
    data: bytes | None = None


def _fingerprint(docs_dir: Path) -> str:
    """Changes when anything that shapes extraction changes: code data files or researcher files."""
    parts = [str(SCHEMA_VERSION), data_files_fingerprint()]
    for name in ("aliases.toml", "glossary.toml"):
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
    """Index what is new or changed in docs_dir, drop what disappeared, publish atomically."""
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
        _discard_unfinished(index_dir)
        _run(docs_dir, index_dir, full, progress or (lambda *a: None), summary)
    summary.seconds = time.perf_counter() - started
    return summary


def build_index(docs_dir: str | os.PathLike, index_dir: str | os.PathLike, progress: Progress | None = None) -> ReindexSummary:
    """Rebuild the whole index from scratch."""
    return reindex(docs_dir, index_dir, full=True, progress=progress)


def _discard_unfinished(index_dir: Path) -> None:
    live = store.current_generation(index_dir)
    for gen in index_dir.glob(store.GEN_PREFIX + "*"):
        if gen.is_dir() and (live is None or gen.name > live.name):
            store.discard_generation(gen)


def _run(docs_dir: Path, index_dir: Path, full: bool, progress: Progress, summary: ReindexSummary) -> None:
    live = store.current_generation(index_dir)
    meta = store.read_meta(live) if live else {}
    fingerprint = _fingerprint(docs_dir)
    if meta.get("fingerprint") != fingerprint:
        full = True
    old_files: dict[str, dict] = {} if full else meta.get("files", {})

    paths, listing_skips = list_files(docs_dir, supported_extensions())
    summary.skipped.extend(listing_skips)
    states = _scan(docs_dir, paths, old_files, summary, progress)
    present = {s.source for s in states} | {s.source for s in summary.skipped}
    removed = [src for src in old_files if src not in present]
    changed = [s for s in states if s.data is not None]
    summary.unchanged = len(states) - len(changed)

    if full:
        texts = {}
        for state in changed:
            try:
                texts[state.source] = read_file_text(state.data, state.path).text
            except UnreadableFile:
                pass
        common = find_common_lines(texts.values(), len(texts))
    else:
        common = frozenset(meta.get("common_lines", []))
    context = ExtractionContext(common_lines=common)

    docs_by_source: dict[str, list[Document]] = {}
    for i, state in enumerate(changed, 1):
        progress("extracting", i, len(changed))
        try:
            docs_by_source[state.source] = extract_documents(state.source, state.path, state.data, context, state.digest)
        except UnreadableFile as exc:
            summary.skipped.append(Skipped(state.source, str(exc)))
        except Exception as exc:  # a bug on one strange file must not cost the whole archive
            summary.skipped.append(Skipped(state.source, f"could not be processed ({type(exc).__name__}: {exc})"))
        state.data = None

    files_meta = {src: info for src, info in old_files.items() if src in present}
    for state in states:
        if state.source in docs_by_source:
            files_meta[state.source] = {"size": state.size, "mtime_ns": state.mtime_ns, "hash": state.digest}
    if live and not full and not removed and not docs_by_source:
        summary.generation = live.name
        summary.documents = meta.get("documents", 0)
        return  # nothing to write: the live generation stays

    generation = store.new_generation_dir(index_dir)
    try:
        if full or live is None:
            ix = whoosh_index.create_in(generation, build_schema())
        else:
            store.link_generation(live, generation)
            ix = whoosh_index.open_dir(generation, schema=build_schema())
        writer = ix.writer(limitmb=WRITER_LIMIT_MB)
        try:
            for src in removed:
                writer.delete_by_term("source", src)
            total = len(docs_by_source)
            for i, (src, docs) in enumerate(docs_by_source.items(), 1):
                progress("indexing", i, total)
                if src in old_files:
                    writer.delete_by_term("source", src)
                    summary.updated += 1
                else:
                    summary.added += 1
                for doc in docs:
                    writer.add_document(**document_fields(doc))
            progress("committing", total, total)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        summary.removed = len(removed)
        documents = ix.doc_count()
        ix.close()
        new_meta = {
            "fingerprint": fingerprint,
            "files": files_meta,
            "common_lines": sorted(common),
            "documents": documents,
            "built_at": time.time(),
            "skipped": {s.source: s.reason for s in summary.skipped},
        }
        store.write_meta(generation, new_meta)
        progress("switching", 1, 1)
        store.publish_generation(index_dir, generation)
    except BaseException:
        store.discard_generation(generation)
        raise
    summary.generation = generation.name
    summary.documents = documents


def _scan(docs_dir: Path, paths: list[Path], old_files: dict, summary: ReindexSummary, progress: Progress) -> list[_FileState]:
    """Stat every file; read and hash those whose size or mtime changed. Unreadable ones are skipped."""
    states: list[_FileState] = []
    for i, path in enumerate(paths, 1):
        if i % 500 == 0:
            progress("scanning", i, len(paths))
        source = relative_source(path, docs_dir)
        try:
            st = path.stat()
        except OSError as exc:
            summary.skipped.append(Skipped(source, f"cannot read: {exc.strerror}"))
            continue
        if st.st_size > MAX_FILE_BYTES:
            summary.skipped.append(Skipped(source, f"larger than the {MAX_FILE_BYTES // 2**20} MB limit"))
            continue
        state = _FileState(source, path, st.st_size, st.st_mtime_ns)
        old = old_files.get(source)
        if old and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
            state.digest = old.get("hash")
            states.append(state)
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            summary.skipped.append(Skipped(source, f"cannot read: {exc.strerror or exc}"))
            continue
        state.digest = content_hash(data)
        if old and old.get("hash") == state.digest:
            old["size"], old["mtime_ns"] = st.st_size, st.st_mtime_ns  # touched, not changed
            states.append(state)
            continue
        state.data = data
        states.append(state)
    return states
