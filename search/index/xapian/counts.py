"""Every term's document count and the shards that hold it, kept beside a Xapian generation.

Half the terms a query looks up are in no document (a French word in the English fields), and a
term's count is asked for by every rarity factor: over the remote protocol each costs a round trip
per shard. Once a generation is published and the shards swept, the shards' term lists (one
message per shard) give each term's exact count; the generation keeps them as three arrays (a
64-bit key per term, its count, a mask of the shards holding it), about 20 bytes a term. A view
then answers counts without asking, skips the terms no shard holds, and reads a term's postings
from the shards that hold it only.
"""
from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from search.index import store

COUNTS_NAME = "term-counts.npz"


def term_key(term: bytes) -> int:
    """A term's 64-bit key (two checksums: a collision between two terms is vanishingly rare)."""
    return (zlib.crc32(term) << 32) | zlib.adler32(term)


class TermCounts:
    """Sorted term keys with each term's document count and mask of shards."""

    def __init__(self, keys: np.ndarray, counts: np.ndarray, masks: np.ndarray):
        self.keys, self.counts, self.masks = keys, counts, masks

    def find(self, term: bytes) -> tuple[int, int]:
        """(documents holding the term, mask of the shards holding it); (0, 0) for an unknown term."""
        key = np.uint64(term_key(term))
        at = int(np.searchsorted(self.keys, key))
        if at < len(self.keys) and self.keys[at] == key:
            return int(self.counts[at]), int(self.masks[at])
        return 0, 0


def count_terms(databases: list) -> TermCounts:
    """The counts of every term of the shards' databases (each shard's connection, in order)."""
    keys, counts, masks = [], [], []
    for number, db in enumerate(databases):
        for item in db.allterms():
            keys.append(term_key(item.term))
            counts.append(item.termfreq)
            masks.append(1 << number)
    keys_a = np.asarray(keys, dtype=np.uint64)
    counts_a = np.asarray(counts, dtype=np.int64)
    masks_a = np.asarray(masks, dtype=np.uint64)
    unique, inverse = np.unique(keys_a, return_inverse=True)
    total = np.zeros(unique.size, dtype=np.int64)
    np.add.at(total, inverse, counts_a)
    mask = np.zeros(unique.size, dtype=np.uint64)
    np.bitwise_or.at(mask, inverse, masks_a)
    return TermCounts(unique, total.astype(np.uint32), mask)


def save_counts(generation: Path, counts: TermCounts) -> None:
    """Write the counts into the generation (atomically)."""
    store.replace_file(generation / COUNTS_NAME, lambda handle: np.savez(
        handle, keys=counts.keys, counts=counts.counts, masks=counts.masks))


def load_counts(generation: Path) -> TermCounts | None:
    """The generation's counts, or None (not written yet, or a generation written before them)."""
    try:
        with np.load(generation / COUNTS_NAME, allow_pickle=False) as data:
            return TermCounts(data["keys"], data["counts"], data["masks"])
    except (OSError, KeyError, ValueError):
        return None
