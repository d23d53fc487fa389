"""A term's postings read from a Whoosh generation as arrays, and the per-generation cache of them.

A term's postings come from its segment's long lists (search/index/whoosh/longlists.py) when it
keeps the term's, else straight from whoosh3's blocks, a whole region at a time; field lengths
come from the segments' length columns. Pinned with whoosh3 (search/index/whoosh/__init__.py).
"""
from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from io import BytesIO
from itertools import accumulate, chain, repeat
from pickle import load as pickle_load, loads
from struct import Struct

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import CorruptIndexError, TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from search.index.engine import Postings, TermPositions
from search.index.whoosh.positions import _positions, decoded_positions

_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
# Long posting lists (the archive's common words, read by query after query) and the positions of
# the common words phrases check are kept per index generation, compactly (4-byte numbers), within
# this budget, least recently used first out. At 100,000 documents 128 MB made the benchmark's p95
# 15 % lower than 64 MB, for 32 MB more in a worker.
POSTINGS_CACHE_MB = 128
MIN_CACHED_POSTINGS = 2048


class IndexArrays:
    """Per-generation arrays the scorer reads: each field's document lengths, loaded on first use,
    and the long posting lists read lately."""

    def __init__(self, doc_count: int, cache_mb: float = POSTINGS_CACHE_MB, long_lists=None):
        self.doc_count = doc_count
        self.long_lists = long_lists  # the segments' long lists (search/index/whoosh/longlists.py), or None
        self._lengths: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        # (field, term) → compact postings, ("positions", field, term) → TermPositions
        self._postings: OrderedDict[tuple, object] = OrderedDict()
        self._sizes: dict[tuple, int] = {}
        self._cached_bytes = 0
        self._budget = int(cache_mb * 2**20)
        self.factors: dict[tuple, float] = {}  # rarity of a clause (search/query/expansion.py)
        self.frequencies: dict[tuple, int] = {}  # documents holding a (field, term), for rarity

    def positions(self, fieldname: str, btext: bytes) -> "TermPositions | None":
        """A term's positions when they are kept."""
        return self._kept(("positions", fieldname, btext))

    def _kept(self, key):
        with self._lock:
            kept = self._postings.get(key)
            if kept is not None:
                self._postings.move_to_end(key)
        return kept

    def keep_positions(self, fieldname: str, btext: bytes, positions: "TermPositions") -> "TermPositions":
        """Keep a term's positions (within the budget shared with posting lists); returns them."""
        self._keep(("positions", fieldname, btext), positions, positions.nbytes)
        return positions

    def _keep(self, key, value, size: int) -> None:
        with self._lock:
            if key not in self._postings and size <= self._budget:
                self._postings[key] = value
                self._sizes[key] = size
                self._cached_bytes += size
                while self._cached_bytes > self._budget:
                    old, _ = self._postings.popitem(last=False)
                    self._cached_bytes -= self._sizes.pop(old)

    def postings(self, reader, fieldname: str, btext: bytes, positions: bool = False) -> Postings | None:
        """A term's postings, from the cache when it holds them and positions are not wanted."""
        key = (fieldname, btext)
        if not positions:
            kept = self._kept(key)
            if kept is not None:
                return Postings(kept[0].astype(np.int64), kept[1].astype(np.float64))
        postings = read_postings(reader, fieldname, btext, positions, self.long_lists)
        if postings is not None and postings.ids.size >= MIN_CACHED_POSTINGS:
            compact = (postings.ids.astype(np.int32), postings.weights.astype(np.float32))
            self._keep(key, compact, compact[0].nbytes + compact[1].nbytes)
        return postings

    def lengths(self, reader, fieldname: str) -> np.ndarray:
        """Every document's length in a field, as Whoosh decodes it (0 where absent)."""
        lengths = self._lengths.get(fieldname)
        if lengths is not None:
            return lengths
        codes = np.zeros(self.doc_count, dtype=np.uint8)
        for sub, offset in reader.leaf_readers():
            column = sub._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is None:
                continue
            count = min(column._count, sub.doc_count_all())
            raw = column._dbfile.get(column._basepos, count) if count else b""
            codes[offset:offset + count] = np.frombuffer(raw, dtype=np.uint8)
        lengths = _BYTE_LENGTHS[codes]
        with self._lock:
            self._lengths[fieldname] = lengths
        return lengths


def read_postings(reader, fieldname: str, btext: bytes, positions: bool = False, long_lists=None) -> Postings | None:
    """A term's postings, whole blocks at a time (deleted documents included: callers mask them),
    with their positions if asked; from a segment's long lists (search/index/whoosh/longlists.py) when it
    keeps the term's."""
    ids, weights, counts, flats = [], [], [], []
    for sub, offset in reader.leaf_readers():
        kept = None
        if long_lists is not None and (segment := sub.segment()) is not None:
            kept = long_lists.read(segment.segment_id(), fieldname, btext, positions)
        if kept is not None:
            segment_ids, segment_weights, segment_counts, segment_flat = kept
        else:
            try:
                matcher = sub.postings(fieldname, btext)
            except TermNotFound:
                continue
            if isinstance(matcher, FilterMatcher):
                matcher = matcher.child  # the live mask leaves deleted documents out later
            segment_ids, segment_weights, values = leaf_postings(matcher, positions)
            if positions:
                segment_counts, segment_flat = decoded_positions(values)
        ids.append(np.asarray(segment_ids, dtype=np.int64) + offset)
        weights.append(np.asarray(segment_weights, dtype=np.float64))
        if positions:
            counts.append(np.asarray(segment_counts, dtype=np.int64))
            flats.append(np.asarray(segment_flat, dtype=np.int32))
    if not ids:
        return None
    postings = Postings(np.concatenate(ids), np.concatenate(weights))
    if positions:
        counts = np.concatenate(counts)
        starts = np.zeros(counts.size + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        postings.positions = TermPositions(postings.ids.astype(np.int32), starts, np.concatenate(flats))
    return postings


def leaf_postings(matcher, values: bool):
    """(ids, weights, values) of one segment's postings of a term (ids and weights as lists or arrays)."""
    if isinstance(matcher, W3LeafMatcher) and not matcher._byteids:
        return _w3_postings(matcher, values)
    ids, weights, raw = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values:
            raw.append(matcher.value())
        matcher.next()
    return ids, weights, raw


def _w3_postings(matcher: W3LeafMatcher, values: bool):
    """A term's postings read straight from whoosh3's blocks (see `region_postings`)."""
    return region_postings(matcher._postfile, matcher._startoffset, matcher._length, matcher._fixedsize, values)


def region_postings(postfile, startoffset: int, extent, size: int | None, values: bool):
    """A term's postings read straight from whoosh3's blocks (whoosh3 3.54.0 is pinned exactly):
    its region of the postings file (offset and length from its term info), `size` the format's
    fixed value size.

    The term's postings are one region of the postings file: a 4-byte tag, then blocks of a
    4-byte length (negative for the last), a pickled info tuple (its second item the block's
    count, its fourth the zlib level, 0 for none) and the pickled (id gaps, weights, values); the
    weights are None for all 1.0, one float for all alike, or one per posting. The region is read
    with one call and each block's data unpickled once; the matcher's block by block walk reads
    the file in many small pieces.
    """
    extent = extent[0] if isinstance(extent, tuple) else extent  # whoosh3's reader keeps a 1-tuple
    region = postfile.get(startoffset, extent)
    if not region.startswith(WHOOSH3_HEADER_MAGIC):
        raise CorruptIndexError(f"Bad postings tag at offset {startoffset}")
    stream = BytesIO(region)
    at, last = len(WHOOSH3_HEADER_MAGIC), False
    gaps, weights, counts, raw = [], [], [], []
    while not last:
        length = _BLOCK_LENGTH.unpack_from(region, at)[0]
        last, length = length < 0, abs(length)
        stream.seek(at + _INT_SIZE)
        count, _maxid, _maxweight, compression, _minlength, _maxlength = pickle_load(stream)
        data = region[stream.tell():at + _INT_SIZE + length]
        block_ids, block_weights, block_values = loads(zlib.decompress(data) if compression else data)
        counts.append(count)
        gaps.append(block_ids)
        if block_weights is None or isinstance(block_weights, float):  # as whoosh3 reads them, in 4 bytes
            weights.append(repeat(float(np.float32(1.0 if block_weights is None else block_weights)), count))
        else:
            weights.append(block_weights)
        if values:  # as W3LeafMatcher._read_values de-minifies them
            if size is None or size < 0:
                raw.extend(block_values)
            elif size == 0:
                raw.extend([None] * count)
            else:
                raw.extend(block_values[i:i + size] for i in range(0, len(block_values), size))
        at += _INT_SIZE + length
    if len(counts) == 1:  # most terms: plain lists cost less than arrays
        return list(accumulate(gaps[0])), list(weights[0]), raw
    total = sum(counts)
    # Each block's first gap counts from 0: its ids are the running sum of its own gaps.
    ids = _positions(np.asarray(counts, dtype=np.int64),
                     np.fromiter(chain.from_iterable(gaps), dtype=np.int64, count=total))
    return ids, np.fromiter(chain.from_iterable(weights), dtype=np.float64, count=total), raw


_BLOCK_LENGTH = Struct("!i")

