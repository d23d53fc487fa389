"""The scan that starts a reindex: every file stat-ed, those whose size or mtime changed hashed,
and each compared with what the live generation recorded (a file new to the index is changed
without reading it here)."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from search.index import store
from search.ingest.documents import Skipped, content_hash

MAX_FILE_BYTES = 25 * 1024 * 1024
FILES_NAME = "files.json"  # what a generation was built from: each file's size, mtime and content hash


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


class FilesTable(Mapping):
    """The files a generation was built from: {source: {"size", "mtime_ns", "hash"}}, held and
    written as columns. Kept in meta.json as one object a file, at 100,000 files it was 12.7 MB that
    each reindex parsed into 100,000 dicts (a fifth of a no-change reindex) and a server read for
    its build time."""

    def __init__(self, sources=(), sizes=(), mtimes=(), hashes=()):
        self.sources, self.sizes, self.mtimes, self.hashes = list(sources), list(sizes), list(mtimes), list(hashes)
        self._at = dict(zip(self.sources, range(len(self.sources))))

    @classmethod
    def of(cls, files: Mapping[str, dict]) -> "FilesTable":
        """The table of a {source: record} mapping."""
        records = files.values()
        return cls(files, (r["size"] for r in records), (r["mtime_ns"] for r in records), (r.get("hash") for r in records))

    @classmethod
    def load(cls, generation: Path, meta: dict) -> "FilesTable | None":
        """A generation's table: its files.json, or the "files" of its meta.json (generations built
        before); None when it cannot be read."""
        try:
            columns = json.loads((generation / FILES_NAME).read_bytes())
            return cls(columns["source"], columns["size"], columns["mtime_ns"], columns["hash"])
        except FileNotFoundError:
            return cls.of(meta["files"]) if isinstance(meta.get("files"), dict) else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, generation: Path) -> None:
        """Write it into a generation, durably (it may refresh the live one's in place)."""
        columns = {"source": self.sources, "size": self.sizes, "mtime_ns": self.mtimes, "hash": self.hashes}
        data = json.dumps(columns, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        store.replace_file(generation / FILES_NAME, lambda handle: handle.write(data), durable=True)

    def recorded(self, source: str) -> tuple[int, int, str | None] | None:
        """(size, mtime_ns, hash) of a source, or None."""
        i = self._at.get(source)
        return None if i is None else (self.sizes[i], self.mtimes[i], self.hashes[i])

    def __getitem__(self, source: str) -> dict:
        i = self._at[source]
        return {"size": self.sizes[i], "mtime_ns": self.mtimes[i], "hash": self.hashes[i]}

    def __iter__(self) -> Iterator[str]:
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)

    def __contains__(self, source) -> bool:
        return source in self._at


def scan(listed: list[tuple], old_files: FilesTable, skipped: list[Skipped],
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
    recorded = old_files.recorded
    for i, (source, st, where) in enumerate(listed, 1):
        if i % 2000 == 0 or i == total:
            progress("scanning", i, total)
        size, mtime_ns = st.st_size, st.st_mtime_ns
        if size > MAX_FILE_BYTES:
            skipped.append(Skipped(source, f"larger than the {MAX_FILE_BYTES // 2**20} MB limit"))
            continue
        old = recorded(source)
        if old is not None and old[0] == size and old[1] == mtime_ns:
            kept.add(source)  # unchanged: no state needed
            continue
        state = FileState(source, where, size, mtime_ns)
        if old is not None:
            try:
                state.digest = content_hash(state.path.read_bytes())
            except FileNotFoundError:
                vanished.add(source)
                skipped.append(Skipped(source, "deleted while the reindex ran"))
                continue
            except OSError as exc:
                skipped.append(Skipped(source, f"cannot read: {exc.strerror or exc}"))
                continue
            if old[2] == state.digest:
                touched[source] = {"size": size, "mtime_ns": mtime_ns, "hash": old[2]}
                kept.add(source)
                continue
        state.changed = True  # a file new to the index is hashed by its one reading (search/index/spool.py)
        changed.append(state)
        kept.add(source)
    return changed, kept, touched, vanished
