"""Searching a Xapian generation: search/index/engine.py's IndexView over the shards.

The view gives what the array scorer (search/query/scoring.py) reads, so a query is matched and
scored exactly as over the Whoosh engine: a term's postings are its Xapian posting lists from every
shard (within-document frequencies are the postings' weights, positions read over the remote
protocol when a phrase needs them), numbered by the generation's numbering; statistics follow
Whoosh's BM25F (idf from the shards' term frequencies, one-byte field lengths from the numbering).

A shard none of whose servers answers is left out: its postings are missing, `unreachable()`
names it and masks its documents, and the service answers from the others, saying so.

A call to several shards asks them all at once, each from a thread of the generation's own with
connections of its own (the bindings let go of the GIL while they wait on a server), so a request
waits for its slowest shard, not for the sum of them.
"""
from __future__ import annotations

import math
import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import xapian

from search.index.engine import Bm25, Postings, TermPositions
from search.index.schema import build_schema
from search.index.whoosh import field_length_table
from search.index.xapian.caches import Budget
from search.index.xapian.counts import load_counts
from search.index.xapian.documents import field_prefix, stored_fields
from search.index.xapian.postings import read_postings
from search.index.xapian.shards import NETWORK_ERRORS, Shard, ShardHealth, open_reader

_TABLE = field_length_table()
POSTINGS_CACHE_MB = 96  # posting lists (with positions when read) kept per generation
STORED_CACHE_MB = 32  # stored fields of documents shown lately
FREQUENCY_CACHE_SIZE = 200_000  # document counts of terms kept per generation
COUNTS_RECHECK_SECONDS = 2.0  # how often a generation looks for its term counts until they are written


class XapianGeneration:
    """A generation open for searching: its numbering, per-thread connections to the shards."""

    def __init__(self, path: Path, numbering, shards: tuple[Shard, ...], health: ShardHealth):
        self.path, self.numbering, self.shards, self.health = path, numbering, shards, health
        self.schema = build_schema()
        self.doc_count = len(numbering.docids)
        self.shard_of_doc = numbering.shard_numbers()
        # Each Xapian id's document number (-1: none), as a table as long as the highest id: ids
        # interleave the shards' own (Database.add_database), which only grow, by one a document
        # added, so 8 bytes for each document a shard ever took; a lookup is then one gather.
        ids = numbering.docids
        self.docnum_of = np.full(int(ids.max()) + 1 if len(ids) else 0, -1, dtype=np.int64)
        self.docnum_of[ids] = np.arange(len(ids), dtype=np.int64)
        self._local = threading.local()
        self._open: list = []
        self._lock = threading.Lock()
        self._lengths: dict[str, np.ndarray] = {}
        self._totals = dict(zip(numbering.length_names, numbering.lengths.sum(axis=0, dtype=np.int64).tolist()))
        self._numbers: dict[str, int] | None = None
        self.factors: dict[tuple, float] = {}
        self.frequencies: dict[tuple, int] = {}
        # A generation's postings, term counts and stored fields never change (what a reindex adds is
        # in no numbering but its own): kept, least recently used out, within budgets.
        self.postings = Budget(POSTINGS_CACHE_MB * 2**20)
        self.stored = Budget(STORED_CACHE_MB * 2**20)
        self.doc_frequencies: dict[tuple, int] = {}
        self._counts = None  # the term counts written once the shards are swept (counts.py)
        self._counts_checked = 0.0
        self._pool: ThreadPoolExecutor | None = None  # asks several shards at once (made on first use)
        self._pool_pid = 0

    def pool(self) -> ThreadPoolExecutor:
        """The threads that ask the shards at once: one per shard, made in this process (a forked
        server's workers make their own)."""
        with self._lock:
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = ThreadPoolExecutor(max_workers=len(self.shards), thread_name_prefix="shard")
                self._pool_pid = os.getpid()
            return self._pool

    @property
    def counts(self):
        """The generation's term counts, or None until its reindex has written them."""
        if self._counts is None and time.monotonic() - self._counts_checked > COUNTS_RECHECK_SECONDS:
            self._counts_checked = time.monotonic()
            self._counts = load_counts(self.path)
        return self._counts

    def view(self, owned: bool = False) -> "XapianView":
        """This thread's view (its own connections to the shards)."""
        connections = getattr(self._local, "connections", None)
        if connections is None:
            connections = self._local.connections = [None] * len(self.shards)
            with self._lock:
                self._open.append(connections)
        return XapianView(self, connections, owned)

    def lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length in a field, rounded to one byte as Whoosh stores it."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            names = self.numbering.length_names
            exact = self.numbering.lengths[:, names.index(fieldname)] if fieldname in names else np.zeros(self.doc_count)
            codes = np.minimum(np.searchsorted(_TABLE, exact, side="left"), 255)
            lengths = self._lengths[fieldname] = _TABLE[codes]
        return lengths

    def document_number(self, doc_id: str) -> int | None:
        """The number of the document with this id."""
        if self._numbers is None:
            self._numbers = {doc_id: i for i, doc_id in enumerate(self.numbering.ids)}
        return self._numbers.get(doc_id)

    def close(self) -> None:
        """Close every thread's connections, and the threads that ask the shards."""
        with self._lock:
            pool, self._pool = (self._pool if self._pool_pid == os.getpid() else None), None
        if pool is not None:
            pool.shutdown(wait=True)  # its threads open views under the lock
        with self._lock:
            for connections in self._open:
                for entry in connections:
                    if entry is not None:
                        try:
                            entry[1].close()
                        except NETWORK_ERRORS:
                            pass
            self._open.clear()


class XapianView:
    """One thread's view of a Xapian generation (search/index/engine.py's IndexView)."""

    def __init__(self, generation: XapianGeneration, connections: list, owned: bool = False):
        self.gen, self.connections, self.owned = generation, connections, owned
        self.schema = generation.schema
        self.doc_count = generation.doc_count
        self.bm25 = Bm25()  # Whoosh's BM25F defaults, as the Whoosh engine's searcher uses
        self.factors, self.frequencies = generation.factors, generation.frequencies
        self.docids = generation.numbering.docids
        self.count = len(generation.shards)
        self._probed: set[int] | None = None  # the shards that answered this view's probe

    # -- the shards ------------------------------------------------------------------------------
    def _each_shard(self, call, only: Shard | None = None, among: list[Shard] | None = None):
        """(shard number, call(db)) for every shard that answers, in shard order; several shards
        are asked at once (each from a thread of the generation's pool)."""
        shards = (only,) if only is not None else self.gen.shards if among is None else among
        if len(shards) == 1:
            return list(self._ask(call, shards[0]))
        gen = self.gen
        asked = [gen.pool().submit(lambda shard=shard: list(gen.view()._ask(call, shard))) for shard in shards]
        return [answer for future in asked for answer in future.result()]

    def _ask(self, call, shard: Shard):
        """(shard number, call(db)) once, when the shard answers, through this thread's connection.
        A connection the server closed (idle, restarted) is opened again once; a server that does
        not answer in time is marked down and the shard's next server (a replica) asked, or the
        shard left out."""
        health = self.gen.health
        for attempt in (0, 1):
            entry = self.connections[shard.number]
            if entry is None:
                entry = self.connections[shard.number] = open_reader(shard, health)
                if entry is None:
                    break
            server, db = entry
            try:
                result = call(db)
            except xapian.NetworkTimeoutError:
                self.connections[shard.number] = None
                health.mark_down(server)
                continue
            except NETWORK_ERRORS:
                self.connections[shard.number] = None
                if attempt:
                    health.mark_down(server)
                continue
            yield shard.number, result
            break

    def unreachable(self) -> tuple[np.ndarray | None, list[str]]:
        """Mask of the documents on shards that do not answer (None when all do), and those shards.
        Each shard is asked once per view (a request's): a cached match needs no posting list, and
        a shard that went away since must not be asked for its documents' fields."""
        if self._probed is None:
            self._probed = {number for number, _ in self._each_shard(lambda db: db.keep_alive())}
        down = [shard for shard in self.gen.shards
                if shard.number not in self._probed or self.gen.health.is_down(shard)]
        if not down:
            return None, []
        mask = np.isin(self.gen.shard_of_doc, [shard.number for shard in down])
        return mask, [shard.name for shard in down]

    def _docnums(self, docids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(where, docnums): which Xapian ids the generation holds, and their document numbers."""
        table = self.gen.docnum_of
        found = table[np.minimum(docids, len(table) - 1)] if len(table) else np.full(len(docids), -1)
        held = (found >= 0) & (docids < len(table))
        return held, found[held]

    def _term(self, fieldname: str, btext: bytes) -> bytes:
        return field_prefix(fieldname) + btext

    # -- statistics and postings ---------------------------------------------------------------
    def doc_frequency(self, fieldname: str, text) -> int:
        if fieldname not in self.schema:
            return 0
        btext = text if isinstance(text, bytes) else self.schema[fieldname].to_bytes(text)
        term = self._term(fieldname, btext)
        counts = self.gen.counts
        if counts is not None:
            return counts.find(term)[0]
        key = (fieldname, btext)
        kept = self.gen.doc_frequencies.get(key)
        if kept is not None:
            return kept
        found = list(self._each_shard(lambda db: db.get_termfreq(term)))
        count = sum(freq for _n, freq in found)
        if len(found) == self.count:  # a count without a shard that did not answer is not kept
            if len(self.gen.doc_frequencies) >= FREQUENCY_CACHE_SIZE:
                self.gen.doc_frequencies.clear()
            self.gen.doc_frequencies[key] = count
        return count

    def collection_frequency(self, fieldname: str, btext: bytes) -> int:
        """The term's weights summed over every document (kept per generation)."""
        key = ("collection", fieldname, btext)
        kept = self.gen.doc_frequencies.get(key)
        if kept is None:
            term = self._term(fieldname, btext)
            kept = sum(freq for _n, freq in self._each_shard(lambda db: db.get_collection_freq(term)))
            self.gen.doc_frequencies[key] = kept
        return kept

    def idf(self, fieldname: str, btext: bytes) -> float:
        """Whoosh's idf: log(documents / (documents holding the term + 1)) + 1."""
        return math.log(self.doc_count / (self.doc_frequency(fieldname, btext) + 1)) + 1

    def avg_field_length(self, fieldname: str) -> float:
        return self.gen._totals.get(fieldname, 0) / (self.doc_count or 1)

    def field_lengths(self, fieldname: str) -> np.ndarray:
        return self.gen.lengths(fieldname)

    def postings(self, fieldname: str, btext: bytes, positions: bool = False) -> Postings | None:
        kept = self.gen.postings.get((fieldname, btext))
        if kept is not None and (kept.positions is not None or not positions):
            return kept if positions or kept.positions is None else Postings(kept.ids, kept.weights)
        postings, whole = self._read_postings(fieldname, btext, positions)
        if postings is not None and whole:  # postings without a shard that did not answer are not kept
            size = postings.ids.nbytes * 2 + (postings.positions.nbytes if postings.positions is not None else 0)
            self.gen.postings.put((fieldname, btext), postings, size)
        return postings

    def _read_postings(self, fieldname: str, btext: bytes, positions: bool):
        """(a term's postings or None, whether every shard answered)."""
        return read_postings(self, fieldname, btext, positions)

    def phrase_matches(self, fieldname: str, btexts: list[bytes], slop: int) -> np.ndarray | None:
        from search.index.xapian.phrases import phrase_matches

        return phrase_matches(self, fieldname, btexts, slop)

    def kept_positions(self, fieldname: str, btext: bytes) -> TermPositions | None:
        """Positions read from the shards for the documents a phrase checks, when it checks them
        (so a term's postings are never read with every document's positions)."""
        from search.index.xapian.phrases import RemotePositions

        return RemotePositions(self, self._term(fieldname, btext))

    def keep_positions(self, fieldname: str, btext: bytes, positions: TermPositions) -> TermPositions:
        return positions

    def expand(self, query) -> list[bytes]:
        """The terms a prefix, wildcard or fuzzy term stands for, from the shards' term lists."""
        from search.index.xapian.matching import Lexicon

        return [w for w in query._btexts(Lexicon(self)) if w]

    def terms(self, fieldname: str, start: bytes = b"") -> list[bytes]:
        """The field's terms from `start` on (every shard's, merged), sorted."""
        prefix = field_prefix(fieldname)
        found: set[bytes] = set()
        for _n, terms in self._each_shard(lambda db: [t.term for t in db.allterms(prefix + start)]):
            found.update(t[len(prefix):] for t in terms)
        return sorted(found)

    # -- matching the query classes the array scorer leaves to the engine ----------------------
    def engine_matches(self, query, deadline: float | None) -> tuple[np.ndarray, np.ndarray]:
        """Ranges (dates from the numbering; others as their terms) and Every, scored by boost."""
        from search.index.xapian.matching import engine_matches

        return engine_matches(self, query)

    def walk_matches(self, query, deadline: float) -> tuple[np.ndarray, bool]:
        """Past the deadline there is no slower matcher to walk: nothing more, and timed out."""
        return np.zeros(0, dtype=np.int64), True

    def rank_briefly(self, query, allowed: np.ndarray, limit: int, seconds: float) -> tuple[list, bool]:
        """Past the deadline, the first allowed documents, unranked."""
        return [(int(d), 0.0) for d in np.flatnonzero(allowed)[:limit]], True

    def more_like(self, docnum: int, fieldname: str, text: str, top: int) -> list[tuple[int, float]]:
        """Documents sharing the text's most telling words (BM25 over its ten best terms)."""
        from search.index.xapian.matching import more_like

        return more_like(self, docnum, fieldname, text, top)

    # -- documents -----------------------------------------------------------------------------
    def stored_fields(self, docnum: int) -> dict:
        kept = self.gen.stored.get(docnum)
        if kept is not None:
            return dict(kept)
        docid = int(self.docids[docnum])
        number, local = (docid - 1) % self.count, (docid - 1) // self.count + 1
        shard = self.gen.shards[number]
        for _n, data in self._each_shard_only(shard, lambda db: db.get_document(local).get_data()):
            fields = stored_fields(data)
            self.gen.stored.put(docnum, fields, len(data))
            return dict(fields)
        numbering = self.gen.numbering  # its shard is down, or the document went: what we keep of it
        return {"id": numbering.ids[docnum], "source": numbering.sources[docnum], "text": "",
                "lang": (numbering.facets[docnum] or {}).get("lang", "und")}

    def stored_fields_many(self, docnums: list[int]) -> list[dict]:
        """The documents not kept already are fetched from their shards, the shards at once."""
        wanted: dict[int, list[int]] = {}
        for docnum in docnums:
            if self.gen.stored.get(docnum) is None:
                docid = int(self.docids[docnum])
                wanted.setdefault((docid - 1) % self.count, []).append(docnum)
        fetched: dict[int, dict] = {}
        if len(wanted) > 1:
            gen = self.gen
            fetch = [gen.pool().submit(lambda some=some: {d: gen.view().stored_fields(d) for d in some})
                     for some in wanted.values()]
            for future in fetch:
                fetched.update(future.result())
        return [fetched[d] if d in fetched else self.stored_fields(d) for d in docnums]

    def _each_shard_only(self, shard: Shard, call):
        def guarded(db):
            try:
                return call(db)
            except xapian.DocNotFoundError:
                return None

        for number, value in self._each_shard(guarded, only=shard):
            if value is not None:
                yield number, value

    def document_number(self, doc_id: str) -> int | None:
        return self.gen.document_number(doc_id)

    def live(self) -> np.ndarray:
        return np.ones(self.doc_count, dtype=bool)

    def column(self, name: str) -> list | None:
        numbering = self.gen.numbering
        if name == "facets":
            return list(numbering.facets)
        if name == "datenum":
            return numbering.datenum.tolist()
        return None

    def term_weights(self, fieldname: str):
        """(word, documents holding it) of every term of a field (the spelling vocabulary)."""
        prefix = field_prefix(fieldname)
        counts: Counter = Counter()
        for _n, terms in self._each_shard(lambda db: [(t.term, t.termfreq) for t in db.allterms(prefix)]):
            for term, freq in terms:
                counts[term[len(prefix):]] += freq
        for term in sorted(counts):
            yield term.decode("utf-8"), counts[term]

    def close(self) -> None:
        """Views made for one job close their generation's connections."""
        if self.owned:
            self.gen.close()
