"""`flask reindex` as people run it: through the CLI runner and as a real process from the project root."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.index import store
from search.query.service import SearchRequest, SearchService
from webui.cli import _Progress
from conftest import PROJECT



def flask_env(docs_dir: Path, index_dir: Path, **extra: str) -> dict:
    """The environment of a `flask` process from the project root, with no FLASK_APP (wsgi.py is found)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SEARCH_TEST_"))}
    env.update(FLASK_DOCS_DIR=str(docs_dir), FLASK_INDEX_DIR=str(index_dir), **extra)
    return env


def run_reindex(docs_dir: Path, index_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """Run `flask reindex` to completion in the project root."""
    return subprocess.run([sys.executable, "-m", "flask", "reindex", *args], cwd=PROJECT, capture_output=True,
                          text=True, env=flask_env(docs_dir, index_dir, **extra), timeout=120)


def start_paused_reindex(docs_dir: Path, index_dir: Path, point: str, *args: str, seconds: float = 60) -> subprocess.Popen:
    """Start `flask reindex` and return once it is paused at the named point (indexer.PAUSE_POINTS)."""
    env = flask_env(docs_dir, index_dir, SEARCH_TEST_PAUSE_AT=point, SEARCH_TEST_PAUSE_SECONDS=str(seconds))
    # A runner started in the background (nohup, CI) may ignore SIGINT; the reindex must see Ctrl-C.
    proc = subprocess.Popen([sys.executable, "-m", "flask", "reindex", *args], cwd=PROJECT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    line = proc.stderr.readline()
    if line.strip() != f"paused at {point}":
        proc.kill()
        raise AssertionError(f"reindex did not pause at {point}: {line}{proc.stderr.read()}")
    return proc


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL, as a power cut or the OOM killer would."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def hits(index_dir: Path, q: str) -> list[str]:
    results = SearchService(index_dir).search(SearchRequest(q=q, per_page=100))
    return sorted(hit.source for hit in results.hits)


def test_reindex_prints_one_summary_line(runner):
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1
    assert "added 0, updated 0, removed 0, unchanged 5, skipped 0" in result.output


def test_full_reindex_rebuilds_everything(runner):
    result = runner.invoke(args=["reindex", "--full"])
    assert result.exit_code == 0
    assert "added 5, updated 0, removed 0, unchanged 0, skipped 0" in result.output


def test_reindex_adds_updates_and_removes_exactly_the_changed_files(runner, docs_dir, index_dir):
    (docs_dir / "new.txt").write_text("Ocelot report\n\nThe ocelot survey of AICTO was published in May 2022.\n",
                                      encoding="utf-8")
    (docs_dir / "000_f63f00728d386dc6.txt").write_text(
        "Pangolin news\n\nICESCO discussed pangolin conservation on 4 April 2024.\n", encoding="utf-8")
    (docs_dir / "002_5aa7868815be7374.txt").unlink()
    result = runner.invoke(args=["reindex"])
    assert "added 1, updated 1, removed 1, unchanged 3, skipped 0" in result.output
    assert hits(index_dir, "ocelot") == ["new.txt"]
    assert hits(index_dir, "pangolin") == ["000_f63f00728d386dc6.txt"]
    assert hits(index_dir, "Seghrouchni") == []


def test_skipped_files_are_named_with_their_reason(runner, docs_dir):
    (docs_dir / "blank.txt").write_text("  \n\t\n", encoding="utf-8")
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0
    assert "skipped 1: blank.txt (empty file (no text))" in result.output


def test_a_locked_index_is_refused_in_one_line(runner, index_dir):
    with store.ReindexLock(index_dir):
        result = runner.invoke(args=["reindex"])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("Error: Another reindex is running on")
    assert "Traceback" not in result.output


def test_nothing_indexable_exits_non_zero(runner, docs_dir):
    for path in docs_dir.iterdir():
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 1
    assert "No document could be indexed" in result.output
    assert "previous index is still serving" in result.output


def test_a_missing_documents_folder_is_a_message(app, tmp_path):
    app.config["DOCS_DIR"] = str(tmp_path / "missing")
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 1
    assert "does not exist; set DOCS_DIR" in result.output


def test_progress_is_one_updating_line_on_a_terminal(capsys):
    progress = _Progress(tty=True)
    for i in range(1, 4):
        progress("indexing", i, 3)
    progress.finish()
    err = capsys.readouterr().err
    assert "\rindexing 3/3" in err and "\n" not in err
    quiet = _Progress(tty=False)
    quiet("indexing", 1, 1)
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_flask_reindex_runs_from_the_project_root_without_app(docs_dir, tmp_path):
    index = tmp_path / "fresh"
    first = run_reindex(docs_dir, index)
    assert first.returncode == 0, first.stderr
    assert "added 5, updated 0, removed 0, unchanged 0, skipped 0" in first.stdout
    (docs_dir / "003_19f07d10ece0ff41.txt").unlink()
    (docs_dir / "extra.txt").write_text("Tapir\n\nThe tapir fund of ALECSO opened on 2 June 2021.\n", encoding="utf-8")
    second = run_reindex(docs_dir, index)
    assert second.returncode == 0, second.stderr
    assert "added 1, updated 0, removed 1, unchanged 4, skipped 0" in second.stdout
    assert hits(index, "tapir") == ["extra.txt"]
    assert "003_19f07d10ece0ff41.txt" not in hits(index, "ICESCO")


@pytest.mark.slow
def test_a_second_reindex_at_the_same_time_is_refused(docs_dir, index_dir):
    first = start_paused_reindex(docs_dir, index_dir, "adding", "--full")
    try:
        second = run_reindex(docs_dir, index_dir)
    finally:
        kill(first)
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert lines == [f"Error: Another reindex is running on {index_dir} (pid {first.pid}); "
                     "wait for it to finish and try again."]
