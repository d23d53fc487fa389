"""Index generations on disk: the live one, building a new one beside it, the atomic switch, the lock.

Layout of INDEX_DIR:
    CURRENT            name of the live generation (replaced atomically by os.replace)
    gen-000007/        a complete Whoosh index plus meta.json
    reindex.lock       held (flock) by the one reindex allowed at a time; holds its pid
A reader resolves CURRENT once and keeps its generation open; a reindex builds gen-N+1, fsyncs it,
then replaces CURRENT. A crash at any moment leaves CURRENT naming a complete generation.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CURRENT = "CURRENT"
LOCK_NAME = "reindex.lock"
META_NAME = "meta.json"
GEN_PREFIX = "gen-"
KEEP_GENERATIONS = 2  # the live one and the one before it, which open readers may still use


class IndexLockedError(RuntimeError):
    """Another reindex holds the lock."""


class NoIndexError(RuntimeError):
    """There is no index yet in INDEX_DIR."""


def current_generation(index_dir: str | os.PathLike) -> Path | None:
    """The live generation's folder, or None when no index was ever completed."""
    root = Path(index_dir)
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not name.startswith(GEN_PREFIX) or "/" in name:
        return None
    path = root / name
    return path if (path / META_NAME).is_file() else None


def current_token(index_dir: str | os.PathLike) -> str | None:
    """A cheap value that changes whenever the live generation changes (for reader refresh)."""
    try:
        return (Path(index_dir) / CURRENT).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def read_meta(generation: Path) -> dict:
    """The generation's meta.json (counts, fingerprint, relations, common lines)."""
    with open(generation / META_NAME, encoding="utf-8") as handle:
        return json.load(handle)


def new_generation_dir(index_dir: str | os.PathLike) -> Path:
    """Create and return an empty folder for the next generation."""
    root = Path(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[len(GEN_PREFIX):]) for p in root.glob(GEN_PREFIX + "*") if p.name[len(GEN_PREFIX):].isdigit()]
    path = root / f"{GEN_PREFIX}{max(numbers, default=0) + 1:06d}"
    path.mkdir()
    return path


def link_generation(source: Path, target: Path) -> None:
    """Fill target with hard links to source's files (Whoosh never rewrites a file in place)."""
    for entry in source.iterdir():
        if entry.is_file() and not entry.name.endswith("LOCK") and entry.name != META_NAME:
            try:
                os.link(entry, target / entry.name)
            except OSError:
                shutil.copy2(entry, target / entry.name)


def write_meta(generation: Path, meta: dict) -> None:
    """Write meta.json durably and atomically: it marks the generation as complete.

    The files it was built from are beside it, in files.json (search/index/scanning.py).
    """
    # The C encoder: json.dump encodes in Python.
    replace_file(generation / META_NAME, lambda handle: handle.write(json.dumps(meta, ensure_ascii=False)),
                 binary=False, durable=True)


def replace_file(path: Path, write: Callable, binary: bool = True, durable: bool = False) -> None:
    """Write a generation's file under a new name, then put it in place of the old one.

    A new generation starts as hard links to the previous one's files: writing in place would
    change the live generation too. publish_generation makes the files durable; `durable` makes
    this one durable now (a file that marks a generation complete, or refreshes the live one's).
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as handle:
            write(handle)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_generation(
    index_dir: str | os.PathLike, generation: Path, before_switch: Callable[[], None] | None = None
) -> None:
    """Make generation the live one, atomically, then remove generations no reader needs.

    before_switch runs when everything is durable but CURRENT still names the old generation
    (the indexer's test-only pause point "switching").
    """
    root = Path(index_dir)
    for entry in generation.iterdir():
        if entry.is_file():
            with open(entry, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(generation)
    tmp = root / (CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    if before_switch is not None:
        before_switch()
    os.replace(tmp, root / CURRENT)
    _fsync_dir(root)
    remove_stale_generations(index_dir)


def remove_stale_generations(index_dir: str | os.PathLike) -> None:
    """Delete generations older than the last KEEP_GENERATIONS, and unfinished ones not live.

    A process that still has a deleted generation open keeps reading it: Whoosh maps each segment
    file when it opens the index, and an unlinked file lives on until its last mapping goes. The
    previous generation is kept so that a reader which resolved CURRENT just before a switch can
    still open it.
    """
    root = Path(index_dir)
    live = current_generation(root)
    gens = sorted(p for p in root.glob(GEN_PREFIX + "*") if p.is_dir())
    if live is None:
        return
    keep = {live.name}
    older = [g for g in gens if g.name < live.name and (g / META_NAME).is_file()]
    keep.update(g.name for g in older[-(KEEP_GENERATIONS - 1):] if KEEP_GENERATIONS > 1)
    for gen in gens:
        if gen.name not in keep and gen.name < live.name:
            shutil.rmtree(gen, ignore_errors=True)


def discard_generation(generation: Path) -> None:
    """Remove a generation that was never published (after a failed build)."""
    shutil.rmtree(generation, ignore_errors=True)


@dataclass
class ReindexLock:
    """An exclusive, process-wide lock on INDEX_DIR, released by the kernel if the holder dies.

    The pid written inside tells a later reindex that a lock file was left by a killed process
    (its flock is gone with it): that is reported as a recovered stale lock, never deleted blindly.
    """

    index_dir: Path
    stale_pid: int | None = None
    _fd: int | None = None

    def acquire(self) -> "ReindexLock":
        """Take the lock or raise IndexLockedError naming the holder."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        path = self.index_dir / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                holder = _read_pid(path)
                who = f" (pid {holder})" if holder else ""
                raise IndexLockedError(
                    f"Another reindex is running on {self.index_dir}{who}; wait for it to finish and try again."
                ) from None
            raise
        previous = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        if previous.isdigit() and int(previous) != os.getpid():
            # The file names a process but nobody holds the flock: that process died mid-reindex.
            self.stale_pid = int(previous)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        """Clear the pid and release the lock."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "ReindexLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def main(argv: list[str]) -> int:
    """`python -m search.index.store has-index [INDEX_DIR]`: exit 0 when a live index exists."""
    if len(argv) >= 1 and argv[0] == "has-index":
        index_dir = argv[1] if len(argv) > 1 else os.environ.get("FLASK_INDEX_DIR", "index_data")
        return 0 if current_generation(index_dir) else 1
    print("usage: python -m search.index.store has-index [INDEX_DIR]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
