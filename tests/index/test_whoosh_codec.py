"""The Whoosh engine's reading of whoosh3's private format (search/index/whoosh/): postings,
positions, long lists and the spelling vocabulary read straight from the files are what Whoosh's
own readers and matchers give, on a real index of real articles and on generated ones."""
from __future__ import annotations


import numpy as np
import pytest

from search.index.whoosh import WHOOSH3_VERSION, check_format
from search.index.whoosh.engine import WhooshView
from search.index.whoosh.postings import IndexArrays
from conftest import SEEDS, sample_service



@pytest.fixture(scope="module")
def service(tmp_path_factory):
    return sample_service(tmp_path_factory)


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
    """Postings read a term's region at once (search/index/whoosh/postings.py `_w3_postings`): ids, weights and
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


def test_the_installed_whoosh3_is_the_version_whose_format_is_read():
    """Postings, positions and merges read whoosh3's blocks as WHOOSH3_VERSION writes them: an
    upgrade must fail here first, loudly, until the engine is checked against the new codec."""
    from importlib import metadata

    assert metadata.version("whoosh3") == WHOOSH3_VERSION
    check_format()
    pin = next(line for line in (SEEDS.parent / "pyproject.toml").read_text().splitlines() if "whoosh3==" in line)
    assert f'"whoosh3=={WHOOSH3_VERSION}"' in pin


def test_check_format_names_what_to_do_on_another_version(monkeypatch):
    from importlib import metadata

    monkeypatch.setattr(metadata, "version", lambda name: "3.99.0")
    with pytest.raises(RuntimeError, match="whoosh3 3.99.0 is installed.*update WHOOSH3_VERSION"):
        check_format()
