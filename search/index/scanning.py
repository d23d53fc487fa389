"""The scan that starts a reindex: every file stat-ed, those whose size or mtime changed hashed,
and each compared with what the live generation recorded (a file new to the index is changed
without reading it here)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from search.ingest.documents import Skipped, content_hash, relative_source

MAX_FILE_BYTES = 25 * 1024 * 1024


@dataclass
class FileState:
    source: str
    path: Path
    size: int
    mtime_ns: int
    digest: str | None = None
    changed: bool = False


def scan(docs_dir: Path, paths: list[Path], old_files: dict, skipped: list[Skipped],
         progress: Callable[[str, int, int], None], seen: list | None = None) -> tuple[list[FileState], set[str]]:
    """Stat every file (unless the listing did: `seen`, search/ingest/documents.py list_files); hash
    those whose size or mtime changed. Returns the states and vanished sources."""
    seen = seen if seen is not None and len(seen) == len(paths) else [None] * len(paths)
    states: list[FileState] = []
    vanished: set[str] = set()
    for i, (path, listed) in enumerate(zip(paths, seen), 1):
        if i % 200 == 0 or i == len(paths):
            progress("scanning", i, len(paths))
        source, st = listed or (relative_source(path, docs_dir), None)
        try:
            st = st or path.stat()
            state = FileState(source, path, st.st_size, st.st_mtime_ns)
            if st.st_size > MAX_FILE_BYTES:
                skipped.append(Skipped(source, f"larger than the {MAX_FILE_BYTES // 2**20} MB limit"))
                continue
            old = old_files.get(source)
            if old and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
                state.digest = old.get("hash")
                states.append(state)
                continue
            if not old:  # new to the index: its one reading (search/index/spool.py) hashes it
                state.changed = True
                states.append(state)
                continue
            state.digest = content_hash(path.read_bytes())
        except FileNotFoundError:
            vanished.add(source)
            skipped.append(Skipped(source, "deleted while the reindex ran"))
            continue
        except OSError as exc:
            skipped.append(Skipped(source, f"cannot read: {exc.strerror or exc}"))
            continue
        if old and old.get("hash") == state.digest:
            old["size"], old["mtime_ns"] = st.st_size, st.st_mtime_ns  # touched, not changed
        else:
            state.changed = True
        states.append(state)
    return states, vanished
