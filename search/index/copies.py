"""Copies of one article among an archive's documents, from their signatures: near-duplicates and
containment through shared sketch hashes, and separate write-ups of one story through the rarer
words and passages they share. Candidate pairs are blocked on values few documents hold
(`_Holders`, `_pairs_sharing`), so the pairwise step stays linear in the archive's size."""
from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import count

import numpy as np

# Shared sketch hashes needed before a pair is compared (fewer is chance), and the share of the
# smaller document's sketch the other must hold to be a copy of it.
MIN_SHARED_HASHES = 4
COPY_CONTAINMENT = 0.6
# A copy this close in size is a duplicate; a much larger document containing it "contains" it.
DUPLICATE_SIZE_RATIO = 0.6
# A sketch hash, word or anchor held by more documents than this is boilerplate or topic, not
# evidence that two texts are one; the bound also keeps candidate pairs linear in the archive's size.
MAX_HASH_DOCS = 50
# Two write-ups of one story in one language share most of their rarer words: idf-weighted
# Jaccard of their content words at least this (measured on the labelled pairs of the archive).
STORY_SIMILARITY = 0.25
MIN_SHARED_TERMS = 5
# Separate write-ups of one story share passages (a quote, a description of the organiser) that
# few other documents hold: at least this many sketch hashes held by at most RARE_HASH_DOCS
# documents, with this share of the smaller document's idf weight of words found in the other.
RARE_HASH_DOCS = 5
MIN_RARE_HASHES = 3
STORY_COVERAGE = 0.3
# Two documents dated further apart than this report different events (a meeting and the next).
SAME_EVENT_DAYS = 14


def find_copies(sigs: dict[str, dict]):
    """Pairs whose texts are the same article: (a, b, "duplicate") or (a, b, "contains")."""
    sketches = _Holders(sigs, lambda sig: sig["sketch"], numeric=True)
    # Pairs sharing fewer hashes are neither copies nor contained (`_contained`).
    shared = _pairs_sharing(sketches, MAX_HASH_DOCS, MIN_SHARED_HASHES)
    seen: set[tuple[str, str]] = set()
    for (a, b), count in shared.items():
        sa, sb = sigs[a], sigs[b]
        if sa["source"] == sb["source"]:
            continue
        small, large = sorted((a, b), key=lambda d: (len(sigs[d]["sketch"]), d))
        size_small, size_large = len(sigs[small]["sketch"]), len(sigs[large]["sketch"])
        if count / size_small >= COPY_CONTAINMENT and size_small / size_large < DUPLICATE_SIZE_RATIO:
            yield large, small, "contains"
            continue
        if count / size_small >= COPY_CONTAINMENT:
            yield a, b, "duplicate"
            seen.add((a, b) if a < b else (b, a))
    words = _Holders(sigs, lambda sig: sig.get("terms", []))
    total = max(len(sigs), 1)
    idf = {term: math.log(total / n) for term, n in zip(words.values, words.counts.tolist())}
    for a, b in sorted(set(_same_stories(sigs, idf, words)) | set(_shared_passages(sigs, sketches, idf))):
        if (a, b) not in seen and not _contained(shared, sigs, a, b):
            seen.add((a, b))
            yield a, b, "duplicate"


class _Holders:
    """Which documents hold which values (sketch hashes, words, anchors), in arrays.

    Documents are numbered in the order of their ids, so a pair (low, high) of numbers is a pair
    of ids in order. Values are numbered in the order they are first met, or, when `numeric` (the
    sketch hashes: integers, which no result depends on the numbering of), in their own order.
    Each document's values are distinct.
    """

    def __init__(self, sigs: dict[str, dict], held: Callable[[dict], Iterable], numeric: bool = False):
        self.sigs = sigs
        self.names = sorted(sigs)
        if numeric:
            lists = [np.asarray(held(sigs[doc]), dtype=np.int64) for doc in self.names]
            sizes = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
            flat = np.concatenate(lists or [np.zeros(0, np.int64)])
            del lists
            self.values, codes = np.unique(flat, return_inverse=True)
        else:
            # Each value's first position, then those positions ranked: the values' numbers, with no
            # sort. A document's values are read one document at a time and only their first
            # occurrences kept: at 100,000 documents, millions of equal strings are never held at once.
            # Positions fit in 32 bits until two billion values are held (then 64): the arrays of the
            # 20 million words of 100,000 documents, three at once here, take half.
            for width in ("i", "q"):
                first: dict = {}
                met, counted, positions = array(width), array("q"), count()
                try:
                    for doc in self.names:
                        values = held(sigs[doc])
                        counted.append(len(values))
                        met.extend(map(first.setdefault, values, positions))
                    break
                except OverflowError:
                    continue
            kind = np.int32 if width == "i" else np.int64
            sizes = np.frombuffer(counted, dtype=np.int64) if counted else np.zeros(0, np.int64)
            met = np.frombuffer(met, dtype=kind) if met else np.zeros(0, kind)
            is_first = np.zeros(len(met), dtype=bool)
            is_first[np.fromiter(first.values(), dtype=np.int64, count=len(first))] = True
            self.values = list(first)
            del first
            codes = np.cumsum(is_first, dtype=kind)
            codes -= 1
            codes = codes[met]
            del met, is_first
        # Numbers that fit in 32 bits halve what the arrays hold (20 million words at 100,000 documents).
        small = np.int32 if max(len(self.values), len(self.names)) < 2**31 else np.int64
        self.codes = codes if codes.dtype == small else codes.astype(small)
        del codes
        self.docs = np.repeat(np.arange(len(self.names), dtype=small), sizes)
        self.counts = np.bincount(self.codes, minlength=len(self.values))

    def groups(self, limit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The values held by 2 to `limit` documents: their numbers, then their documents one
        value after the other (flat), and how many each has."""
        rare = (self.counts >= 2) & (self.counts <= limit)
        entries = np.flatnonzero(rare[self.codes])
        entries = entries[np.argsort(self.codes[entries], kind="stable")]
        values = np.flatnonzero(rare)
        return values, self.docs[entries], self.counts[values]

    def field(self, name: str, default=None) -> np.ndarray:
        """A number per document for its signature's value of a field (equal values, equal numbers)."""
        numbers: dict = {}
        return np.fromiter((numbers.setdefault(self.sigs[doc].get(name, default), len(numbers)) for doc in self.names),
                           dtype=np.int64, count=len(self.names))


def _group_pairs(flat: np.ndarray, sizes: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The pairs of documents within each group of `flat` (groups of `sizes` documents, one after
    the other): (group numbers, first documents, second documents), the groups of one size at once."""
    starts = np.cumsum(sizes) - sizes
    for size in np.unique(sizes).tolist():
        first, second = np.triu_indices(size, 1)
        groups = np.flatnonzero(sizes == size)
        at = starts[groups][:, None]
        # Documents as 64-bit numbers: callers code a pair as low * n + high.
        yield (np.repeat(groups, len(first)), flat[at + first].ravel().astype(np.int64),
               flat[at + second].ravel().astype(np.int64))


def _pairs_sharing(holders: _Holders, limit: int, minimum: int = 1,
                   same: tuple[str, ...] = (), differ: tuple[str, ...] = ()) -> dict[tuple[str, str], int]:
    """How many values each pair of documents shares, over values held by at most `limit`
    documents; the pairs sharing at least `minimum`, whose signatures agree on the fields `same`
    and differ on `differ`, in the order of their ids.

    The bound keeps the pairwise step linear in the archive's size: a value many documents hold
    is boilerplate or topic, not evidence that two texts are one.
    """
    _values, flat, sizes = holders.groups(limit)
    if not len(sizes):
        return {}
    n = len(holders.names)
    codes = [np.minimum(a, b) * n + np.maximum(a, b) for _groups, a, b in _group_pairs(flat, sizes)]
    pairs, counts = np.unique(np.concatenate(codes), return_counts=True)
    low, high = np.divmod(pairs, n)
    keep = (counts >= minimum) & (low != high)
    for fieldname, alike in [(f, True) for f in same] + [(f, False) for f in differ]:
        code = holders.field(fieldname)
        keep &= (code[low] == code[high]) == alike
    names = holders.names
    return {(names[a], names[b]): c for a, b, c in zip(low[keep].tolist(), high[keep].tolist(), counts[keep].tolist())}


def _shared_passages(sigs: dict[str, dict], sketches: _Holders, idf: dict[str, float]):
    """Pairs in one language that share passages few documents hold and most of their rarer words."""
    for a, b in _pairs_sharing(sketches, RARE_HASH_DOCS, MIN_RARE_HASHES):
        sa, sb = sigs[a], sigs[b]
        if sa["lang"] != sb["lang"] or sa["source"] == sb["source"] or not _same_time(sa, sb):
            continue
        if _coverage(set(sa["terms"]), set(sb["terms"]), idf) >= STORY_COVERAGE:
            yield a, b


def _coverage(a: set, b: set, weights: dict[str, float]) -> float:
    """The weight of what two sets share over the weight of the lighter one (containment, 0 to 1)."""
    lighter = min(sum(weights.get(x, 0.0) for x in a), sum(weights.get(x, 0.0) for x in b))
    return sum(weights.get(x, 0.0) for x in a & b) / lighter if lighter else 0.0


def _same_time(a: dict, b: dict) -> bool:
    """False when both documents are dated and the dates are too far apart for one event."""
    if not a.get("date") or not b.get("date"):
        return True
    try:
        first, second = date.fromisoformat(a["date"][:10]), date.fromisoformat(b["date"][:10])
    except ValueError:  # a month or a year only: compare what is there
        return a["date"][:7] == b["date"][:7] or min(len(a["date"]), len(b["date"])) < 7
    return abs((first - second).days) <= SAME_EVENT_DAYS


def _contained(shared, sigs, a, b) -> bool:
    key = (a, b) if a < b else (b, a)
    count = shared.get(key, 0)
    small = min(len(sigs[a]["sketch"]), len(sigs[b]["sketch"]))
    return count >= MIN_SHARED_HASHES and small > 0 and count / small >= COPY_CONTAINMENT


def _same_stories(sigs: dict[str, dict], idf: dict[str, float], words: _Holders):
    """Pairs in one language whose rarer words mostly coincide: one story, written up twice."""
    shared = _pairs_sharing(words, MAX_HASH_DOCS, MIN_SHARED_TERMS, same=("lang",), differ=("source",))
    terms: dict[str, frozenset] = {}
    weight: dict[str, float] = {}
    for a, b in sorted(shared):
        for doc in (a, b):
            if doc not in terms:
                terms[doc] = frozenset(sigs[doc]["terms"])
                weight[doc] = sum(idf[t] for t in terms[doc])
        # Weighted Jaccard: shared / (wa + wb - shared) >= S  <=>  shared >= S (wa + wb) / (1 + S),
        # and shared is at most the lighter side: most pairs are refused before any sum.
        needed = STORY_SIMILARITY * (weight[a] + weight[b]) / (1 + STORY_SIMILARITY)
        if not needed or min(weight[a], weight[b]) < needed:
            continue
        if sum(idf[t] for t in terms[a] & terms[b]) >= needed:
            yield a, b
