"""Numpy scoring (search/query/scoring.py) against Whoosh's own matchers, on a real index of real articles."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
from whoosh import query as Q

from whoosh.query.terms import MultiTerm

from search.query.parse import parse_query
from search.index.whoosh.engine import WhooshView
from search.index.whoosh.postings import IndexArrays
from search.query.scoring import ArrayScorer
from conftest import sample_service


QUERIES = [
    "heritage", "coopération culturelle", "education ministers", "ministre de l'éducation",
    '"Islamic world"', '"coopération islamique"', "title:cooperation", "educ*", "patrimoine~",
    "culture NOT heritage", "Salim AlMalik", "Almalick", "signature accord", "year:2024 culture",
    "organsation", "développement durable jeunesse", "digital transformation",
    "ICESCO", "AICTO agreement", "ALECSO Tunis",
]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    return sample_service(tmp_path_factory)


def _whoosh_differs(query: Q.Query) -> bool:
    """Clauses Whoosh itself scores inconsistently, so not comparable (see the test below)."""
    if isinstance(query, (Q.DisjunctionMax, MultiTerm)):
        return True
    return any(_whoosh_differs(q) for q in query.children())


def _scorer(service) -> ArrayScorer:
    gen = service._current()
    return ArrayScorer(WhooshView(gen.engine.searcher, IndexArrays(gen.doc_count)))


@pytest.mark.parametrize("text", QUERIES)
def test_matches_are_whooshs_own(service, text):
    gen = service._current()
    query = parse_query(text, service.schema, service.expansion).query
    mask, _scores = _scorer(service).evaluate(query)
    expected = sorted(gen.engine.searcher.docs_for_query(query))
    assert np.flatnonzero(mask & gen.live).tolist() == expected


def _whoosh_scores(searcher, query) -> dict[int, float]:
    """Every match's score as Whoosh's matcher gives it, walked posting by posting."""
    scores = {}
    for sub, offset in searcher.leaf_searchers():
        matcher = query.matcher(sub, None)
        while matcher.is_active():
            scores[matcher.id() + offset] = matcher.score()
            matcher.next()
    return scores


@pytest.mark.parametrize("text", QUERIES)
def test_scores_are_whooshs_own(service, text):
    """Every document's score equals Whoosh's matcher's, but for two clauses Whoosh scores
    inconsistently: a DisjunctionMax (an organisation's forms) may take the max of two sub-matchers
    sitting on different documents, and a fuzzy or wildcard term's expansions are scored BM25 in an
    index of over 5,000 documents but as constants in a smaller one (Or picks a preloading matcher
    that ignores scores). Whoosh's top-k collector is not the yardstick either: its block skipping
    can hide a word from the coordination factor, scoring a document that holds both words as if it
    held one."""
    gen = service._current()
    query = parse_query(text, service.schema, service.expansion).query
    full = _scorer(service)
    full.verify = np.ones(gen.doc_count, dtype=bool)  # every phrase checked
    mask, exact = full.evaluate(query)
    if not _whoosh_differs(query):
        whoosh = {d: s for d, s in _whoosh_scores(gen.engine.searcher, query).items() if gen.live[d]}
        docnums = np.flatnonzero(mask & gen.live).tolist()
        assert docnums == sorted(whoosh)
        assert exact[docnums].tolist() == pytest.approx([whoosh[d] for d in docnums])


@pytest.mark.parametrize("text", QUERIES)
def test_the_top_from_bounds_is_the_exact_top(service, text):
    gen = service._current()
    query = parse_query(text, service.schema, service.expansion).query
    top = _scorer(service).top_documents(query, gen.live.copy(), 10)
    full = _scorer(service)
    full.verify = np.ones(gen.doc_count, dtype=bool)
    mask, exact = full.evaluate(query)
    docnums = np.flatnonzero(mask & gen.live)
    best = docnums[np.lexsort((docnums, -exact[docnums]))][:10]
    assert [d for d, _ in top] == best.tolist()
    assert [s for _, s in top] == pytest.approx(exact[best].tolist())


def test_a_phrase_checks_word_order_and_distance(service):
    scorer = _scorer(service)
    gen = service._current()
    forward = Q.Phrase("text_en", ["islam", "world"])
    backward = Q.Phrase("text_en", ["world", "islam"])
    for phrase in (forward, backward):
        mask, _ = scorer.evaluate(phrase)
        assert np.flatnonzero(mask & gen.live).tolist() == sorted(gen.engine.searcher.docs_for_query(phrase))
    assert scorer.evaluate(forward)[0].any()


def test_an_optional_phrase_is_counted_as_matched_until_checked(service):
    gen = service._current()
    words = [Q.Term("text_en", "islam"), Q.Term("text_en", "world")]
    phrase = Q.Phrase("text_en", ["world", "islam"])  # rarely in this order
    query = Q.Or([*words, phrase])
    scorer = _scorer(service)
    upper_mask, upper = scorer.evaluate(query)
    assert scorer.deferred
    scorer.verify = np.ones(gen.doc_count, dtype=bool)
    exact_mask, exact = scorer.evaluate(query)
    assert (upper_mask == exact_mask).all()  # the phrase never changes which documents match
    assert (upper >= exact - 1e-9).all() and (upper > exact).any()


@pytest.mark.parametrize("text", [q for q in QUERIES if '"' in q] + ['"Islamic world" heritage', "culture heritage"])
def test_positions_kept_for_the_generation_give_the_same_phrases(service, text, monkeypatch):
    """Long lists' positions are decoded once and kept (every list counts as long here)."""
    import search.query.phrases as scoring

    gen = service._current()
    query = parse_query(text, service.schema, service.expansion).query
    monkeypatch.setattr(scoring, "MIN_CACHED_POSTINGS", 10**9)  # positions decoded for the candidates only
    reference = _scorer(service)
    reference.verify = np.ones(gen.doc_count, dtype=bool)
    expected_mask, expected = reference.evaluate(query)
    monkeypatch.setattr(scoring, "MIN_CACHED_POSTINGS", 1)
    arrays = IndexArrays(gen.doc_count)
    for _ in range(2):  # decoded and kept, then read from what was kept
        full = ArrayScorer(WhooshView(gen.engine.searcher, arrays))
        full.verify = np.ones(gen.doc_count, dtype=bool)
        mask, exact = full.evaluate(query)
        assert (mask == expected_mask).all() and np.allclose(exact, expected)
    assert any(key[0] == "positions" for key in arrays._postings)


@pytest.mark.parametrize("text", ["patrimoine~", "organsation", "Almalick", "cooperashun culturelle", "educ*"])
def test_fuzzy_terms_from_the_vocabulary_match_whooshs_segments(service, text):
    """Fuzzy spelling terms expand over the in-memory vocabulary: the same words as each
    segment's reader gives, so the same matches and scores as without it."""
    from search.query.suggest import Vocabulary

    gen = service._current()
    reader = gen.engine.searcher.reader()
    vocabulary = Vocabulary(WhooshView(gen.engine.searcher, IndexArrays(gen.doc_count)).term_weights("spell"))
    for word, maxdist in [("organsation", 2), ("patrimoine", 1), ("cooperashun", 2), ("almalick", 2)]:
        expected = set()
        for sub, _offset in reader.leaf_readers():
            expected.update(sub.terms_within("spell", word, maxdist, prefix=2))
        assert vocabulary.within(word, maxdist, 2) == sorted(expected)
    query = parse_query(text, service.schema, service.expansion).query
    plain = _scorer(service).evaluate(query)
    with_vocabulary = ArrayScorer(WhooshView(gen.engine.searcher, IndexArrays(gen.doc_count)), vocabulary=gen.vocabulary).evaluate(query)
    assert (plain[0] == with_vocabulary[0]).all() and np.allclose(plain[1], with_vocabulary[1])


@pytest.mark.parametrize("text", [q for q in QUERIES if '"' in q] + ['"Islamic world" heritage', "culture heritage"])
def test_phrases_checked_chunk_by_chunk_are_the_same(service, text, monkeypatch):
    """Candidates' positions are read SPAN_CHUNK documents at a time (and long lists decoded in
    chunks): three at a time here, against all at once."""
    import search.query.phrases as scoring

    gen = service._current()
    query = parse_query(text, service.schema, service.expansion).query
    results = []
    for chunk, cached in ((10**9, 10**9), (3, 10**9), (3, 1)):
        monkeypatch.setattr(scoring, "SPAN_CHUNK", chunk)
        monkeypatch.setattr(scoring, "MIN_CACHED_POSTINGS", cached)
        scorer = _scorer(service)
        scorer.verify = np.ones(gen.doc_count, dtype=bool)
        results.append(scorer.evaluate(query))
    for mask, scores in results[1:]:
        assert (mask == results[0][0]).all() and np.allclose(scores, results[0][1])


def test_sort_free_set_operations_and_selection_agree_with_numpys_sorting_ones():
    from search.query.phrases import _distinct_sorted, _intersect_sorted
    from search.query.scoring import _best_first

    rng = np.random.default_rng(7)
    for n in (1, 10, 1000):
        for _ in range(50):
            a = np.flatnonzero(rng.random(n) < rng.random())
            b = np.flatnonzero(rng.random(n) < rng.random())
            assert np.array_equal(_intersect_sorted(a, b, n), np.intersect1d(a, b))
            repeated = np.sort(rng.integers(0, max(n // 3, 1), size=rng.integers(0, 50)))
            assert np.array_equal(_distinct_sorted(repeated), np.unique(repeated))
            values = rng.integers(0, 5, size=a.size).astype(np.float64)  # many ties
            for count in (0, 1, 3, a.size, a.size + 2):
                expected = a[np.lexsort((a, -values))][:count]
                assert np.array_equal(_best_first(a, values, count), expected)


def test_searches_with_long_lists_are_the_same(service, tmp_path, monkeypatch):
    """The real index's terms of five postings or more read from long lists: same hits, scores and totals."""
    from whoosh.filedb.filestore import FileStorage

    from search.index.whoosh import longlists
    from search.index.schema import build_schema

    monkeypatch.setattr(longlists, "MIN_POSTINGS", 5)
    folder = service._current()._path
    copy = tmp_path / "generation"
    shutil.copytree(folder, copy)
    for stale in copy.glob("*" + longlists.SUFFIX):
        stale.unlink()
    index = FileStorage(str(copy)).open_index(schema=build_schema())
    assert longlists.write_missing(copy, index) >= 1
    gen = service._current()  # the same segments as the copy's
    plain = ArrayScorer(WhooshView(gen.engine.searcher, IndexArrays(gen.doc_count)))
    kept = longlists.LongLists(copy)
    assert any(kept._contents_of(segment.segment_id()) for segment in index._segments())
    listed = ArrayScorer(WhooshView(gen.engine.searcher, IndexArrays(gen.doc_count, long_lists=kept)))
    for text in QUERIES:
        query = parse_query(text, service.schema, service.expansion).query
        mask, scores = plain.evaluate(query)
        other_mask, other_scores = listed.evaluate(query)
        assert np.array_equal(mask, other_mask) and np.array_equal(scores, other_scores), text
