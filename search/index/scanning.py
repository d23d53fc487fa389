"""The scan that starts a reindex: every file stat-ed, those whose size or mtime changed hashed,
and each compared with what the live generation recorded (a file new to the index is changed
without reading it here)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from search.ingest.documents import Skipped, content_hash

MAX_FILE_BYTES = 25 * 1024 * 1024


@dataclass
class FileState:
    source: str
    where: str | os.PathLike  # the file (a Path is built only for the files that are read)
    size: int
    mtime_ns: int
    digest: str | None = None
    changed: bool = False

    @property
    def path(self) -> Path:
        return Path(self.where)


def scan(listed: list[tuple], old_files: dict, skipped: list[Skipped],
         progress: Callable[[str, int, int], None]) -> tuple[list[FileState], set[str], dict[str, dict], set[str]]:
    """Compare each listed file, (source, stat result, path) as search/ingest/documents.py
    list_files gives them, with what the live generation recorded; hash those whose size or mtime
    changed. Returns the changed files' states, the sources still there (changed or not), the
    touched ones (same content, new size or mtime: their new record) and the vanished sources.
    old_files is not changed."""
    changed: list[FileState] = []
    kept: set[str] = set()
    touched: dict[str, dict] = {}
    vanished: set[str] = set()
    total = len(listed)
    for i, (source, st, where) in enumerate(listed, 1):
        if i % 2000 == 0 or i == total:
            progress("scanning", i, total)
        size, mtime_ns = st.st_size, st.st_mtime_ns
        if size > MAX_FILE_BYTES:
            skipped.append(Skipped(source, f"larger than the {MAX_FILE_BYTES // 2**20} MB limit"))
            continue
        old = old_files.get(source)
        if old and old.get("size") == size and old.get("mtime_ns") == mtime_ns:
            kept.add(source)  # unchanged: no state needed
            continue
        state = FileState(source, where, size, mtime_ns)
        if old:
            try:
                state.digest = content_hash(state.path.read_bytes())
            except FileNotFoundError:
                vanished.add(source)
                skipped.append(Skipped(source, "deleted while the reindex ran"))
                continue
            except OSError as exc:
                skipped.append(Skipped(source, f"cannot read: {exc.strerror or exc}"))
                continue
            if old.get("hash") == state.digest:
                touched[source] = {**old, "size": size, "mtime_ns": mtime_ns}
                kept.add(source)
                continue
        state.changed = True  # a file new to the index is hashed by its one reading (search/index/spool.py)
        changed.append(state)
        kept.add(source)
    return changed, kept, touched, vanished
