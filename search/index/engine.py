"""The engine boundary: what the indexer writes through and what the query side reads through.

A generation is one complete index on disk (search/index/store.py publishes it). An engine
writes a generation of analysed documents (`GenerationWriter`: add, delete, commit, publish) and
opens a generation for searching (`Generation`, whose per-request `IndexView` gives term
statistics, postings with positions, field lengths, stored fields and columns). Query trees are
evaluated and scored above this line (search/query/scoring.py), on the postings an engine gives,
so a second engine need only answer these calls; the Whoosh engine (search/index/whoosh/) is
the one we ship, and the only code that knows Whoosh's on-disk format.

Documents are numbered 0 .. doc_count - 1 within a generation, deleted ones included; `live`
tells which are not deleted. Terms are the analysers' bytes (search/index/analysis.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Protocol

import numpy as np

POSITION_STRIDE = np.int64(1) << 32  # documents × positions packed in one int64 key


class Postings:
    """A term's postings over a whole generation: document numbers (sorted), weights (term
    frequencies), and the positions when they were asked for."""

    __slots__ = ("ids", "weights", "positions")

    def __init__(self, ids: np.ndarray, weights: np.ndarray, positions: "TermPositions | None" = None):
        self.ids, self.weights, self.positions = ids, weights, positions


class TermPositions:
    """Every position of a term in a field, by posting: `flat[starts[i]:starts[i + 1]]` are the
    positions in document `ids[i]`."""

    __slots__ = ("ids", "starts", "flat")

    def __init__(self, ids: np.ndarray, starts: np.ndarray, flat: np.ndarray):
        self.ids, self.starts, self.flat = ids, starts, flat

    @property
    def nbytes(self) -> int:
        """Memory the arrays hold."""
        return self.ids.nbytes + self.starts.nbytes + self.flat.nbytes

    def keys(self, candidates: np.ndarray) -> np.ndarray:
        """Sorted keys (candidate index × stride + position) of the positions in the candidates."""
        at = np.searchsorted(self.ids, candidates)
        first, counts = self.starts[at], self.starts[at + 1] - self.starts[at]
        # Each position's index in flat: its posting's first, plus its rank within the posting.
        where = np.repeat(first - (np.cumsum(counts) - counts), counts)
        where += np.arange(where.size, dtype=np.int64)
        keys = np.repeat(np.arange(len(at), dtype=np.int64) * POSITION_STRIDE, counts)
        keys += self.flat[where]
        return keys


class Bm25:
    """The BM25F parameters a generation is scored with (B per field where it differs)."""

    __slots__ = ("K1", "B", "field_B")

    def __init__(self, K1: float = 1.2, B: float = 0.75, field_B: dict[str, float] | None = None):
        self.K1, self.B, self.field_B = K1, B, field_B or {}


class IndexView(Protocol):
    """One request's view of a searchable generation (not shared between threads)."""

    schema: object  # search/index/schema.py: field names, analysers, to_bytes
    doc_count: int
    bm25: Bm25 | None  # None: the generation is scored another way; `engine_matches` answers

    def doc_frequency(self, fieldname: str, text) -> int:
        """Documents holding a term (deleted ones included, as the statistics count them)."""

    def idf(self, fieldname: str, btext: bytes) -> float:
        """The term's inverse document frequency, as the engine's scorer computes it."""

    def avg_field_length(self, fieldname: str) -> float:
        """The average length of a field over the generation."""

    def field_lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length in a field, as the scorer sees it (0 where absent)."""

    def postings(self, fieldname: str, btext: bytes, positions: bool = False) -> Postings | None:
        """A term's postings (deleted documents included: callers mask them), or None."""

    def kept_positions(self, fieldname: str, btext: bytes) -> TermPositions | None:
        """A term's positions when the generation keeps them in memory."""

    def keep_positions(self, fieldname: str, btext: bytes, positions: TermPositions) -> TermPositions:
        """Keep a term's positions for later requests (within a memory budget); returns them."""

    def expand(self, query) -> list[bytes]:
        """The terms a prefix, wildcard or fuzzy term stands for in this generation."""

    def phrase_matches(self, fieldname: str, btexts: list[bytes], slop: int) -> np.ndarray | None:
        """The documents (sorted numbers) holding the terms in order, each within `slop` positions
        of the one before, when the engine matches phrases itself (a cluster, whose positions cost
        a round trip per document); None to have them checked on the terms' positions."""

    def engine_matches(self, query, deadline: float | None) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, scores) of a query class the array scorer does not evaluate."""

    def walk_matches(self, query, deadline: float) -> tuple[np.ndarray, bool]:
        """Document numbers matched before the deadline, and whether it passed first."""

    def rank_briefly(self, query, allowed: np.ndarray, limit: int, seconds: float) -> tuple[list, bool]:
        """The best (document, score) found within `seconds`, and whether time ran out."""

    def stored_fields(self, docnum: int) -> dict:
        """A document's stored fields."""

    def stored_fields_many(self, docnums: list[int]) -> list[dict]:
        """Several documents' stored fields, in the order asked (a cluster fetches them at once)."""

    def document_number(self, doc_id: str) -> int | None:
        """The number of the live document with this id, or None."""

    def more_like(self, docnum: int, fieldname: str, text: str, top: int) -> list[tuple[int, float]]:
        """Documents whose field is most like this text (the document itself left out)."""

    def live(self) -> np.ndarray:
        """Mask of the documents not deleted."""

    def column(self, name: str) -> list | None:
        """Every document's value of a per-document column (facets, datenum), or None."""

    def words(self, fieldname: str) -> Iterable[str]:
        """Every term of a field, in order (the spelling vocabulary)."""

    def unreachable(self) -> tuple[np.ndarray | None, list[str]]:
        """Mask of the documents whose storage does not answer (None when all does), and the
        names of what does not (a cluster's shards); an embedded engine answers (None, [])."""


class Generation(Protocol):
    """A generation open for searching; its views are per thread."""

    path: Path

    def view(self) -> IndexView:
        """This thread's view."""

    def close(self) -> None:
        """Release files and caches."""


class GenerationWriter(Protocol):
    """Writes one new generation, from scratch or on top of the previous one."""

    def delete_source(self, source: str) -> None:
        """Delete every document read from this source file."""

    def add(self, fields: dict) -> None:
        """Add one document's fields, text fields already analysed (schema.analysed)."""

    def commit(self) -> int:
        """Make the additions and deletions durable in the generation; its document count."""

    def cancel(self) -> None:
        """Abandon what was written."""


class Engine(Protocol):
    """A storage engine: writes generations, opens them, publishes one as the live index."""

    name: str

    def writer(self, generation: Path, base: Path | None) -> GenerationWriter:
        """A writer of the new generation (empty, or starting as a copy of base)."""

    def open(self, generation: Path) -> Generation:
        """The generation, open for searching."""

    def publish(self, index_dir: Path, generation: Path, before_switch: Callable[[], None]) -> None:
        """Make the generation the live one, atomically."""
