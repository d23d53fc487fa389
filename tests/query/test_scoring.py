"""Numpy scoring (search/scoring.py) against Whoosh's own matchers, on a real index of real articles."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
from whoosh import query as Q

from whoosh.query.terms import MultiTerm

from search.index.indexer import reindex
from search.query.parse import parse_query
from search.index.whoosh.engine import WhooshView
from search.index.whoosh.postings import IndexArrays
from search.query.scoring import ArrayScorer
from search.query.service import SearchService
from conftest import SEEDS, SHARED

CORPUS = SHARED / "corpus"

QUERIES = [
    "heritage", "coopération culturelle", "education ministers", "ministre de l'éducation",
    '"Islamic world"', '"coopération culturelle"', "title:cooperation", "educ*", "patrimoine~",
    "culture NOT heritage", "Salim AlMalik", "Almalick", "signature accord", "year:2024 culture",
    "organsation", "développement durable jeunesse", "digital transformation",
    "ICESCO", "AICTO agreement", "ALECSO Tunis",
]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    docs = tmp_path_factory.mktemp("docs")
    shutil.copytree(SEEDS, docs / "seeds")
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*.txt"))[:80]:
            shutil.copy(path, docs / path.name)
    index = tmp_path_factory.mktemp("index")
    reindex(docs, index)
    return SearchService(index, docs_dir=docs)


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


GAPS = [[3], [300], [5, 70_000], [2**31 + 5], [0], [0, 0], [75] * 75, list(range(0, 5000, 2)),
        list(range(1, 3000)), [1, 2, 3], list(range(0, 300_000, 257))]


def _raw_postings(reader, fieldname, btext):
    """(ids, weights, values) of a term as the block reader gives them, segment after segment."""
    from whoosh.matching.wrappers import FilterMatcher

    from search.index.whoosh.postings import leaf_postings

    ids, weights, values = [], [], []
    for sub, offset in reader.leaf_readers():
        if (fieldname, btext) not in sub:
            continue
        matcher = sub.postings(fieldname, btext)
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child
        leaf_ids, leaf_weights, leaf_values = leaf_postings(matcher, True)
        ids += [i + offset for i in leaf_ids]
        weights += list(leaf_weights)
        values += list(leaf_values)
    return ids, weights, values


def _positional(reader, fieldname) -> bool:
    fmt = reader.schema[fieldname].format
    return bool(fmt and fmt.supports("positions"))


def _assert_same_postings(got, ids, weights, positions=None):
    assert got.ids.tolist() == ids and got.weights.tolist() == weights
    if positions is None:
        assert got.positions is None
    else:
        kept = got.positions
        assert kept.ids.tolist() == ids
        assert [kept.flat[kept.starts[i]:kept.starts[i + 1]].tolist() for i in range(len(ids))] == positions


def _assert_reads_whooshs_postings(reader, fieldname, btext):
    """A term's ids, weights and values as read from its regions are what Whoosh's matcher gives
    posting by posting; read_postings gives the same ids and weights, and the values' positions."""
    from search.index.whoosh.postings import read_postings

    expected = []
    for sub, offset in reader.leaf_readers():
        if (fieldname, btext) in sub:
            matcher = sub.postings(fieldname, btext)
            while matcher.is_active():
                expected.append((matcher.id() + offset, matcher.weight(), matcher.value()))
                matcher.next()
    assert list(zip(*_raw_postings(reader, fieldname, btext))) == expected
    ids, weights, values = (list(column) for column in zip(*expected))
    if _positional(reader, fieldname):
        positions = [reader.schema[fieldname].format.decode_positions(v) for v in values]
        _assert_same_postings(read_postings(reader, fieldname, btext, positions=True), ids, weights, positions)
    _assert_same_postings(read_postings(reader, fieldname, btext), ids, weights)


def test_positions_are_decoded_as_whoosh_decodes_them(service):
    """Every value shape of whoosh.formats.Positions (one-, two- and four-byte gaps, one gap, lists
    pickled in batches), mixed with the postings of real terms, reads back Whoosh's own positions."""
    from whoosh.formats import Positions

    from search.index.whoosh.positions import _decode_positions

    fmt = Positions()
    reader = service._current().engine.searcher.reader()
    made = [fmt.encode(np.cumsum(gaps).tolist()) for gaps in GAPS]
    real = []
    for fieldname in ("text_en", "text_fr"):
        for _, btext in reader.most_frequent_terms(fieldname, 20):
            real += _raw_postings(reader, fieldname, btext)[2]
    assert len(real) > 500
    for values in (made, real, made + real, real[:1], made[2:3]):
        counts, flat = _decode_positions(values)
        assert counts.tolist() == [len(fmt.decode_positions(v)) for v in values]
        assert flat.tolist() == [p for v in values for p in fmt.decode_positions(v)]


def test_postings_read_from_blocks_are_whooshs_own(service):
    """Postings read a term's region at once (search/scoring.py `_w3_postings`): ids, weights and
    values equal what Whoosh's matcher gives posting by posting, in every kind of field, and the
    positions read with them are the values' positions."""
    reader = service._current().engine.searcher.reader()
    checked = 0
    for fieldname in ("text_en", "text_fr", "text_xx", "title_en", "org_names", "person_names", "name_keys", "spell", "lang"):
        terms = [t for _, t in reader.most_frequent_terms(fieldname, 10)] + list(reader.lexicon(fieldname))[::50]
        for btext in terms:
            _assert_reads_whooshs_postings(reader, fieldname, btext)
            checked += 1
    assert checked > 50


def _many_blocks_index(folder):
    """Three segments of four postings a block, with field boosts, weights alike and not, and
    gaps between positions of one, two and four bytes."""
    import random

    from whoosh.codec.whoosh3 import W3Codec
    from whoosh.fields import Schema, TEXT
    from whoosh.index import create_in

    schema = Schema(body=TEXT(phrase=True), boosted=TEXT(phrase=True, field_boost=1.5), bare=TEXT(phrase=False))
    index = create_in(str(folder), schema)
    rng = random.Random(3)
    for batch in range(3):  # three segments
        writer = index.writer(codec=W3Codec(blocklimit=4))
        for i in range(40):
            words = [rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(rng.randint(1, 30))]
            if batch == i == 0:
                words += ["filler"] * 70_000 + ["alpha"]
            elif rng.random() < 0.2:
                words += ["filler"] * 300 + ["alpha"]
            text = " ".join(words)
            writer.add_document(body=text, boosted=text, bare=text)
        writer.commit(merge=False)
    return index


def test_postings_over_many_blocks_are_whooshs_own(tmp_path):
    """Long lists span many blocks (four postings a block here)."""
    index = _many_blocks_index(tmp_path)
    with index.searcher() as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) == 3
        for fieldname in ("body", "boosted", "bare"):
            for btext in reader.lexicon(fieldname):
                _assert_reads_whooshs_postings(reader, fieldname, btext)


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


def test_the_vocabulary_over_several_segments_is_the_readers_own(tmp_path):
    """The spelling vocabulary is read segment by segment: the same words and weights as the
    reader's own iteration over all segments."""
    from whoosh.fields import Schema, TEXT
    from whoosh.index import create_in

    from search.query.suggest import Vocabulary

    index = create_in(str(tmp_path), Schema(spell=TEXT))
    for batch in (["alpha beta", "beta gamma"], ["gamma delta", "alpha alpha"], ["epsilon"]):
        writer = index.writer()
        for text in batch:
            writer.add_document(spell=text)
        writer.commit(merge=False)
    with index.searcher() as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) == 3
        expected = {term.decode(): info.weight() for term, info in reader.iter_field("spell")}
        vocabulary = Vocabulary(WhooshView(searcher, IndexArrays(searcher.doc_count_all())).term_weights("spell"))
        assert vocabulary.frequency == expected and vocabulary.words == sorted(expected)


def test_positions_of_another_pickle_shape_are_unpickled():
    """A value whose pickle opens otherwise (another protocol or memo) is not read by position:
    it is unpickled, and still gives its positions."""
    import pickle

    from whoosh.system import pack_uint

    from search.index.whoosh.positions import _decode_positions

    values = [pack_uint(3) + pickle.dumps([4, 1, 2], protocol=0), pack_uint(2) + pickle.dumps([7, 300], protocol=4),
              pack_uint(1) + pickle.dumps([9], protocol=2)]
    counts, flat = _decode_positions(values)
    assert counts.tolist() == [3, 2, 1] and flat.tolist() == [4, 5, 7, 7, 307, 9]


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


@pytest.mark.parametrize("threshold", [1, 10])
def test_long_lists_read_back_what_whooshs_blocks_hold(tmp_path, monkeypatch, threshold):
    """Every term's postings and positions read from the segments' long lists (all terms kept, or
    those of ten postings or more, so some segments keep a term and others not) equal those read
    from Whoosh's blocks; deleted documents stay in both."""
    from search.index.whoosh import longlists
    from search.index.whoosh.postings import read_postings

    monkeypatch.setattr(longlists, "MIN_POSTINGS", threshold)
    index = _many_blocks_index(tmp_path)
    writer = index.writer()
    writer.delete_document(3)
    writer.commit(merge=False)
    assert longlists.write_missing(tmp_path, index) == 3
    assert longlists.write_missing(tmp_path, index) == 0  # kept: nothing to write again
    kept = longlists.LongLists(tmp_path)
    from_lists = 0
    with index.searcher() as searcher:
        reader = searcher.reader()
        for fieldname in ("body", "boosted", "bare"):
            for btext in reader.lexicon(fieldname):
                for positions in ([False, True] if fieldname != "bare" else [False]):
                    expected = read_postings(reader, fieldname, btext, positions)
                    got = read_postings(reader, fieldname, btext, positions, kept)
                    _assert_same_postings(got, expected.ids.tolist(), expected.weights.tolist(),
                                          None if not positions else
                                          [expected.positions.flat[a:b].tolist() for a, b in
                                           zip(expected.positions.starts[:-1], expected.positions.starts[1:])])
                from_lists += any(kept.read(sub.segment().segment_id(), fieldname, btext, False) is not None
                                  for sub, _ in reader.leaf_readers())
    assert from_lists > 5


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
