"""Files read and decoded once per reindex; and records a reindex gathers per file (signatures,
entity records) kept on disk instead of in memory until they are needed.

The archive-wide passes (common lines, entity learning) and the extraction each need every changed
file's text. The first reading decodes each file in the pool workers and appends what it read to
one anonymous temporary file beside the index; the passes and the extraction read it back from
there. Nothing decodes a file twice, and no process holds the archive's texts at once: this
process keeps only where each file's record starts and ends.

A file that could not be read or decoded the first time is not spooled: the extraction reads it
again and reports it as it always does.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from search.ingest.documents import content_hash
from search.ingest.extract import read_file_text
from search.ingest.formats import RawText, UnreadableFile


@dataclass
class ReadFile:
    """One file as it was read: its size, time and content hash then, and the reader's output."""

    size: int
    mtime_ns: int
    digest: str
    raw: RawText


def read_once(path: Path) -> ReadFile | None:
    """Read and decode a file (in a pool worker); None when it cannot be read or decoded now."""
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            data = handle.read()
        return ReadFile(st.st_size, st.st_mtime_ns, content_hash(data), read_file_text(data, path))
    except (OSError, UnreadableFile):
        return None


class Spool:
    """Records appended once, read back by key, from this process or from forked workers."""

    def __init__(self, directory: Path):
        self._file = tempfile.TemporaryFile(dir=directory, prefix=".reading-")  # gone when closed, even after a crash
        self._fd = self._file.fileno()
        self._end = 0
        self._at: dict[str, tuple[int, int]] = {}

    def add(self, key: str, record) -> None:
        """Append one record (a later one replaces an earlier one of the same key)."""
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        os.pwrite(self._fd, data, self._end)
        self._at[key] = (self._end, len(data))
        self._end += len(data)

    def __contains__(self, key: str) -> bool:
        return key in self._at

    def get(self, key: str):
        """The record of a key, or None when it was not spooled."""
        at = self._at.get(key)
        if at is None:
            return None
        return pickle.loads(os.pread(self._fd, at[1], at[0]))

    def discard(self, key: str) -> None:
        """Forget a key's record."""
        self._at.pop(key, None)

    def keys(self) -> list[str]:
        """The keys held, in the order they were first added."""
        return list(self._at)

    def items(self) -> Iterator[tuple[str, object]]:
        """(key, record) of every key held, read one at a time."""
        for key in list(self._at):
            yield key, self.get(key)

    def texts(self, keys: Sequence[str]) -> "SpooledTexts":
        """The raw texts of these keys (those spooled), read on demand."""
        return SpooledTexts(self, [key for key in keys if key in self._at])

    def close(self) -> None:
        """Remove the spool."""
        self._file.close()

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SpooledRecords(Mapping):
    """Records per source: a base mapping (the previous generation's) with this reindex's changes
    on disk. Reading a source gives its new record when it has one, else its base record."""

    def __init__(self, spool: Spool, base: Callable[[], Mapping] | None = None):
        self._spool, self._load_base, self._loaded = spool, base, None
        self._dropped: set[str] = set()

    @property
    def _base(self) -> Mapping:
        # The base is read when first needed: after the writer is done with its memory.
        if self._loaded is None:
            self._loaded = self._load_base() if self._load_base is not None else {}
        return self._loaded

    def __setitem__(self, key: str, records) -> None:
        self._dropped.discard(key)
        self._spool.add(key, records)

    def pop(self, key: str, default=None):
        """Drop a source's records (what it had is not returned: the caller never needs it)."""
        self._dropped.add(key)
        self._spool.discard(key)
        return default

    def __getitem__(self, key: str):
        if key in self._dropped:
            raise KeyError(key)
        if key in self._spool:
            return self._spool.get(key)
        return self._base[key]

    def raw(self, key: str) -> bytes | None:
        """A source's base record as its base stored it, when the base can give it and this
        reindex did not change it (None otherwise: the caller writes the record itself)."""
        if key in self._dropped or key in self._spool:
            return None
        raw = getattr(self._base, "raw", None)
        return raw(key) if raw is not None else None

    def state(self) -> tuple:
        """What a process forked before the records came needs to read them (`attach`)."""
        return self._spool._at, self._spool._end, self._dropped

    def attach(self, state: tuple) -> None:
        """Read the records spooled since this process was forked (the spool's file is shared)."""
        self._spool._at, self._spool._end, self._dropped = state

    def __iter__(self) -> Iterator[str]:
        keys = (set(self._base) | set(self._spool.keys())) - self._dropped
        return iter(sorted(keys))

    def __len__(self) -> int:
        return len((set(self._base) | set(self._spool.keys())) - self._dropped)


class SpooledTexts(Sequence):
    """A list of raw texts that lives in a spool: indexing and slicing read from it."""

    def __init__(self, spool: Spool, keys: list[str]):
        self._spool, self._keys = spool, keys

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._spool.get(key).raw.text for key in self._keys[index]]
        return self._spool.get(self._keys[index]).raw.text

    def __iter__(self) -> Iterator[str]:
        for key in self._keys:
            yield self._spool.get(key).raw.text
