"""The obvious alternative, measured in the same run: SQLite FTS5 with porter, no diacritics, OR, bm25;
a quoted phrase is an FTS5 phrase, as a researcher typing it into FTS5 would get."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from search.ingest.documents import list_files, relative_source
from search.ingest.formats import UnreadableFile, read_raw, supported_extensions

_WORD = re.compile(r"\w+")
_QUOTED = re.compile(r'"([^"]*)"')


class Fts5Baseline:
    """An in-memory FTS5 table over the raw text of every file of a folder."""

    def __init__(self, docs_dir: str | Path):
        root = Path(docs_dir)
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(source UNINDEXED, body, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        paths, _skipped = list_files(root, supported_extensions())
        rows = []
        for path in paths:
            try:
                text = read_raw(path.read_bytes(), path).text
            except (UnreadableFile, OSError):
                continue
            rows.append((relative_source(path, root), text))
        self.db.executemany("INSERT INTO docs (source, body) VALUES (?, ?)", rows)

    def search(self, query: str, limit: int = 20) -> list[str]:
        """Sources of the best files for the query's phrases and words, OR-ed, by bm25."""
        phrases = [" ".join(_WORD.findall(p.lower())) for p in _QUOTED.findall(query)]
        words = dict.fromkeys(w.lower() for w in _WORD.findall(_QUOTED.sub(" ", query)))
        terms = [f'"{p}"' for p in phrases if p] + [f'"{w}"' for w in words]
        if not terms:
            return []
        match = " OR ".join(terms)
        rows = self.db.execute(
            "SELECT source FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, limit)
        ).fetchall()
        return [row[0] for row in rows]
