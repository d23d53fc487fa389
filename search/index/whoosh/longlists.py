"""Long posting lists kept beside each Whoosh segment as plain arrays.

Whoosh stores a term's postings as pickled, zlib-compressed blocks of 128; reading the list of a
word half the archive holds unpickles hundreds of blocks, positions included. At 100,000
documents that was two fifths of the query benchmark's time. So when a segment is written, the
postings of its terms held by at least MIN_POSTINGS documents are also written as arrays:

    the gaps between ids (the segment's own document numbers), weights, and, for fields that keep
    positions, each posting's count of positions then all positions, each array in the narrowest
    type that holds it exactly (one byte for most gaps, weights and counts, two for positions).

One file per segment, named after it (`<segment id>.longlists`): a generation's new directory
starts as hard links to the previous one's files, so the lists of unchanged segments carry over,
and Whoosh deletes the file with the rest of a segment merged away (its name matches the
segment's files). The file ends with the pickled table of contents ((field, term) → where, how
many postings, how many positions or -1, the arrays' types), its offset and MAGIC. A segment without the file, or a
term not in it, is read from Whoosh's blocks as before; the arrays hold what those blocks hold,
deleted documents included (readers mask them).
"""
from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path

import numpy as np
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import SegmentReader

from search.index import store
from search.index.whoosh.positions import decoded_positions
from search.index.whoosh.postings import leaf_postings

MIN_POSTINGS = 1024
SUFFIX = ".longlists"
MAGIC = b"LONGLST1"
_TAIL = 16  # offset of the table of contents (8 bytes, little-endian), then MAGIC


def file_name(segment) -> str:
    return segment.segment_id() + SUFFIX


def write_missing(generation: Path, ix) -> int:
    """Write the long lists of every segment of the index that has none yet; how many were written."""
    written = 0
    for segment in ix._segments():
        path = generation / file_name(segment)
        if path.exists():
            continue
        reader = SegmentReader(ix.storage, ix.schema, segment)
        try:
            store.replace_file(path, lambda handle: _write(handle, reader, ix.schema, leaf_postings, decoded_positions))
        finally:
            reader.close()
        written += 1
    return written


def _write(handle, reader, schema, leaf_postings, decoded_positions) -> None:
    contents: dict[tuple[str, bytes], tuple[int, int, int, tuple[str, ...]]] = {}
    at = 0
    for (fieldname, btext), info in reader:
        if info.doc_frequency() < MIN_POSTINGS:
            continue
        matcher = reader.postings(fieldname, btext)
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child  # deleted documents included, as in Whoosh's blocks
        positional = bool(schema[fieldname].format and schema[fieldname].format.supports("positions"))
        ids, weights, values = leaf_postings(matcher, positional)
        ids = np.asarray(ids, dtype=np.int64)
        parts = [_narrowest(np.diff(ids, prepend=0)), _narrowest(np.asarray(weights, dtype=np.float64))]
        if positional:
            counts, flat = decoded_positions(values)
            parts += [_narrowest(counts), _narrowest(flat)]
        contents[(fieldname, btext)] = (at, len(ids), int(flat.size) if positional else -1,
                                        tuple(part.dtype.str for part in parts))
        for part in parts:
            data = part.tobytes()
            handle.write(data)
            at += len(data)
    handle.write(pickle.dumps(contents, protocol=pickle.HIGHEST_PROTOCOL))
    handle.write(at.to_bytes(8, "little") + MAGIC)


def _narrowest(values: np.ndarray) -> np.ndarray:
    """The values in the narrowest type that holds each exactly: unsigned integers of 1, 2 or 4
    bytes, else 4- or 8-byte floats."""
    if values.size == 0:
        return values.astype(np.uint8)
    whole = values.dtype.kind in "iu" or bool(np.all(values == np.round(values)))
    if whole and values.min() >= 0:
        for kind in (np.uint8, np.uint16, np.uint32):
            if values.max() <= np.iinfo(kind).max:
                return values.astype(kind)
    narrow = values.astype(np.float32)
    return narrow if np.array_equal(narrow, values) else values.astype(np.float64)


class LongLists:
    """The long lists of a generation's segments, read on demand (tables of contents kept)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._contents: dict[str, dict | None] = {}
        self._lock = threading.Lock()

    def read(self, segment_id: str, fieldname: str, btext: bytes, positions: bool):
        """(ids, weights, counts, flat) of a term in a segment (counts and flat None unless
        positions are asked for), or None when the segment does not keep the term's list."""
        contents = self._contents_of(segment_id)
        entry = contents.get((fieldname, btext)) if contents else None
        if entry is None or (positions and entry[2] < 0):
            return None
        at, count, npositions, types = entry
        sizes = [count, count, count, npositions][:4 if positions else 2]
        widths = [size * np.dtype(kind).itemsize for size, kind in zip(sizes, types)]
        with open(self.folder / (segment_id + SUFFIX), "rb") as handle:
            data = os.pread(handle.fileno(), sum(widths), at)
        if len(data) != sum(widths):
            return None
        parts, offset = [], 0
        for size, kind, width in zip(sizes, types, widths):
            parts.append(np.frombuffer(data, dtype=kind, count=size, offset=offset))
            offset += width
        ids = np.cumsum(parts[0], dtype=np.int64)
        if not positions:
            return ids, parts[1], None, None
        return ids, parts[1], parts[2], parts[3]

    def _contents_of(self, segment_id: str) -> dict | None:
        with self._lock:
            if segment_id in self._contents:
                return self._contents[segment_id]
        contents = _read_contents(self.folder / (segment_id + SUFFIX))
        with self._lock:
            self._contents[segment_id] = contents
        return contents


def _read_contents(path: Path) -> dict | None:
    """A file's table of contents; None when there is no file or it is not one of ours."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < _TAIL:
                return None
            tail = os.pread(handle.fileno(), _TAIL, size - _TAIL)
            if tail[8:] != MAGIC:
                return None
            at = int.from_bytes(tail[:8], "little")
            return pickle.loads(os.pread(handle.fileno(), size - _TAIL - at, at))
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return None
