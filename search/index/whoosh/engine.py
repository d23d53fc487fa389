"""The Whoosh engine: generations written with Whoosh's writer and searched through its readers.

This module and its siblings are the only code that imports Whoosh's storage, codec and
matchers; what they give the rest is search/index/engine.py's interface.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np
from whoosh import index as whoosh_index
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.filedb.filestore import FileStorage

from search.index import store
from search.index.engine import Bm25, Postings, TermPositions
from search.index.schema import build_schema
from search.index.whoosh.longlists import LongLists, write_missing as write_long_lists
from search.index.whoosh.merging import merge_in_tiers
from search.index.whoosh.postings import IndexArrays
from search.index.whoosh.fastwriter import speed_up

WRITER_LIMIT_MB = 64
_DEADLINE_EVERY = 1024  # postings walked by Whoosh between two looks at the clock


class WhooshEngine:
    """Generations as Whoosh indexes in their own folders of INDEX_DIR."""

    name = "whoosh"

    def writer(self, generation: Path, base: Path | None) -> "WhooshWriter":
        """A writer of the new generation: empty, or starting as hard links to base's files."""
        # Plain reads, not mmap: mapped segment files count in the indexer's resident memory.
        storage = FileStorage(str(generation), supports_mmap=False)
        if base is None:
            ix = storage.create_index(build_schema())
        else:
            store.link_generation(base, generation)
            ix = storage.open_index(schema=build_schema())
        return WhooshWriter(generation, ix)

    def open(self, generation: Path) -> "WhooshGeneration":
        """The generation, open for searching."""
        return WhooshGeneration(generation)

    def publish(self, index_dir: Path, generation: Path, before_switch: Callable[[], None] | None = None) -> None:
        """Make the generation the live one (search/index/store.py)."""
        store.publish_generation(index_dir, generation, before_switch=before_switch)


class WhooshWriter:
    """One Whoosh writer over a new generation; commit merges in tiers and writes the long lists."""

    def __init__(self, generation: Path, ix):
        self.generation, self.ix = generation, ix
        self._writer = ix.writer(limitmb=WRITER_LIMIT_MB)
        speed_up(self._writer, WRITER_LIMIT_MB)

    def delete_source(self, source: str) -> None:
        """Delete every document read from this source file."""
        self._writer.delete_by_term("source", source)

    def add(self, fields: dict) -> None:
        """Add one document (text fields already analysed)."""
        self._writer.add_document(**fields)

    def commit(self) -> int:
        """Commit, write the long lists of new segments; the document count."""
        self._writer.commit(mergetype=merge_in_tiers)
        self._writer = None
        write_long_lists(self.generation, self.ix)
        return self.ix.doc_count()

    def cancel(self) -> None:
        """Abandon the writer's work."""
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None

    def view(self) -> "WhooshView":
        """A view of what was committed (for the facet tables written beside it)."""
        searcher = self.ix.searcher()
        return WhooshView(searcher, IndexArrays(searcher.doc_count_all()))

    def close(self) -> None:
        """Release the index's files."""
        self.ix.close()


class WhooshGeneration:
    """A generation open for searching: one searcher per thread, caches shared by all."""

    def __init__(self, path: Path):
        self.path = path
        # Plain file reads, not mmap: Whoosh copies each mmapped part of a compound segment into a
        # BytesIO when it opens it, so a worker held the whole postings file in memory.
        self.index = FileStorage(str(path), supports_mmap=False, readonly=True).open_index(schema=build_schema())
        # Whoosh searchers share file positions: one per thread, or concurrent requests read garbage.
        self._local = threading.local()
        self._searchers: list = []
        self.arrays = IndexArrays(self.searcher.doc_count_all(), long_lists=LongLists(path))

    @property
    def searcher(self):
        """This thread's Whoosh searcher."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher()
            self._searchers.append(searcher)
        return searcher

    def view(self) -> "WhooshView":
        """This thread's view of the generation."""
        return WhooshView(self.searcher, self.arrays)

    def close(self) -> None:
        """Close every thread's searcher."""
        for searcher in self._searchers:
            searcher.close()


class WhooshView:
    """search/index/engine.py's IndexView over one Whoosh searcher and its generation's arrays."""

    def __init__(self, searcher, arrays: IndexArrays):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.arrays = arrays
        self.doc_count = arrays.doc_count
        weighting = searcher.weighting
        self.bm25 = None
        if type(weighting).__name__ == "BM25F":
            self.bm25 = Bm25(getattr(weighting, "K1", 1.2), getattr(weighting, "B", 0.75),
                             getattr(weighting, "_field_B", {}))
        self.factors = arrays.factors  # per-generation memo of rarity factors (search/query/expansion.py)
        self.frequencies = arrays.frequencies  # per-generation memo of document counts

    # -- statistics and postings ---------------------------------------------------------------
    def doc_frequency(self, fieldname: str, text) -> int:
        return self.searcher.doc_frequency(fieldname, text)

    def idf(self, fieldname: str, btext: bytes) -> float:
        return self.searcher.idf(fieldname, btext)

    def avg_field_length(self, fieldname: str) -> float:
        return self.searcher.avg_field_length(fieldname)

    def field_lengths(self, fieldname: str) -> np.ndarray:
        return self.arrays.lengths(self.reader, fieldname)

    def postings(self, fieldname: str, btext: bytes, positions: bool = False) -> Postings | None:
        return self.arrays.postings(self.reader, fieldname, btext, positions)

    def kept_positions(self, fieldname: str, btext: bytes) -> TermPositions | None:
        return self.arrays.positions(fieldname, btext)

    def keep_positions(self, fieldname: str, btext: bytes, positions: TermPositions) -> TermPositions:
        return self.arrays.keep_positions(fieldname, btext, positions)

    def expand(self, query) -> list[bytes]:
        return [w for w in query._btexts(self.reader) if w]

    def phrase_matches(self, fieldname: str, btexts: list[bytes], slop: int) -> np.ndarray | None:
        return None  # positions are read from the segments' files as cheaply as postings

    # -- matching by Whoosh's own matchers -------------------------------------------------------
    def engine_matches(self, query, deadline: float | None) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh's own matcher, walked segment by segment: exact for any query class."""
        ids: list[int] = []
        found: list[float] = []
        for sub, offset in self.searcher.leaf_searchers():
            matcher = query.matcher(sub, None)
            count = 0
            while matcher.is_active():
                ids.append(matcher.id() + offset)
                found.append(matcher.score())
                matcher.next()
                count += 1
                if count % _DEADLINE_EVERY == 0 and deadline is not None and time.monotonic() > deadline:
                    raise TimeLimit()
        return np.asarray(ids, dtype=np.int64), np.asarray(found, dtype=np.float64)

    def walk_matches(self, query, deadline: float) -> tuple[np.ndarray, bool]:
        """The matches found before the deadline, walking the query's matcher (slow, but stoppable)."""
        found: list[int] = []
        timed_out = False
        for i, docnum in enumerate(self.searcher.docs_for_query(query)):
            found.append(docnum)
            if i % 2048 == 2047 and time.monotonic() > deadline:
                timed_out = True
                break
        return np.asarray(found, dtype=np.int64), timed_out

    def rank_briefly(self, query, allowed: np.ndarray, limit: int, seconds: float) -> tuple[list, bool]:
        """The best documents Whoosh's collector finds in `seconds` among the allowed ones."""
        allowed_set = set(np.flatnonzero(allowed).tolist())
        collector = self.searcher.collector(limit=limit, filter=allowed_set)
        limited = TimeLimitCollector(collector, timelimit=seconds, use_alarm=False)
        timed_out = False
        try:
            self.searcher.search_with_collector(query, limited)
        except TimeLimit:
            timed_out = True
        results = limited.results()
        return [(hit.docnum, hit.score) for hit in results[:limit]], timed_out

    def more_like(self, docnum: int, fieldname: str, text: str, top: int) -> list[tuple[int, float]]:
        results = self.searcher.more_like(docnum, fieldname, text=text, top=top)
        return [(hit.docnum, hit.score) for hit in results]

    # -- documents -----------------------------------------------------------------------------
    def stored_fields(self, docnum: int) -> dict:
        return self.searcher.stored_fields(docnum)

    def stored_fields_many(self, docnums: list[int]) -> list[dict]:
        return [self.searcher.stored_fields(docnum) for docnum in docnums]

    def document_number(self, doc_id: str) -> int | None:
        return self.searcher.document_number(id=doc_id)

    def live(self) -> np.ndarray:
        live = np.zeros(self.doc_count, dtype=bool)
        live[np.fromiter(self.reader.all_doc_ids(), dtype=np.int64)] = True
        return live

    def unreachable(self) -> tuple[np.ndarray | None, list[str]]:
        return None, []  # one folder on this machine: all of it answers

    def column(self, name: str) -> list | None:
        if not self.reader.has_column(name):
            return None
        column = self.reader.column_reader(name)
        return [column[i] for i in range(self.doc_count)]

    def term_weights(self, fieldname: str):
        """(word, weight) of every term of a field, segment by segment, each term file read in
        order: over several segments, the reader's own iteration looks every term up in each of
        them (two seconds at 100,000 documents)."""
        reader = self.reader
        leaves = [sub for sub, _offset in reader.leaf_readers()] if hasattr(reader, "leaf_readers") else [reader]
        for leaf in leaves:
            for term, info in leaf.iter_field(fieldname):
                yield (term.decode("utf-8") if isinstance(term, bytes) else term), info.weight()

    def close(self) -> None:
        """Close the searcher (views made for one job, not a generation's)."""
        self.searcher.close()
