"""The folders are the pipeline: no stage imports a later one, no engine code outside its room.

ingest (bytes → documents) → index (documents → a generation) → query (request → results):
`search.ingest` imports neither `search.index` nor `search.query`, `search.index` does not import
`search.query`, nothing under `search/` imports Flask, and only `search/index/whoosh/` touches
Whoosh's storage and codec.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import PROJECT

SEARCH = PROJECT / "search"
LATER = {"ingest": ("search.index", "search.query"), "index": ("search.query",), "query": ()}
# Whoosh's storage, codec and readers: what only the Whoosh engine may import.
WHOOSH_PRIVATE = ("whoosh.codec", "whoosh.filedb", "whoosh.reading", "whoosh.index", "whoosh.system",
                  "whoosh.util", "whoosh.formats", "whoosh.writing", "whoosh.searching")


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Every module a file imports, anywhere in it (relative imports resolved against its package)."""
    if package is None:
        package = ".".join(path.relative_to(PROJECT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[:len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules_under(folder: str) -> list[Path]:
    return sorted((SEARCH / folder).rglob("*.py")) if folder else sorted(SEARCH.rglob("*.py"))


def _violations(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    """'file imports module' for every forbidden module (or one inside it) a file imports."""
    return [f"{path.relative_to(PROJECT)} imports {name}"
            for path in paths for name in sorted(imported_modules(path))
            if any(name == f or name.startswith(f + ".") for f in forbidden)]


@pytest.mark.parametrize("stage", sorted(LATER))
def test_no_stage_imports_a_later_one(stage):
    assert _violations(modules_under(stage), LATER[stage]) == []


def test_nothing_under_search_imports_flask():
    assert _violations(modules_under(""), ("flask", "flask_babel", "werkzeug", "webui")) == []


def test_only_the_whoosh_engine_touches_whooshs_storage_and_codec():
    outside = [p for p in modules_under("") if SEARCH / "index" / "whoosh" not in p.parents]
    assert _violations(outside, WHOOSH_PRIVATE) == []


def test_the_rule_sees_a_forbidden_import(tmp_path):
    """The import walker itself: relative and absolute imports, at any depth, both resolve."""
    assert "search.ingest.folding" in imported_modules(SEARCH / "ingest" / "dates.py")
    probe = tmp_path / "probe.py"
    probe.write_text("from ..query import service\ndef late():\n    import flask\n", encoding="utf-8")
    found = imported_modules(probe, "search.ingest")
    assert {"search.query", "search.query.service", "flask"} <= found


@pytest.mark.parametrize("folder", ["", "ingest", "index", "index/whoosh", "query"])
def test_every_package_says_what_enters_and_what_leaves(folder):
    init = SEARCH / folder / "__init__.py"
    assert init.is_file() and ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))


def test_no_module_is_much_over_400_lines():
    long = [f"{p.relative_to(PROJECT)}: {n}" for p in modules_under("")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420]
    assert long == []
