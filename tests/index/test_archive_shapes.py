"""Archives shaped badly: many tiny or empty files, deep folders, the longest names, a file that
becomes a folder, files added while a reindex runs, a read-only DOCS_DIR. Each reindexes in
bounded time with correct counts, and nothing is lost."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from search.index import indexer
from search.index.indexer import reindex
from search.query.results import SearchRequest
from search.query.service import SearchService
from conftest import SEEDS

ARTICLE = ("Le directeur général de l'ICESCO reçoit le ministre de l'Éducation à Rabat\n\n"
           "Rabat, 3 mars 2024. Le directeur général de l'ICESCO a reçu le ministre pour parler de {word}.")


@pytest.fixture
def client_for():
    """A test client of the app over a documents folder and an index."""
    from webui import create_app

    return lambda docs, index: create_app({"TESTING": True, "DOCS_DIR": str(docs), "INDEX_DIR": str(index)}).test_client()


def sources(index_dir) -> set[str]:
    service = SearchService(index_dir)
    results = service.search(SearchRequest(q="", per_page=100))
    return {hit.source for hit in results.hits}


def test_many_tiny_and_empty_files(tmp_path):
    """A scaled-down case of 200,000 (the closing note gives the full one): empty files are skipped
    with their reason, tiny ones indexed, in time linear in the count."""
    docs = tmp_path / "docs"
    for i in range(2000):
        folder = docs / f"batch-{i // 500}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:06d}.txt").write_text("" if i % 2 else f"note {i} okapi{i}", encoding="utf-8")
    started = time.monotonic()
    summary = reindex(docs, tmp_path / "index")
    assert time.monotonic() - started < 300
    assert summary.added == 1000 and len(summary.skipped) == 1000
    assert {s.reason for s in summary.skipped} == {"empty file (no text)"}
    assert SearchService(tmp_path / "index").search(SearchRequest(q="\"okapi1998\"")).total == 1


def test_a_folder_thirty_levels_deep(tmp_path):
    docs = tmp_path / "docs"
    deep = docs.joinpath(*[f"level{i:02d}" for i in range(30)])
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text(ARTICLE.format(word="profondeur"), encoding="utf-8")
    (docs / "top.txt").write_text(ARTICLE.format(word="surface"), encoding="utf-8")
    summary = reindex(docs, tmp_path / "index")
    assert summary.added == 2 and not summary.skipped
    source = "/".join(f"level{i:02d}" for i in range(30)) + "/deep.txt"
    assert sources(tmp_path / "index") == {source, "top.txt"}


def test_a_folder_deeper_than_pythons_recursion(tmp_path):
    docs = tmp_path / "docs"
    folders = [docs]
    for _ in range(1100):  # each step a one-letter folder: the path stays under PATH_MAX
        folders.append(folders[-1] / "d")
    for folder in folders:  # one by one: os.makedirs and shutil.rmtree recurse
        folder.mkdir()
    (folders[-1] / "deep.txt").write_text(ARTICLE.format(word="abysse"), encoding="utf-8")
    try:
        assert reindex(docs, tmp_path / "index").added == 1
    finally:
        (folders[-1] / "deep.txt").unlink()
        for folder in reversed(folders):
            folder.rmdir()


def test_names_of_255_bytes(tmp_path, client_for):
    docs = tmp_path / "docs"
    docs.mkdir()
    ascii_name = "a" * 251 + ".txt"
    french_name = "é" * 125 + "x.txt"  # 125 two-byte letters: 255 bytes
    assert len(ascii_name.encode()) == len(french_name.encode()) == 255
    (docs / ascii_name).write_text(ARTICLE.format(word="longueur"), encoding="utf-8")
    (docs / french_name).write_text(ARTICLE.format(word="accents"), encoding="utf-8")
    summary = reindex(docs, tmp_path / "index")
    assert summary.added == 2 and not summary.skipped
    assert sources(tmp_path / "index") == {ascii_name, french_name}
    client = client_for(docs, tmp_path / "index")
    for hit in client.get("/api/search", query_string={"q": ""}).get_json()["results"]:
        assert client.get(f"/api/documents/{hit['id']}").status_code == 200
        assert client.get(f"/doc/{hit['id']}").status_code == 200


def test_a_file_replaced_by_a_folder_of_the_same_name(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "report.txt").write_text(ARTICLE.format(word="rapport"), encoding="utf-8")
    (docs / "other.txt").write_text(ARTICLE.format(word="autre"), encoding="utf-8")
    reindex(docs, tmp_path / "index")
    (docs / "report.txt").unlink()
    (docs / "report.txt").mkdir()
    (docs / "report.txt" / "inside.txt").write_text(ARTICLE.format(word="dedans"), encoding="utf-8")
    summary = reindex(docs, tmp_path / "index")
    assert (summary.added, summary.removed, summary.unchanged) == (1, 1, 1)
    assert sources(tmp_path / "index") == {"other.txt", "report.txt/inside.txt"}
    service = SearchService(tmp_path / "index")
    assert service.search(SearchRequest(q="rapport")).total == 0 and service.search(SearchRequest(q="dedans")).total == 1


def test_files_added_while_a_reindex_runs_are_indexed_by_the_next(docs_dir, tmp_path, monkeypatch):
    real = indexer.list_files

    def list_then_add(*args):
        found = real(*args)
        (docs_dir / "late.txt").write_text(ARTICLE.format(word="retardataire"), encoding="utf-8")
        return found

    monkeypatch.setattr(indexer, "list_files", list_then_add)
    first = reindex(docs_dir, tmp_path / "index")
    monkeypatch.undo()
    assert "late.txt" not in sources(tmp_path / "index")
    second = reindex(docs_dir, tmp_path / "index")
    assert (second.added, second.unchanged) == (1, first.added)
    assert "late.txt" in sources(tmp_path / "index")


@pytest.fixture
def read_only_docs(tmp_path):
    """The seeds on a file system mounted read-only (needs root, as CI and the set-up run)."""
    mount = tmp_path / "ro"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                                           capture_output=True).returncode:
        pytest.skip("mounting a file system needs root: run as root (as `make test` in CI does)")
    try:
        shutil.copytree(SEEDS, mount / "seeds")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "seeds"
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_docs_dir_on_a_read_only_file_system(read_only_docs, tmp_path):
    with pytest.raises(OSError):
        (read_only_docs / "probe.txt").write_text("x")
    summary = reindex(read_only_docs, tmp_path / "index")
    assert summary.added == 5 and not summary.skipped
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "webui", "reindex"],
                            env={**os.environ, "FLASK_DOCS_DIR": str(read_only_docs),
                                 "FLASK_INDEX_DIR": str(tmp_path / "index2")},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "added 5" in result.stdout
