"""Match and score a query over the whole index at once, with numpy arrays.

Whoosh finds and scores matches by walking a tree of matchers one posting at a time, in Python:
a two-word query over eight fields with its expansions walks tens of thousands of postings and
took a second at 10,000 documents. Here each term's postings are read into arrays (from its
segment's long lists, search/longlists.py, or else Whoosh's blocks all at once), scored with
BM25F exactly as Whoosh scores them (same idf, average length, B and K1, the same one-byte field
lengths), and the query tree is combined with array operations: a sum for OR and
AND, a maximum for DisjunctionMax, the rarity and coordination factors of our own query classes,
and phrases checked on positions for all candidate documents together.

The result is one score per document (0 where it does not match) and the match mask. A query
class this module does not know is matched and scored by Whoosh's own matcher, so every query
still gets its exact answer.

Optional phrases (a phrase OR-ed beside its own words, as the proximity clauses are) never change
which documents match, only their scores, and checking their positions is most of the cost. Such
a phrase is checked only for the documents in `verify`; elsewhere it counts as matched, which
gives an upper bound of each document's score. `top_documents` ranks on those bounds and checks
positions only for the documents that may reach the top.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
import zlib
from io import BytesIO
from itertools import accumulate, chain, repeat
from pickle import load as pickle_load, loads
from struct import Struct

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher, _lenfield
from whoosh.collectors import TimeLimit
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.terms import MultiTerm
from whoosh.reading import CorruptIndexError, TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from .expansion import Rare, Variants
from .query import FreeWords, WordFields

_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_POSITION_STRIDE = np.int64(1) << 32  # documents × positions packed in one int64 key
_DEADLINE_EVERY = 1024  # postings walked by Whoosh between two looks at the clock
# Long posting lists (the archive's common words, read by query after query) and the positions of
# the common words phrases check are kept per index generation, compactly (4-byte numbers), within
# this budget, least recently used first out. At 100,000 documents 128 MB made the benchmark's p95
# 15 % lower than 64 MB, for 32 MB more in a worker.
POSTINGS_CACHE_MB = 128
MIN_CACHED_POSTINGS = 2048
SPAN_CHUNK = 16_384  # candidates whose positions a phrase check holds at once
FACTOR_CACHE_SIZE = 100_000  # rarity factors kept per generation (each a few hundred bytes)
FREQUENCY_CACHE_SIZE = 50_000  # document counts of terms kept per generation (~150 bytes each)


class IndexArrays:
    """Per-generation arrays the scorer reads: each field's document lengths, loaded on first use,
    and the long posting lists read lately."""

    def __init__(self, doc_count: int, cache_mb: float = POSTINGS_CACHE_MB, long_lists=None):
        self.doc_count = doc_count
        self.long_lists = long_lists  # the segments' long lists (search/longlists.py), or None
        self._lengths: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        # (field, term) → compact postings, ("positions", field, term) → TermPositions
        self._postings: OrderedDict[tuple, object] = OrderedDict()
        self._sizes: dict[tuple, int] = {}
        self._cached_bytes = 0
        self._budget = int(cache_mb * 2**20)
        self.factors: dict[tuple, float] = {}  # rarity of a clause (search/expansion.py)
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


class DocumentCounts:
    """A searcher's document counts for the rarity factors (search/expansion.py), each term's
    looked up once per index generation: a query's words are counted in every field, clause after
    clause, and each lookup reads the term file."""

    def __init__(self, searcher, arrays: IndexArrays):
        self._searcher = searcher
        self._frequencies = arrays.frequencies

    def get_parent(self) -> "DocumentCounts":
        return self

    def doc_count_all(self) -> int:
        return self._searcher.doc_count_all()

    def doc_frequency(self, fieldname: str, text) -> int:
        key = (fieldname, text)
        count = self._frequencies.get(key)
        if count is None:
            if len(self._frequencies) >= FREQUENCY_CACHE_SIZE:
                self._frequencies.clear()  # plain bound: counts are cheap to look up again
            count = self._frequencies[key] = self._searcher.doc_frequency(fieldname, text)
        return count


class Postings:
    """A term's postings over the whole index: document numbers (sorted), weights, and the
    positions when they were asked for."""

    __slots__ = ("ids", "weights", "positions")

    def __init__(self, ids: np.ndarray, weights: np.ndarray, positions: "TermPositions | None" = None):
        self.ids, self.weights, self.positions = ids, weights, positions


def read_postings(reader, fieldname: str, btext: bytes, positions: bool = False, long_lists=None) -> Postings | None:
    """A term's postings, whole blocks at a time (deleted documents included: callers mask them),
    with their positions if asked; from a segment's long lists (search/longlists.py) when it
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


class ArrayScorer:
    """Evaluates a query into (match mask, scores) over every document of a searcher's index."""

    def __init__(self, searcher, arrays: IndexArrays, deadline: float | None = None, vocabulary=None):
        self.searcher = searcher
        self.vocabulary = vocabulary  # the spell field's words in memory (search/suggest.py), or None
        self.counts = DocumentCounts(searcher, arrays)  # what rarity factors count, remembered
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.arrays = arrays
        self.n = arrays.doc_count
        self.deadline = deadline
        weighting = searcher.weighting
        self.K1 = getattr(weighting, "K1", 1.2)
        self.B = getattr(weighting, "B", 0.75)
        self.field_B = getattr(weighting, "_field_B", {})
        self.bm25 = type(weighting).__name__ == "BM25F"
        self.verify: np.ndarray | None = None  # documents whose optional phrases are checked
        self.deferred = False  # an optional phrase was counted as matched somewhere
        self._postings: dict[tuple[str, bytes], Postings | None] = {}
        self._matched: tuple | None = None  # the last query matched, with its mask and bounds
        self._phrased: set[tuple[str, bytes]] = set()  # (field, term) of the query's phrases
        self._holders: dict[tuple, np.ndarray] = {}  # (field, terms) → documents holding them all

    def postings(self, fieldname: str, btext: bytes, positions: bool = False) -> Postings | None:
        """A term's postings, read once per scorer: with their positions at once when the query
        holds a phrase of the term whose positions the generation does not keep."""
        key = (fieldname, btext)
        cached = self._postings.get(key, False)
        if positions and (cached is False or (cached is not None and cached.positions is None)):
            cached = self._postings[key] = self.arrays.postings(self.reader, fieldname, btext, positions=True)
        elif cached is False:
            phrased = key in self._phrased and self.arrays.positions(fieldname, btext) is None
            cached = self._postings[key] = self.arrays.postings(self.reader, fieldname, btext, phrased)
        return cached

    # -- entry point ---------------------------------------------------------------------------
    def evaluate(self, query: Q.Query, covered: frozenset = frozenset()) -> tuple[np.ndarray, np.ndarray]:
        """(mask, scores): which documents match, and their scores (0 elsewhere). Raises TimeLimit.

        `covered` holds the (field, term) pairs OR-ed around this clause: a phrase of those terms
        is optional (see the module's docstring).
        """
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeLimit()
        if not self.bm25:
            return self._by_whoosh(query)
        kind = type(query)
        if query is Q.NullQuery or kind is Q.NullQuery or kind is type(Q.NullQuery):
            return self._empty()
        if kind is Q.Term:
            return self._term(query.fieldname, query.text, query.boost)
        if isinstance(query, Variants):
            if not query.searched(self.counts):
                return self._empty()
            return self._factor(self.evaluate(query.child, covered), self._rarity(query))
        if isinstance(query, Rare):
            return self._factor(self.evaluate(query.child, covered), self._rarity(query))
        if isinstance(query, Q.Or) and (getattr(query, "minmatch", 0) or getattr(query, "scale", None)):
            return self._by_whoosh(query)
        if isinstance(query, WordFields):
            result = self._compound(query, np.add, covered | _disjunct_terms(query))
            return self._factor(result, self._rarity(query)) if result[0].any() else result
        if isinstance(query, FreeWords):
            return self._free_words(query, covered | _disjunct_terms(query))
        if kind in (Q.Or, Q.DefaultOr) or (isinstance(query, Q.Or) and _plain_or(query)):
            return self._compound(query, np.add, covered | _disjunct_terms(query))
        if kind is Q.And:
            return self._compound(query, np.add, intersect=True)
        if kind is Q.DisjunctionMax:
            return self._compound(query, np.maximum, covered | _disjunct_terms(query))
        if kind is Q.AndNot:
            mask, scores = self.evaluate(query.a)
            if mask.any():
                excluded, _ = self.evaluate(query.b)  # masks never depend on optional phrases
                mask = mask & ~excluded
                scores = np.where(mask, scores, 0.0)
            return mask, scores
        if kind is Q.AndMaybe:
            mask, scores = self.evaluate(query.a)
            if mask.any():
                extra_mask, extra = self.evaluate(query.b)
                scores = scores + np.where(mask & extra_mask, extra, 0.0)
            return mask, scores
        if kind is Q.Phrase:
            optional = all((query.fieldname, w) in covered for w in query.words)
            return self._phrase(query, optional)
        if isinstance(query, MultiTerm) and type(query).matcher is MultiTerm.matcher:
            return self._multi_term(query)
        return self._by_whoosh(query)

    def match(self, query: Q.Query) -> tuple[np.ndarray, np.ndarray, bool]:
        """(mask, upper bounds of the scores, whether any is a bound): the query evaluated with every
        optional phrase counted as matched; remembered for the ranking that follows."""
        if self._matched is not None and self._matched[0] is query:
            return self._matched[1:]
        self.verify = None
        self.deferred = False
        self._phrased = self._phrase_terms(query)
        mask, upper = self.evaluate(query)
        self._matched = (query, mask, upper, self.deferred)
        return mask, upper, self.deferred

    def top_documents(self, query: Q.Query, allowed: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """The `limit` best (document, score) among the allowed ones, best first, ties by document.

        Scores are first computed with optional phrases counted as matched (upper bounds); the
        phrases are then checked for the best documents until no unchecked document's bound can
        reach the last place.
        """
        mask, upper, deferred = self.match(query)
        allowed = allowed & mask
        if not deferred:
            return _top(allowed, upper, limit)
        candidates = np.flatnonzero(allowed)
        checked = np.zeros(self.n, dtype=bool)
        checked[_best_first(candidates, upper[candidates], max(2 * limit, limit + 20))] = True
        while True:
            self.verify = checked
            _mask, exact = self.evaluate(query)
            scores = np.where(checked, exact, upper)
            best = _top(allowed & checked, scores, limit)
            if len(best) < limit and (allowed & ~checked).any():
                threshold = -np.inf
            else:
                threshold = best[-1][1] if best else -np.inf
            rest = allowed & ~checked & (upper >= threshold)
            if not rest.any():
                return best
            more = np.flatnonzero(rest)
            checked[_best_first(more, upper[more], max(4 * limit, 64, int(checked.sum())))] = True

    def _phrase_terms(self, query: Q.Query) -> set[tuple[str, bytes]]:
        """(field, term) of every word of the query's phrases."""
        found = set()
        stack = [query]
        while stack:
            node = stack.pop()
            if isinstance(node, Q.Phrase):
                found.update((node.fieldname, b) for b in (self._btext(node.fieldname, w) for w in node.words) if b)
            elif not node.is_leaf():
                stack.extend(node.children())
        return found

    # -- leaves --------------------------------------------------------------------------------
    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n, dtype=bool), np.zeros(self.n, dtype=np.float64)

    def _btext(self, fieldname: str, text) -> bytes | None:
        if fieldname not in self.schema:
            return None
        try:
            return self.schema[fieldname].to_bytes(text)
        except ValueError:
            return None

    def _term_scores(self, fieldname: str, btext: bytes, postings: Postings) -> np.ndarray:
        """BM25F of a term for each of its postings, as whoosh.scoring.BM25FScorer computes it."""
        weights = postings.weights
        if not self.schema[fieldname].scorable:
            return weights.copy()
        idf = self.searcher.idf(fieldname, btext)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        B = self.field_B.get(fieldname, self.B)
        K1 = self.K1
        lengths = self.arrays.lengths(self.reader, fieldname)[postings.ids]
        return idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avgfl)))

    def _term(self, fieldname: str, text, boost: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        btext = self._btext(fieldname, text)
        mask, scores = self._empty()
        if btext is None:
            return mask, scores
        postings = self.postings(fieldname, btext)
        if postings is None:
            return mask, scores
        mask[postings.ids] = True
        scores[postings.ids] = self._term_scores(fieldname, btext, postings) * boost
        return mask, scores

    def _multi_term(self, query: MultiTerm) -> tuple[np.ndarray, np.ndarray]:
        """Fuzzy, prefix and wildcard terms: an OR of the index's terms they stand for (Whoosh's own)."""
        fieldname = query.field()
        if fieldname not in self.schema:
            words = []
        elif type(query) is Q.FuzzyTerm and fieldname == "spell" and self.vocabulary is not None:
            words = self.vocabulary.get().within(query.text, query.maxdist, query.prefixlength)
        else:
            words = [w for w in query._btexts(self.reader) if w]
        mask, scores = self._empty()
        for word in words:
            text = word if isinstance(word, str) else self.schema[fieldname].from_bytes(word)
            m, s = self._term(fieldname, text, query.boost)
            mask |= m
            scores += s
        return mask, scores

    def _phrase(self, query: Q.Phrase, optional: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding the words in order, each within `slop` positions of the one before
        (Whoosh's SpanNear2, ordered, mindist 1), scored as the sum of the words' scores.

        An optional phrase is checked only in `verify` and counts as matched elsewhere."""
        fieldname = query.fieldname
        field = self.schema[fieldname] if fieldname in self.schema else None
        if field is None or not query.words:
            return self._empty()
        if not field.format or not field.format.supports("positions"):
            return self._by_whoosh(query)
        terms = []
        for word in query.words:
            btext = self._btext(fieldname, word)
            postings = self.postings(fieldname, btext) if btext is not None else None
            if postings is None:
                return self._empty()
            terms.append((btext, postings))
        candidates = self._holding_all(fieldname, terms)
        mask, scores = self._empty()
        if candidates.size == 0:
            return mask, scores
        if optional and (self.verify is None or not self.verify[candidates].all()):
            self.deferred = True
            if self.verify is None:
                matched = candidates
            else:
                verified = self.verify[candidates]
                # The unchecked candidates count as matched; the checked ones where the words are in order.
                keep = ~verified
                keep[np.searchsorted(candidates, self._spans(fieldname, terms, candidates[verified], query.slop))] = True
                matched = candidates[keep]
        else:
            matched = self._spans(fieldname, terms, candidates, query.slop)
        if matched.size == 0:
            return mask, scores
        mask[matched] = True
        total = np.zeros(matched.size, dtype=np.float64)
        for btext, postings in terms:
            at = np.searchsorted(postings.ids, matched)
            total += self._term_scores(fieldname, btext, _subset(postings, at))
        scores[matched] = total * query.boost
        return mask, scores

    def _holding_all(self, fieldname: str, terms) -> np.ndarray:
        """The documents holding every word of a phrase, sorted; once per scorer (the checks of
        optional phrases in `top_documents` evaluate the query several times)."""
        key = (fieldname, tuple(btext for btext, _postings in terms))
        found = self._holders.get(key)
        if found is None:
            found = terms[0][1].ids
            for _btext, postings in terms[1:]:
                found = _intersect_sorted(found, postings.ids, self.n)
            self._holders[key] = found
        return found

    def _spans(self, fieldname: str, terms, candidates: np.ndarray, slop: int) -> np.ndarray:
        """The candidates where each word follows the one before within `slop` positions (checked
        SPAN_CHUNK candidates at a time: the positions of common words in every candidate took
        a hundred megabytes at 100,000 documents)."""
        if candidates.size > SPAN_CHUNK:
            for btext, postings in terms:  # long lists decoded whole and kept first, not chunk by chunk
                self._whole_positions(fieldname, btext, postings)
            return np.concatenate([self._spans(fieldname, terms, candidates[start:start + SPAN_CHUNK], slop)
                                   for start in range(0, candidates.size, SPAN_CHUNK)])
        ends = None
        for btext, postings in terms:
            if candidates.size == 0:
                return candidates
            keys = self._position_keys(fieldname, btext, postings, candidates)
            if ends is not None:
                before = np.searchsorted(ends, keys - 1, side="right")
                before -= 1
                ok = before >= 0
                ok[ok] = keys[ok] - ends[before[ok]] <= slop
                keys = keys[ok]
            ends = keys
        return candidates[_distinct_sorted(ends // _POSITION_STRIDE)]

    def _position_keys(self, fieldname: str, btext: bytes, postings: Postings, candidates: np.ndarray) -> np.ndarray:
        """Sorted keys (candidate index × stride + position) of a term's positions in the candidates:
        from the generation's positions of the term when it keeps them (a long list's are decoded
        whole and kept), else from the positions read with the term's postings."""
        positions = self._whole_positions(fieldname, btext, postings)
        if positions is not None:
            return positions.keys(candidates)
        return self.postings(fieldname, btext, positions=True).positions.keys(candidates)

    def _whole_positions(self, fieldname: str, btext: bytes, postings: Postings) -> "TermPositions | None":
        """The term's positions in every posting: kept by the generation, or decoded (and kept) for
        a long list; None for a short one.

        A long list's positions are kept even when a phrase checks a few documents (the best ones,
        in `top_documents`): otherwise every later search with the word reads its whole list
        again, values and all. At 100,000 documents, four two-word queries repeated took 161 to
        338 ms before, 78 to 219 ms after."""
        positions = self.arrays.positions(fieldname, btext)
        if positions is None and postings.ids.size >= MIN_CACHED_POSTINGS:
            whole = self.postings(fieldname, btext, positions=True)
            positions = self.arrays.keep_positions(fieldname, btext, whole.positions)
        return positions

    # -- compounds -----------------------------------------------------------------------------
    def _compound(self, query: Q.CompoundQuery, combine, covered: frozenset = frozenset(), intersect: bool = False):
        subs = query.subqueries
        if not subs:
            return self._empty()
        if len(subs) == 1:
            return self.evaluate(subs[0], covered)  # Whoosh's CompoundQuery.matcher drops its boost here too
        mask, scores = self.evaluate(subs[0], covered)
        for sub in subs[1:]:
            if intersect and not mask.any():
                return self._empty()
            m, s = self.evaluate(sub, covered)
            if intersect:
                mask &= m
            else:
                mask |= m
            scores = combine(scores, s)
        if intersect:
            scores = np.where(mask, scores, 0.0)
        return mask, scores * query.boost if query.boost != 1.0 else scores

    def _free_words(self, query: FreeWords, covered: frozenset):
        """The free words OR-ed, times the share of the words a document holds (coordination)."""
        subs = query.subqueries
        if len(subs) < 2:
            return self._compound(query, np.add, covered)
        mask, scores = self._empty()
        held = np.zeros(self.n, dtype=np.int32)
        for sub in subs:
            m, s = self.evaluate(sub, covered)
            mask |= m
            scores += s
            held += m
        if query.boost != 1.0:
            scores *= query.boost
        share = np.maximum(1, held) / len(subs)
        return mask, scores * share ** query.coordination

    def _rarity(self, query) -> float:
        """A clause's rarity factor, computed once per index generation."""
        key = (type(query).__name__, str(query), getattr(query, "words", None))  # a Rare's words are its own
        factor = self.arrays.factors.get(key)
        if factor is None:
            factor = self.arrays.factors[key] = query.factor(self.counts)
            if len(self.arrays.factors) > FACTOR_CACHE_SIZE:
                self.arrays.factors.clear()  # plain bound: entries are cheap to compute again
        return factor

    @staticmethod
    def _factor(result, factor: float):
        mask, scores = result
        return (mask, scores * factor) if factor != 1.0 and mask.any() else result

    # -- anything else -------------------------------------------------------------------------
    def _by_whoosh(self, query: Q.Query):
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
                if count % _DEADLINE_EVERY == 0 and self.deadline is not None and time.monotonic() > self.deadline:
                    raise TimeLimit()
        mask, scores = self._empty()
        if ids:
            at = np.asarray(ids, dtype=np.int64)
            mask[at] = True
            scores[at] = np.asarray(found, dtype=np.float64)
        return mask, scores


def _plain_or(query: Q.Or) -> bool:
    """An Or subclass that keeps Or's own matcher (ours mark expansions apart, nothing more)."""
    return type(query).matcher is Q.Or.matcher and type(query)._matcher is Q.Or._matcher


def _subset(postings: Postings, at: np.ndarray) -> Postings:
    return Postings(postings.ids[at], postings.weights[at], None)


def _best_first(docnums: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """The `count` documents of highest value, best first, ties by docnum (docnums ascending):
    the whole list is partitioned, only the best (and their ties) sorted."""
    if count <= 0:
        return docnums[:0]
    if docnums.size > count:
        floor = np.partition(values, docnums.size - count)[docnums.size - count]
        chosen = values >= floor  # ties at the last place are kept for the docnum order
        docnums, values = docnums[chosen], values[chosen]
    return docnums[np.lexsort((docnums, -values))[:count]]


def _intersect_sorted(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """The docnums (below n) in both sorted, distinct arrays, sorted: by a mask, with no sort."""
    if a.size > b.size:
        a, b = b, a
    held = np.zeros(n, dtype=bool)
    held[a] = True
    return b[held[b]]


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array."""
    if values.size == 0:
        return values
    first = np.empty(values.size, dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


def _top(allowed: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    docnums = np.flatnonzero(allowed)
    if limit <= 0 or docnums.size == 0:
        return []
    if docnums.size > 4 * limit:
        keep = np.argpartition(-scores[docnums], limit - 1)[:limit]
        floor = scores[docnums[keep]].min()
        docnums = docnums[scores[docnums] >= floor]  # ties at the last place are kept for the docnum order
    order = np.lexsort((docnums, -scores[docnums]))[:limit]
    return [(int(docnums[i]), float(scores[docnums[i]])) for i in order]


def _disjunct_terms(query: Q.Query) -> frozenset:
    """(field, text) of the plain terms a query matches on their own through ORs only."""
    found = set()
    stack = [query]
    while stack:
        node = stack.pop()
        if type(node) is Q.Term:
            found.add((node.fieldname, node.text))
        elif isinstance(node, Q.Or) and not getattr(node, "minmatch", 0):
            stack.extend(node.subqueries)
    return frozenset(found)


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
    SPAN_CHUNK postings at a time: only the 4-byte positions grow with the list."""
    counted, kept = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int32)]
    for start in range(0, len(values), SPAN_CHUNK):
        counts, flat = _decode_positions(values[start:start + SPAN_CHUNK])
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


class TermPositions:
    """Every position of a term in a field, by posting: kept per generation for long lists."""

    __slots__ = ("ids", "starts", "flat")

    def __init__(self, ids: np.ndarray, starts: np.ndarray, flat: np.ndarray):
        self.ids, self.starts, self.flat = ids, starts, flat

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.starts.nbytes + self.flat.nbytes

    def keys(self, candidates: np.ndarray) -> np.ndarray:
        """Sorted keys (candidate index × stride + position) of the positions in the candidates."""
        at = np.searchsorted(self.ids, candidates)
        first, counts = self.starts[at], self.starts[at + 1] - self.starts[at]
        # Each position's index in flat: its posting's first, plus its rank within the posting.
        where = np.repeat(first - (np.cumsum(counts) - counts), counts)
        where += np.arange(where.size, dtype=np.int64)
        keys = np.repeat(np.arange(len(at), dtype=np.int64) * _POSITION_STRIDE, counts)
        keys += self.flat[where]
        return keys
