"""A reader that cannot import, or that raises on one file, costs only the files it reads."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib

from search.ingest.formats import READERS
from search.index.indexer import reindex
from search.query.service import SearchRequest, SearchService
from conftest import PROJECT

PAGE = b"<html><body><h1>Heron survey</h1><p>The heron survey of ICESCO was published in May 2022 in Rabat.</p></body></html>"
# `flask reindex` in a process where the HTML reader's dependency cannot be imported, as after an
# install by a pip that dropped lxml's [html_clean] extra.
BROKEN_HTML_READER = """
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name == "lxml_html_clean" or name.startswith(("lxml_html_clean.", "lxml.html.clean")):
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, Missing())
from flask.cli import main
sys.argv = ["flask", "reindex"]
main()
"""


def test_pyproject_declares_what_the_html_reader_imports():
    dependencies = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.replace("-", "_").startswith("lxml_html_clean>=") and "<" in d for d in dependencies)


def test_an_html_reader_that_cannot_import_skips_only_the_html_files(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(PROJECT / "seeds", docs)
    (docs / "heron.html").write_bytes(PAGE)
    env = {"PATH": "/usr/bin:/bin", "FLASK_DOCS_DIR": str(docs), "FLASK_INDEX_DIR": str(tmp_path / "index")}
    done = subprocess.run([sys.executable, "-c", BROKEN_HTML_READER], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "added 5, updated 0, removed 0, unchanged 0, skipped 1: heron.html (the .html reader cannot be loaded" in done.stdout
    assert "pip install ." in done.stdout
    assert SearchService(tmp_path / "index").search(SearchRequest(q="ICESCO")).total > 0


def test_a_reader_that_raises_on_one_file_skips_it_with_the_reason(tmp_path, monkeypatch):
    def broken(data, path):
        raise AssertionError("a bug in the library")

    docs = tmp_path / "docs"
    shutil.copytree(PROJECT / "seeds", docs)
    (docs / "heron.html").write_bytes(PAGE)
    monkeypatch.setitem(READERS, ".html", broken)  # the reader only: the indexer's handling is real
    summary = reindex(docs, tmp_path / "index")
    assert summary.added == 5
    assert [(s.source, s.reason) for s in summary.skipped] == [
        ("heron.html", "the .html reader failed on this file (AssertionError: a bug in the library)")]
