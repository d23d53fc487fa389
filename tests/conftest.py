"""Fixtures over real indexes built in tmp_path: the app, its test client and CLI runner."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from search.index.indexer import reindex
from search.query.service import SearchService
from webui import create_app

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT / "seeds"
SHARED = PROJECT.parent / "shared"


@pytest.fixture
def docs_dir(tmp_path) -> Path:
    """A copy of the seeds that a test may change."""
    target = tmp_path / "docs"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def index_dir(tmp_path, docs_dir) -> Path:
    """An index of the seeds."""
    target = tmp_path / "index"
    reindex(docs_dir, target)
    return target


@pytest.fixture
def app(docs_dir, index_dir):
    """The app over the seeds' index."""
    return create_app({"TESTING": True, "DOCS_DIR": str(docs_dir), "INDEX_DIR": str(index_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def sample_service(tmp_path_factory) -> SearchService:
    """A service over the seeds and the first 80 corpus pages (for module-scoped fixtures)."""
    docs = tmp_path_factory.mktemp("docs")
    shutil.copytree(SEEDS, docs / "seeds")
    if (SHARED / "corpus").is_dir():
        for path in sorted((SHARED / "corpus").glob("*.txt"))[:80]:
            shutil.copy(path, docs / path.name)
    index = tmp_path_factory.mktemp("index")
    reindex(docs, index)
    return SearchService(index, docs_dir=docs)


def service_of_texts(tmp_path_factory, texts: dict[str, str]) -> SearchService:
    """A service over an archive of the given files (name → text), for module-scoped fixtures."""
    docs = tmp_path_factory.mktemp("docs")
    for name, text in texts.items():
        (docs / name).write_text(text, encoding="utf-8")
    index = tmp_path_factory.mktemp("index")
    reindex(docs, index)
    return SearchService(index, docs_dir=docs)
