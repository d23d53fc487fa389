"""Match and score a query over the whole index at once, with numpy arrays.

Whoosh finds and scores matches by walking a tree of matchers one posting at a time, in Python:
a two-word query over eight fields with its expansions walks tens of thousands of postings and
took a second at 10,000 documents. Here each term's postings are read into arrays (from its
engine's view, search/index/engine.py), scored with
BM25F exactly as Whoosh scores them (same idf, average length, B and K1, the same one-byte field
lengths), and the query tree is combined with array operations: a sum for OR and
AND, a maximum for DisjunctionMax, the rarity and coordination factors of our own query classes,
and phrases checked on positions for all candidate documents together.

The result is one score per document (0 where it does not match) and the match mask. A query
class this module does not know is matched and scored by the engine itself (`engine_matches`), so
every query still gets its exact answer.

Optional phrases (a phrase OR-ed beside its own words, as the proximity clauses are) never change
which documents match, only their scores, and checking their positions is most of the cost. Such
a phrase is checked only for the documents in `verify`; elsewhere it counts as matched, which
gives an upper bound of each document's score. `top_documents` ranks on those bounds and checks
positions only for the documents that may reach the top.
"""
from __future__ import annotations

import heapq
import time

import numpy as np
from whoosh import query as Q
from whoosh.collectors import TimeLimit
from whoosh.query.terms import MultiTerm

from search.index.engine import IndexView, Postings
from search.query.exact import ExactPhrase
from search.query.expansion import Rare, Variants
from search.query.parse import FreeWords, WordFields
from search.query.phrases import PhraseMatching

MAX_EXPANDED_TERMS = 1000  # words a wildcard, prefix or fuzzy term searches at most
FACTOR_CACHE_SIZE = 100_000  # rarity factors kept per generation (each a few hundred bytes)
FREQUENCY_CACHE_SIZE = 50_000  # document counts of terms kept per generation (~150 bytes each)


class DocumentCounts:
    """A view's document counts for the rarity factors (search/query/expansion.py), each term's
    looked up once per index generation: a query's words are counted in every field, clause after
    clause, and each lookup reads the term file."""

    def __init__(self, view: IndexView):
        self._view = view
        self._frequencies = view.frequencies

    def get_parent(self) -> "DocumentCounts":
        return self

    def doc_count_all(self) -> int:
        return self._view.doc_count

    def doc_frequency(self, fieldname: str, text) -> int:
        key = (fieldname, text)
        count = self._frequencies.get(key)
        if count is None:
            if len(self._frequencies) >= FREQUENCY_CACHE_SIZE:
                self._frequencies.clear()  # plain bound: counts are cheap to look up again
            count = self._frequencies[key] = self._view.doc_frequency(fieldname, text)
        return count


class ArrayScorer(PhraseMatching):
    """Evaluates a query into (match mask, scores) over every document of an engine's view."""

    def __init__(self, view: IndexView, deadline: float | None = None, vocabulary=None):
        self.view = view
        self.vocabulary = vocabulary  # the spell field's words in memory (search/query/suggest.py), or None
        self.counts = DocumentCounts(view)  # what rarity factors count, remembered
        self.schema = view.schema
        self.n = view.doc_count
        self.deadline = deadline
        self.bm25 = view.bm25
        self.verify: np.ndarray | None = None  # documents whose optional phrases are checked
        self.deferred = False  # an optional phrase was counted as matched somewhere
        self._postings: dict[tuple[str, bytes], Postings | None] = {}
        self._matched: tuple | None = None  # the last query matched, with its mask and bounds
        self._phrased: set[tuple[str, bytes]] = set()  # (field, term) of the query's phrases
        self._holders: dict[tuple, np.ndarray] = {}  # (field, terms) → documents holding them all
        self.notices: list[str] = []  # what the researcher is told about how terms were expanded

    def postings(self, fieldname: str, btext: bytes, positions: bool = False) -> Postings | None:
        """A term's postings, read once per scorer: with their positions at once when the query
        holds a phrase of the term whose positions the generation does not keep."""
        key = (fieldname, btext)
        cached = self._postings.get(key, False)
        if positions and (cached is False or (cached is not None and cached.positions is None)):
            cached = self._postings[key] = self.view.postings(fieldname, btext, positions=True)
        elif cached is False:
            phrased = key in self._phrased and self.view.kept_positions(fieldname, btext) is None
            cached = self._postings[key] = self.view.postings(fieldname, btext, phrased)
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
            return self._by_engine(query)
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
            return self._by_engine(query)
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
        if kind is Q.AndMaybe or kind is ExactPhrase:
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
        return self._by_engine(query)

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
        idf = self.view.idf(fieldname, btext)
        avgfl = self.view.avg_field_length(fieldname) or 1
        B = self.bm25.field_B.get(fieldname, self.bm25.B)
        K1 = self.bm25.K1
        lengths = self.view.field_lengths(fieldname)[postings.ids]
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

    def multi_term_words(self, query: MultiTerm) -> list:
        """The index's words a fuzzy, prefix or wildcard term stands for (Whoosh's own), the
        MAX_EXPANDED_TERMS most frequent when there are more, with a notice saying so."""
        fieldname = query.field()
        if fieldname not in self.schema:
            return []
        if type(query) is Q.FuzzyTerm and fieldname == "spell" and self.vocabulary is not None:
            words = self.vocabulary.get().within(query.text, query.maxdist, query.prefixlength)
        else:
            words = self.view.expand(query)
        if len(words) > MAX_EXPANDED_TERMS:
            frequency = self.view.doc_frequency
            kept = set(heapq.nlargest(MAX_EXPANDED_TERMS, words, key=lambda w: frequency(fieldname, w)))
            self.notices.append(f"«{query.text}» matches {len(words):,} words: the {MAX_EXPANDED_TERMS:,} most frequent "
                                "were searched. Type more letters to search the others.")
            words = [w for w in words if w in kept]
        return words

    def _multi_term(self, query: MultiTerm) -> tuple[np.ndarray, np.ndarray]:
        """Fuzzy, prefix and wildcard terms: an OR of the index's terms they stand for."""
        fieldname = query.field()
        mask, scores = self._empty()
        for word in self.multi_term_words(query):
            text = word if isinstance(word, str) else self.schema[fieldname].from_bytes(word)
            m, s = self._term(fieldname, text, query.boost)
            mask |= m
            scores += s
        return mask, scores

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
        factors = self.view.factors
        factor = factors.get(key)
        if factor is None:
            factor = factors[key] = query.factor(self.counts)
            if len(factors) > FACTOR_CACHE_SIZE:
                factors.clear()  # plain bound: entries are cheap to compute again
        return factor

    @staticmethod
    def _factor(result, factor: float):
        mask, scores = result
        return (mask, scores * factor) if factor != 1.0 and mask.any() else result

    # -- anything else -------------------------------------------------------------------------
    def _by_engine(self, query: Q.Query):
        """The engine's own matching of a query class this module does not evaluate: exact for any."""
        ids, found = self.view.engine_matches(query, self.deadline)
        mask, scores = self._empty()
        if ids.size:
            mask[ids] = True
            scores[ids] = found
        return mask, scores


def _plain_or(query: Q.Or) -> bool:
    """An Or subclass that keeps Or's own matcher (ours mark expansions apart, nothing more)."""
    return type(query).matcher is Q.Or.matcher and type(query)._matcher is Q.Or._matcher


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


