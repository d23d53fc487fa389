"""What the Xapian view answers itself: the query classes the array scorer leaves to the engine
(ranges, scored by their boost as Whoosh's constant-score ranges are), similar documents, and
the term lists prefixes, wildcards and fuzzy terms expand over (`Lexicon`)."""
from __future__ import annotations

import numpy as np
from whoosh import query as Q
from whoosh.classify import Bo1Model, Expander

SIMILAR_TERMS = 5  # key terms a "similar documents" search uses (Whoosh's more_like's default)


def engine_matches(view, query) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, scores) of a range, an Every, a prefix or wildcard, or a compound of
    them, scored as Whoosh scores them; ValueError for another class."""
    mask, scores = _matches(view, query)
    ids = np.flatnonzero(mask)
    return ids.astype(np.int64), scores[ids]


def _constant(mask: np.ndarray, boost: float) -> tuple[np.ndarray, np.ndarray]:
    return mask, np.where(mask, float(boost), 0.0)


def _matches(view, query) -> tuple[np.ndarray, np.ndarray]:
    n = view.doc_count
    if isinstance(query, Q.Every):
        return _constant(np.ones(n, dtype=bool), query.boost)
    if isinstance(query, Q.NumericRange) and query.fieldname == "datenum":
        dates = view.gen.numbering.datenum
        mask = np.ones(n, dtype=bool)
        if query.start is not None:
            mask &= dates > query.start if query.startexcl else dates >= query.start
        if query.end is not None:
            mask &= dates < query.end if query.endexcl else dates <= query.end
        return _constant(mask, query.boost)
    if isinstance(query, Q.NumericRange):
        return _constant(_matches(view, query._compile_query(_lexicon(view)))[0], query.boost)
    if isinstance(query, Q.TermRange):
        mask = np.zeros(n, dtype=bool)
        for btext in query._btexts(_lexicon(view)):
            postings = view.postings(query.fieldname, btext)
            if postings is not None:
                mask[postings.ids] = True
        return _constant(mask, query.boost)
    if isinstance(query, (Q.Prefix, Q.Wildcard)):
        if not query.text:
            return _constant(np.ones(n, dtype=bool), query.boost)
        return _terms(view, query.fieldname, query._btexts(_lexicon(view)), query.boost)
    if isinstance(query, Q.Term):
        field = view.schema[query.fieldname] if query.fieldname in view.schema else None
        return _terms(view, query.fieldname, [field.to_bytes(query.text)] if field else [], query.boost)
    if isinstance(query, Q.WrappingQuery):
        return _matches(view, query.child)
    if isinstance(query, (Q.And, Q.Or)):
        mask, scores = (np.ones(n, dtype=bool) if isinstance(query, Q.And) else np.zeros(n, dtype=bool)), np.zeros(n)
        for sub in query.subqueries:
            m, s = _matches(view, sub)
            mask = mask & m if isinstance(query, Q.And) else mask | m
            scores += s
        return mask, np.where(mask, scores * query.boost, 0.0)
    raise ValueError(f"The Xapian engine cannot match a {type(query).__name__} query.")


def _terms(view, fieldname: str, btexts, boost: float) -> tuple[np.ndarray, np.ndarray]:
    """The documents holding any of the terms, each scored by the sum of their BM25F scores."""
    mask, scores = np.zeros(view.doc_count, dtype=bool), np.zeros(view.doc_count)
    for btext in btexts:
        postings = view.postings(fieldname, btext) if btext else None
        if postings is not None:
            mask[postings.ids] = True
            scores[postings.ids] += term_scores(view, fieldname, btext, postings) * boost
    return mask, scores


def term_scores(view, fieldname: str, btext: bytes, postings) -> np.ndarray:
    """BM25F of a term for each of its postings, as whoosh.scoring.BM25FScorer computes it."""
    if not view.schema[fieldname].scorable:
        return postings.weights.copy()
    idf = view.idf(fieldname, btext)
    average = view.avg_field_length(fieldname) or 1
    K1, B = view.bm25.K1, view.bm25.field_B.get(fieldname, view.bm25.B)
    lengths = view.field_lengths(fieldname)[postings.ids]
    weights = postings.weights
    return idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average)))


def _lexicon(view):
    return Lexicon(view)


class Lexicon:
    """The few reader calls Whoosh's multi-term queries expand with, over the shards' term lists."""

    def __init__(self, view: XapianView):
        self.view = view
        self.schema = view.schema

    def _bytes(self, fieldname: str, text) -> bytes:
        return text if isinstance(text, bytes) else self.schema[fieldname].to_bytes(text)

    def expand_prefix(self, fieldname: str, prefix):
        return self.view.terms(fieldname, self._bytes(fieldname, prefix))

    def lexicon(self, fieldname: str):
        return self.view.terms(fieldname)

    def terms_from(self, fieldname: str, start: bytes):
        return [(fieldname, t) for t in self.view.terms(fieldname) if t >= start]

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0):
        field = self.schema[fieldname]
        return [t for t in self.expand_prefix(fieldname, text[:prefix]) if within(field.from_bytes(t), text, maxdist)]

    def doc_frequency(self, fieldname: str, text) -> int:
        return self.view.doc_frequency(fieldname, text)


def more_like(view, docnum: int, fieldname: str, text: str, top: int) -> list[tuple[int, float]]:
    """Documents like the text, as Whoosh's more_like finds them: its five key terms by the Bo1
    model (whoosh.classify), OR-ed with their weights as boosts, scored by BM25F, the document
    itself left out, best first (ties by document number)."""
    expander = Expander(_ExpansionReader(view), fieldname, model=Bo1Model)
    expander.add_text(text)
    field = view.schema[fieldname]
    mask, scores = np.zeros(view.doc_count, dtype=bool), np.zeros(view.doc_count)
    for word, weight in expander.expanded_terms(SIMILAR_TERMS, normalize=False):
        m, s = _terms(view, fieldname, [field.to_bytes(word)], weight)
        mask |= m
        scores += s
    mask[docnum] = False
    best = np.flatnonzero(mask)
    best = best[np.lexsort((best, -scores[best]))][:top]
    return [(int(d), float(scores[d])) for d in best]


class _ExpansionReader:
    """What whoosh.classify.Expander reads of an index, over the view (collection frequencies are
    asked of the shards once per generation)."""

    def __init__(self, view):
        self.view, self.schema = view, view.schema

    def doc_count_all(self) -> int:
        return self.view.doc_count

    def field_length(self, fieldname: str) -> float:
        return self.view.avg_field_length(fieldname) * (self.view.doc_count or 1)

    def __contains__(self, key) -> bool:
        return self.view.doc_frequency(*key) > 0

    def frequency(self, fieldname: str, btext: bytes) -> int:
        return self.view.collection_frequency(fieldname, btext)


def within(word: str, text: str, maxdist: int) -> bool:
    """Whether two words are within `maxdist` edits (Damerau-Levenshtein, as Whoosh's fuzzy terms)."""
    if abs(len(word) - len(text)) > maxdist:
        return False
    previous2, previous = None, list(range(len(text) + 1))
    for i, a in enumerate(word, 1):
        current = [i] + [0] * len(text)
        for j, b in enumerate(text, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if previous2 is not None and i > 1 and j > 1 and a == text[j - 2] and word[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > maxdist:
            return False
        previous2, previous = previous, current
    return previous[-1] <= maxdist
