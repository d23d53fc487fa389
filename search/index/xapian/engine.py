"""The Xapian engine: documents on xapian-tcpsrv shards, each generation's numbering in INDEX_DIR.

A generation's documents live on the shards; the generation folder keeps its *numbering*: the
Xapian document ids (over all shards, as `Database.add_database` numbers them) of the documents it
holds, with their ids, sources, facet values, dates and field lengths (`numbering.pickle`). Our
document numbers are places in that list, so a reader sees exactly the generation it opened:

- a reindex only *adds* documents to the shards (a changed document is added again), and commits
  each shard; the documents it adds are in no published numbering, so readers of the live
  generation do not see them, whichever shards have committed;
- once the new generation is published, the documents it no longer holds (removed, replaced, or
  left by an earlier reindex that failed) are deleted from the shards (`publish`);
- a reindex that fails leaves its additions on the shards, outside every numbering: the next one
  deletes them when it publishes.

Writes go to each shard's primary through one connection: the reindex lock makes it the only
writer, as Xapian requires.
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Callable

import numpy as np

from search.index import store
from search.index.schema import build_schema
from search.index.xapian.counts import count_terms, save_counts
from search.index.xapian.documents import (ALL_TERM, ID_PREFIX, SOURCE_PREFIX, SLOT_LENGTHS, boolean_term,
                                           length_fields, xapian_document)
from search.index.xapian.shards import (NETWORK_ERRORS, Shard, ShardHealth, global_docid, open_writable,
                                        parse_shards, shard_of)

NUMBERING_NAME = "numbering.pickle"


class Numbering:
    """A generation's documents: Xapian ids (sorted) and what the generation keeps of each."""

    def __init__(self, shards: list[str], docids: np.ndarray, ids: list[str], sources: list[str],
                 facets: list, datenum: np.ndarray, lengths: np.ndarray, length_names: list[str]):
        self.shards, self.docids, self.ids, self.sources = shards, docids, ids, sources
        self.facets, self.datenum, self.lengths, self.length_names = facets, datenum, lengths, length_names

    def save(self, generation: Path) -> None:
        """Write it into the generation (atomically)."""
        store.replace_file(generation / NUMBERING_NAME,
                           lambda handle: pickle.dump(self.__dict__, handle, protocol=pickle.HIGHEST_PROTOCOL))

    @classmethod
    def load(cls, generation: Path) -> "Numbering":
        """The numbering a generation was published with."""
        with open(generation / NUMBERING_NAME, "rb") as handle:
            return cls(**pickle.load(handle))

    def shard_numbers(self) -> np.ndarray:
        """Each document's shard."""
        return (self.docids - 1) % max(1, len(self.shards))


class XapianEngine:
    """Generations whose documents live on the shards of XAPIAN_SHARDS."""

    name = "xapian"

    def __init__(self, shards: str):
        self.spec = shards
        self.shards: tuple[Shard, ...] = parse_shards(shards)

    def writer(self, generation: Path, base: Path | None) -> "XapianWriter":
        """A writer of the new generation: empty (a full reindex), or the base's documents and changes."""
        return XapianWriter(self, generation, Numbering.load(base) if base is not None else None)

    def open(self, generation: Path):
        """The generation, open for searching."""
        from search.index.xapian.view import XapianGeneration

        numbering = Numbering.load(generation)
        if numbering.shards != [s.name for s in self.shards]:
            # A reindex onto other shards (one added): this server keeps its generation until it
            # is restarted with the new XAPIAN_SHARDS.
            raise OSError(f"generation {generation.name} lives on the shards {','.join(numbering.shards)}, "
                          f"not on {self.spec}: set XAPIAN_SHARDS to them")
        return XapianGeneration(generation, numbering, self.shards, ShardHealth())

    def publish(self, index_dir: Path, generation: Path, before_switch: Callable[[], None] | None = None) -> None:
        """Make the generation live, then delete from the shards what no numbering holds any more."""
        store.publish_generation(index_dir, generation, before_switch=before_switch)
        try:
            sweep(self.shards, Numbering.load(generation), generation)
        except (OSError, *NETWORK_ERRORS):
            # Published already: a shard that stopped answering keeps documents no numbering holds
            # (no reader sees them) until the next reindex sweeps them.
            pass

    def status(self) -> list[dict]:
        """Each shard's health (for /healthz)."""
        from search.index.xapian.shards import shard_status

        return [shard_status(shard) for shard in self.shards]


OWNER_KEY = "archive-search:index-dir"


def claim(shard: Shard, db, owner: str) -> None:
    """Mark the shard as holding this INDEX_DIR's documents; OSError when it holds another's (a
    reindex sweeps away what its own numbering does not hold)."""
    holder = db.get_metadata(OWNER_KEY).decode("utf-8", "replace")
    if holder and holder != owner and db.get_doccount():
        raise OSError(f"shard {shard.name} holds the documents of the index in {holder}, not {owner}: "
                      "give each INDEX_DIR shards of its own (or empty this one: remove its database folder)")
    if holder != owner:
        db.set_metadata(OWNER_KEY, owner)
        db.commit()


def sweep(shards: tuple[Shard, ...], numbering: Numbering, generation: Path | None = None) -> int:
    """Delete from each shard the documents the live numbering does not hold; how many. With the
    generation, then write its term counts (search/index/xapian/counts.py), exact once swept."""
    keep = set(numbering.docids.tolist())
    deleted = 0
    dbs = []
    try:
        for shard in shards:
            db = open_writable(shard)
            dbs.append(db)
            gone = [p.docid for p in db.postlist(ALL_TERM)
                    if global_docid(p.docid, shard.number, len(shards)) not in keep]
            for local in gone:
                db.delete_document(local)
            db.commit()
            deleted += len(gone)
        if generation is not None:
            save_counts(generation, count_terms(dbs))
    finally:
        for db in dbs:
            db.close()
    return deleted


class XapianWriter:
    """Adds a generation's new documents to the shards (one writer per shard) and numbers them."""

    def __init__(self, engine: XapianEngine, generation: Path, base: Numbering | None):
        self.engine, self.generation, self.base = engine, generation, base
        self.schema = build_schema()
        self.length_names = length_fields(self.schema)
        shards = engine.shards
        if base is not None and base.shards != [s.name for s in shards]:
            raise OSError(f"the index was built on the shards {','.join(base.shards)}, not {engine.spec}: "
                          "run `flask reindex --full` to rebuild it on these")
        self.dbs = [open_writable(shard) for shard in shards]
        owner = str(generation.resolve().parent)
        for shard, db in zip(shards, self.dbs):
            claim(shard, db, owner)
            db.begin_transaction(False)  # cancel() discards what this writer sent
        self.removed: set[int] = set()  # base docids the new generation drops
        self.added: list[tuple[int, dict, np.ndarray]] = []  # (docid, fields kept, lengths)
        self.numbering: Numbering | None = None

    def delete_source(self, source: str) -> None:
        """Drop the base's documents of a source file (from the numbering; the shards keep them
        until the new generation is published)."""
        if self.base is None:
            return
        term = boolean_term(SOURCE_PREFIX, source)
        count = len(self.dbs)
        for number, db in enumerate(self.dbs):
            self.removed.update(global_docid(p.docid, number, count) for p in db.postlist(term))

    def add(self, fields: dict) -> None:
        """Add one document to its shard; a copy of it an earlier reindex left there is dropped."""
        number = shard_of(fields["id"], len(self.dbs))
        db = self.dbs[number]
        if self.base is not None:
            term = boolean_term(ID_PREFIX, fields["id"])
            self.removed.update(global_docid(p.docid, number, len(self.dbs)) for p in db.postlist(term))
        doc = xapian_document(fields, self.schema, self.length_names)
        local = db.add_document(doc)
        lengths = np.frombuffer(doc.get_value(SLOT_LENGTHS), dtype=np.uint32)
        kept = {"id": fields["id"], "source": fields["source"], "facets": fields.get("facets"),
                "datenum": int(fields.get("datenum") or 0)}
        self.added.append((global_docid(local, number, len(self.dbs)), kept, lengths))

    def commit(self) -> int:
        """Commit every shard, then number the generation's documents; their count."""
        for db in self.dbs:
            db.commit_transaction()
            db.commit()
        self.numbering = self._number()
        self.numbering.save(self.generation)
        return len(self.numbering.docids)

    def _number(self) -> Numbering:
        rows: list[tuple[int, str, str, object, int, np.ndarray]] = []
        base = self.base
        if base is not None:
            for i, docid in enumerate(base.docids.tolist()):
                if docid not in self.removed:
                    rows.append((docid, base.ids[i], base.sources[i], base.facets[i], int(base.datenum[i]),
                                 base.lengths[i]))
        rows.extend((docid, kept["id"], kept["source"], kept["facets"], kept["datenum"], lengths)
                    for docid, kept, lengths in self.added)
        rows.sort(key=lambda row: row[0])
        width = len(self.length_names)
        return Numbering(
            shards=[s.name for s in self.engine.shards],
            docids=np.asarray([r[0] for r in rows], dtype=np.int64),
            ids=[r[1] for r in rows], sources=[r[2] for r in rows], facets=[r[3] for r in rows],
            datenum=np.asarray([r[4] for r in rows], dtype=np.int64),
            lengths=np.vstack([r[5] for r in rows]) if rows else np.zeros((0, width), dtype=np.uint32),
            length_names=self.length_names,
        )

    def cancel(self) -> None:
        """Abandon what was sent: each shard's transaction is cancelled."""
        for db in self.dbs:
            try:
                db.cancel_transaction()
            except NETWORK_ERRORS + (Exception,):
                pass

    def view(self):
        """A view of the committed generation (for the facet tables written beside it)."""
        from search.index.xapian.view import XapianGeneration

        generation = XapianGeneration(self.generation, self.numbering, self.engine.shards, ShardHealth())
        return generation.view(owned=True)

    def close(self) -> None:
        """Close the shards' connections."""
        for db in self.dbs:
            try:
                db.close()
            except NETWORK_ERRORS:
                pass


def engine_from_environment() -> XapianEngine:
    """The engine of the XAPIAN_SHARDS environment variable (FLASK_XAPIAN_SHARDS too)."""
    return XapianEngine(os.environ.get("XAPIAN_SHARDS") or os.environ.get("FLASK_XAPIAN_SHARDS", ""))

