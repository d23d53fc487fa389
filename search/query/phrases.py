"""Phrases matched on positions for every candidate document at once.

`PhraseMatching` is the phrase part of search/query/scoring.py's ArrayScorer: a phrase's
candidates are the documents holding all its words (an intersection of sorted ids), and its
matches those where each word follows the one before within the slop, checked on position keys
(candidate × stride + position) a chunk of candidates at a time.
"""
from __future__ import annotations

import numpy as np
from whoosh import query as Q

from search.index.engine import POSITION_STRIDE, Postings, TermPositions

SPAN_CHUNK = 16_384  # candidates whose positions a phrase check holds at once
MIN_CACHED_POSTINGS = 2048  # a long list: its positions are decoded whole and kept by the generation


class PhraseMatching:
    """Phrase evaluation for ArrayScorer (which provides view, postings, verify, _empty, _btext,
    _term_scores, engine_matches)."""

    def _phrase(self, query: Q.Phrase, optional: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding the words in order, each within `slop` positions of the one before
        (Whoosh's SpanNear2, ordered, mindist 1), scored as the sum of the words' scores.

        An optional phrase is checked only in `verify` and counts as matched elsewhere."""
        fieldname = query.fieldname
        field = self.schema[fieldname] if fieldname in self.schema else None
        if field is None or not query.words:
            return self._empty()
        if not field.format or not field.format.supports("positions"):
            return self._by_engine(query)
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
        a hundred megabytes at 100,000 documents). An engine that matches phrases itself does."""
        matched = self.view.phrase_matches(fieldname, [btext for btext, _postings in terms], slop)
        if matched is not None:
            return candidates[np.isin(candidates, matched, assume_unique=True)]
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
        return candidates[_distinct_sorted(ends // POSITION_STRIDE)]

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
        positions = self.view.kept_positions(fieldname, btext)
        if positions is None and postings.ids.size >= MIN_CACHED_POSTINGS:
            whole = self.postings(fieldname, btext, positions=True)
            positions = self.view.keep_positions(fieldname, btext, whole.positions)
        return positions


def _subset(postings: Postings, at: np.ndarray) -> Postings:
    return Postings(postings.ids[at], postings.weights[at], None)


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
