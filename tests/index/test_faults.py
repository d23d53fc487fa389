"""Faults during a reindex: kills at every stage, a full disk, a stale lock, Ctrl-C. The old index serves."""
from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage

from search.index import store
from search.index.indexer import PAUSE_POINTS, reindex
from search.query.service import SearchRequest, SearchService
from tests.web.test_reindex_cli import hits, kill, run_reindex, start_paused_reindex

NEW_ARTICLE = "Okapi news\n\nThe okapi programme of ICESCO started in Rabat on 1 February 2024.\n"


def snapshot(index_dir: Path) -> tuple[str, list[str], list[str]]:
    """What the site answers: the live generation and two searches."""
    return store.current_token(index_dir), hits(index_dir, "ICESCO"), hits(index_dir, "okapi")


@pytest.mark.slow
@pytest.mark.parametrize("point", PAUSE_POINTS)
def test_a_kill_at_any_stage_leaves_the_previous_index_serving(docs_dir, index_dir, point):
    before = snapshot(index_dir)
    (docs_dir / "okapi.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    (docs_dir / "001_2b910b306ed54871.txt").unlink()
    kill(start_paused_reindex(docs_dir, index_dir, point))
    assert snapshot(index_dir) == before
    assert before[2] == []


@pytest.mark.slow
def test_the_next_reindex_recovers_the_stale_lock_and_finishes_the_work(docs_dir, index_dir):
    (docs_dir / "okapi.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    proc = start_paused_reindex(docs_dir, index_dir, "committed")
    kill(proc)
    assert (index_dir / store.LOCK_NAME).read_text().strip() == str(proc.pid)  # left behind, not held
    result = run_reindex(docs_dir, index_dir)
    assert result.returncode == 0, result.stderr
    assert f"Note: recovered a stale lock left by process {proc.pid}" in result.stderr
    assert "Note: removed gen-000002, an unfinished generation" in result.stderr
    assert "added 1, updated 0, removed 0, unchanged 5, skipped 0" in result.stdout
    assert hits(index_dir, "okapi") == ["okapi.txt"]
    assert (index_dir / store.LOCK_NAME).read_text() == ""  # released cleanly this time


def test_a_stale_lock_file_is_reported_not_deleted_blindly(docs_dir, index_dir):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (index_dir / store.LOCK_NAME).write_text(f"{dead.pid}\n")
    summary = reindex(docs_dir, index_dir)
    assert summary.notes == [f"recovered a stale lock left by process {dead.pid}, which stopped during a reindex"]


@pytest.mark.slow
def test_ctrl_c_leaves_the_previous_index_and_no_leftovers(docs_dir, index_dir):
    before = snapshot(index_dir)
    (docs_dir / "okapi.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    proc = start_paused_reindex(docs_dir, index_dir, "adding", seconds=5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode != 0
    assert "Traceback" not in err
    assert snapshot(index_dir) == before
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001"]
    assert (index_dir / store.LOCK_NAME).read_text() == ""


class _FullDisk:
    """A Whoosh storage whose files fail with ENOSPC after a few bytes, as on a full disk."""

    def __init__(self, monkeypatch, after: int = 4096):
        self.written = 0
        real = FileStorage.create_file
        fault = self

        def create_file(storage, name, **kwargs):
            handle = real(storage, name, **kwargs)
            raw_write = handle.file.write

            def write(data):
                fault.written += len(data)
                if fault.written > after:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.path.join(storage.folder, name))
                return raw_write(data)

            handle.file.write = write
            return handle

        monkeypatch.setattr(FileStorage, "create_file", create_file)


def test_a_full_disk_fails_cleanly_and_keeps_the_old_index(runner, docs_dir, index_dir, monkeypatch):
    before = snapshot(index_dir)
    (docs_dir / "okapi.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    _FullDisk(monkeypatch)
    result = runner.invoke(args=["reindex", "--full"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Reindex failed (No space left on device on ")
    assert "the previous index is still serving" in result.output
    monkeypatch.undo()
    assert snapshot(index_dir) == before
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001"]
    assert reindex(docs_dir, index_dir).added == 1  # and the lock was released


def test_a_failure_writing_meta_keeps_the_old_index(docs_dir, index_dir, monkeypatch):
    before = snapshot(index_dir)
    (docs_dir / "okapi.txt").write_text(NEW_ARTICLE, encoding="utf-8")

    def no_space(generation, meta):
        raise OSError(errno.ENOSPC, "No space left on device", str(generation / "meta.json"))

    monkeypatch.setattr(store, "write_meta", no_space)
    with pytest.raises(OSError):
        reindex(docs_dir, index_dir)
    assert snapshot(index_dir) == before
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001"]


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A real 1 MB filesystem (needs root and a kernel that lets us mount tmpfs)."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_a_really_full_disk_fails_cleanly_and_keeps_the_old_index(docs_dir, tiny_tmpfs):
    index = tiny_tmpfs / "index"
    reindex(docs_dir, index)
    before = snapshot(index)
    filler = tiny_tmpfs / "filler"
    with open(filler, "wb", buffering=0) as handle:  # take every free block, then give back a little
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - 16 * 1024))
    result = run_reindex(docs_dir, index, "--full")
    assert result.returncode == 1
    assert "Reindex failed (No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(index) == before
    assert sorted(p.name for p in index.glob("gen-*")) == ["gen-000001"]


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device", "relations.json"), SystemExit(3)])
def test_a_failure_finding_related_documents_keeps_the_old_index(docs_dir, index_dir, monkeypatch, failure):
    """Relations are found in a forked process while the index commits: what fails there fails the
    reindex here, and the previous index keeps serving."""
    from search.index import relating

    before = snapshot(index_dir)
    (docs_dir / "okapi.txt").write_text(NEW_ARTICLE, encoding="utf-8")

    def fail(*args):
        raise failure

    monkeypatch.setattr(relating, "update_relations", fail)
    with pytest.raises(type(failure)) as raised:
        reindex(docs_dir, index_dir)
    assert str(raised.value) == str(failure)
    assert snapshot(index_dir) == before
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001"]
    monkeypatch.undo()
    assert reindex(docs_dir, index_dir).added == 1
