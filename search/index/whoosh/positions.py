"""Positions decoded from whoosh3's posting values, all postings of a term at once, in numpy.

Whoosh keeps a posting's positions as its frequency then the pickled list of gaps between them
(whoosh.formats.Positions); unpickling them one posting at a time was most of a phrase's cost.
Pinned with whoosh3 (search/index/whoosh/__init__.py names the version).
"""
from __future__ import annotations

from pickle import loads

import numpy as np
from whoosh.system import _INT_SIZE

DECODE_CHUNK = 16_384  # postings whose values are decoded at once (bounds the wide intermediate arrays)


def _decode_positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(positions per posting, all positions in order) from postings' values.

    A posting's value is its frequency (_INT_SIZE bytes, big-endian) then the pickled list of gaps
    between positions (whoosh.formats.Positions, pinned with whoosh3 3.54.0): `_GAPS_HEAD`, "("
    when there are several gaps, one opcode per gap ("K" and one byte, "M" and two, "J" and four,
    little-endian), then "e" (or "a" after a single gap) and ".". The gaps of every posting are
    read together, one gap of each per step, in numpy; a value that does not read back exactly
    (more than MAX_STEPPED gaps, or another pickle) is unpickled instead.
    """
    if not values:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    data = np.frombuffer(b"".join(values) + bytes(8), dtype=np.uint8)  # bytes read as wider numbers only once gathered
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    starts = np.cumsum(lengths) - lengths
    counts = np.zeros(len(values), dtype=np.int64)
    for byte in range(_INT_SIZE):
        counts = (counts << 8) | data[starts + byte].astype(np.int64)
    ends = np.cumsum(counts)
    flat = np.zeros(int(ends[-1]), dtype=np.int64)
    # Postings by decreasing count: those still reading a gap at step k are a prefix.
    stepped = np.where(counts > MAX_STEPPED, 0, counts)  # longer ones are unpickled below
    order = np.argsort(-stepped, kind="stable")
    remaining = stepped[order]
    cursor = starts[order] + _INT_SIZE + len(_GAPS_HEAD) + (remaining > 1)
    into = (ends - counts)[order]
    valid = np.ones(len(values), dtype=bool)
    for k in range(int(remaining[0]) if remaining.size else 0):
        reading = int(np.searchsorted(-remaining, -k, side="left"))  # postings with more than k gaps
        at = cursor[:reading]
        opcode = data[at]
        low = data[at + 1].astype(np.int64)
        gap = np.where(opcode == _K, low, low | (data[at + 2].astype(np.int64) << 8))
        long = opcode == _J
        if long.any():
            wide = at[long]
            four = [data[wide + i].astype(np.int64) << (8 * (i - 1)) for i in range(1, 5)]
            gap[long] = (four[0] | four[1] | four[2] | four[3]).astype(np.uint32).astype(np.int32)
        valid[:reading] &= (opcode == _K) | (opcode == _M) | long
        flat[into[:reading] + k] = gap
        cursor[:reading] = at + _OPCODE_SIZES[opcode]
    closing = np.where(remaining > 1, _APPENDS, _APPEND)
    valid &= (remaining > 0) & (cursor == (starts + lengths)[order] - 2) & (data[cursor] == closing)
    head = starts[order] + _INT_SIZE
    for i, byte in enumerate(_GAPS_HEAD):  # the pickle opens as expected, with "(" before several gaps
        valid &= data[head + i] == byte
    valid &= (remaining <= 1) | (data[head + len(_GAPS_HEAD)] == _MARK)
    for i in order[~valid].tolist():
        gaps = _unpickled_gaps(values[i])
        if len(gaps) != counts[i]:  # only the postings decoded so far are laid out right
            return _decode_positions_unpickled(values)
        flat[ends[i] - counts[i]:ends[i]] = gaps
    return counts, _positions(counts, flat)


def decoded_positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(positions per posting, all positions as 4-byte numbers) from postings' values, decoded
    DECODE_CHUNK postings at a time: only the 4-byte positions grow with the list."""
    counted, kept = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int32)]
    for start in range(0, len(values), DECODE_CHUNK):
        counts, flat = _decode_positions(values[start:start + DECODE_CHUNK])
        counted.append(counts)
        kept.append(flat.astype(np.int32))
    return np.concatenate(counted), np.concatenate(kept)


def _decode_positions_unpickled(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    gaps = [_unpickled_gaps(v) for v in values]
    counts = np.fromiter(map(len, gaps), dtype=np.int64, count=len(gaps))
    flat = np.fromiter((g for gs in gaps for g in gs), dtype=np.int64, count=int(counts.sum()))
    return counts, _positions(counts, flat)


def _unpickled_gaps(value: bytes) -> list[int]:
    """A posting's gaps between positions, unpickled as whoosh.formats.Positions does."""
    return loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b".")


def _positions(counts: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Every posting's gaps summed into positions (in place: gaps becomes the positions)."""
    running = np.cumsum(gaps, out=gaps)
    starts = np.cumsum(counts) - counts
    before = np.where(starts > 0, running[np.maximum(starts - 1, 0)], 0)
    running -= np.repeat(before, counts)
    return running


_GAPS_HEAD = b"\x80\x02]q\x00"  # pickle protocol 2, an empty list, memoised
MAX_STEPPED = 256  # gaps of one posting read step by step; more are unpickled
_K, _M, _J, _APPEND, _APPENDS, _MARK = b"K"[0], b"M"[0], b"J"[0], b"a"[0], b"e"[0], b"("[0]
_OPCODE_SIZES = np.ones(256, dtype=np.int64)  # anything else steps one byte and fails the check
_OPCODE_SIZES[[_K, _M, _J]] = 2, 3, 5

