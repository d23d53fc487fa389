"""The same work through SQLite FTS5: a yardstick measured in the same run, so ratios survive noise.

Indexing reads and extracts every file with the product's own extraction (single process), then
inserts into an FTS5 table; a query does what the search page does: match, facet filters, total,
the top 10 by bm25 with snippets, and counts of every facet over the matching documents.
"""
from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from search.ingest.documents import content_hash, list_files, relative_source
from search.ingest.extract import ExtractionContext, extract_documents, find_common_lines, read_file_text
from search.ingest.formats import UnreadableFile

from .queries import BenchQuery

_FIELD = re.compile(r"\b(org|title|year):(\S+)")
FACET_COLUMNS = {"org": "organisations", "person": "people", "year": "year", "lang": "lang"}


def build(corpus: Path, db_path: Path) -> dict:
    """Index the corpus into a fresh FTS5 database; return seconds and document count."""
    started = time.perf_counter()
    if db_path.exists():
        db_path.unlink()
    paths, _ = list_files(corpus)
    blobs = {path: path.read_bytes() for path in paths}
    texts = []
    for path, data in blobs.items():
        try:
            texts.append(read_file_text(data, path).text)
        except UnreadableFile:
            pass
    context = ExtractionContext(common_lines=find_common_lines(texts, len(texts)))
    db = sqlite3.connect(db_path)
    db.executescript("""
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE docs(id TEXT PRIMARY KEY, title TEXT, lang TEXT, date TEXT, datenum INT, year INT,
                          source TEXT, organisations TEXT, people TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(title, text, org_names, person_names,
                          tokenize='unicode61 remove_diacritics 2');
        CREATE TABLE facets(doc INT, facet TEXT, value TEXT);
    """)
    count = 0
    for path, data in blobs.items():
        source = relative_source(path, corpus)
        try:
            docs = extract_documents(source, path, data, context, content_hash(data))
        except Exception:
            continue
        for doc in docs:
            cur = db.execute("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?)", (
                doc.id, doc.title, doc.lang, doc.date, int((doc.date or "0").replace("-", "")), doc.year,
                doc.source, ",".join(doc.organisations), ",".join(doc.people)))
            rowid = cur.lastrowid
            db.execute("INSERT INTO fts(rowid, title, text, org_names, person_names) VALUES (?,?,?,?,?)",
                       (rowid, doc.title or "", doc.text, "\n".join(doc.organisations), "\n".join(doc.people)))
            rows = [(rowid, "org", v) for v in doc.organisations] + [(rowid, "person", v) for v in doc.people]
            rows.append((rowid, "lang", doc.lang))
            if doc.year:
                rows.append((rowid, "year", str(doc.year)))
            db.executemany("INSERT INTO facets VALUES (?,?,?)", rows)
            count += 1
    db.executescript("CREATE INDEX facets_doc ON facets(doc); CREATE INDEX facets_value ON facets(facet, value);"
                     "CREATE INDEX docs_date ON docs(datenum);")
    db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.commit()
    db.close()
    return {"seconds": time.perf_counter() - started, "documents": count}


def _match_expression(q: str) -> tuple[str, dict[str, str]]:
    fields = {name: value.strip('"') for name, value in _FIELD.findall(q)}
    rest = _FIELD.sub(" ", q).strip()
    parts = []
    if rest.startswith('"') and rest.endswith('"') and len(rest) > 2:
        parts.append('"' + rest.strip('"').replace('"', "") + '"')
    else:
        parts += ['"' + w.replace('"', "") + '"' for w in rest.split()]
    if "org" in fields:
        parts.append('org_names : "' + fields["org"] + '"')
    if "title" in fields:
        parts.append('title : "' + fields["title"] + '"')
    return " AND ".join(parts), fields


class Fts5Searcher:
    """One open FTS5 database answering the benchmark's queries as the search page would."""

    def __init__(self, db_path: Path):
        self.db = sqlite3.connect(db_path)

    def search(self, query: BenchQuery) -> int:
        """Run one query; return the total (results, snippets and facets are computed and dropped)."""
        match, fields = _match_expression(query.q)
        where, args = [], []
        if match:
            where.append("rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            args.append(match)
        if "year" in fields:
            where.append("year = ?")
            args.append(int(fields["year"]) if fields["year"].isdigit() else 0)
        for facet, values in query.filters.items():
            marks = ",".join("?" * len(values))
            where.append(f"rowid IN (SELECT doc FROM facets WHERE facet = ? AND value IN ({marks}))")
            args += [facet, *values]
        condition = " AND ".join(where) or "1"
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.m")
        db.execute(f"CREATE TEMP TABLE m AS SELECT rowid AS doc FROM docs WHERE {condition}", args)
        total = db.execute("SELECT count(*) FROM m").fetchone()[0]
        if match:
            db.execute(
                "SELECT d.id, d.title, d.date, snippet(fts, 1, '<mark>', '</mark>', '…', 32) FROM fts "
                "JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ? AND fts.rowid IN (SELECT doc FROM m) "
                "ORDER BY bm25(fts, 3.0, 1.0, 1.5, 1.5) LIMIT 10", (match,)).fetchall()
        else:
            rows = db.execute("SELECT d.rowid FROM docs d WHERE d.rowid IN (SELECT doc FROM m) "
                              "ORDER BY datenum DESC LIMIT 10").fetchall()
            for (rowid,) in rows:
                db.execute("SELECT substr(text, 1, 220) FROM fts WHERE rowid = ?", (rowid,)).fetchone()
        db.execute("SELECT facet, value, count(*) FROM facets WHERE doc IN (SELECT doc FROM m) "
                   "GROUP BY facet, value").fetchall()
        return total

    def close(self) -> None:
        """Close the database."""
        self.db.close()
