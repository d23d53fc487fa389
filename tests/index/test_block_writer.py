"""The segment writer's postings written a term at a time (search/index/whoosh/fastwriter.py
`write_postings`, and merged segments read a term at a time): the same term infos and the same
bytes in the postings file as Whoosh's own loop, one call per posting, over batches that merge
segments holding deleted documents, with blocks of four postings and of Whoosh's default size."""
from __future__ import annotations

import random
import types

import pytest
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, NUMERIC, Schema, TEXT
from whoosh.index import create_in
from whoosh.writing import SegmentWriter

from search.index.whoosh.fastwriter import speed_up
from search.index.whoosh.merging import merge_in_tiers

SCHEMA = dict(body=TEXT(phrase=True), boosted=TEXT(phrase=True, field_boost=1.5), bare=TEXT(phrase=False),
              key=ID(stored=True), tags=KEYWORD(scorable=True), year=NUMERIC(int))
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]


def _build(folder, blocklimit: int | None, by_blocks: bool):
    """Four batches of generated documents, each a reindex: some documents of earlier batches
    deleted, segments merged in tiers as the Whoosh engine merges them."""
    index = create_in(str(folder), Schema(**SCHEMA))
    rng = random.Random(11)
    number = 0
    for batch, size in enumerate((30, 45, 12, 90, 6)):
        codec = W3Codec(blocklimit=blocklimit) if blocklimit else W3Codec()
        writer = index.writer(codec=codec)
        speed_up(writer, limitmb=1 if batch == 3 else 64)  # the last batch spills runs
        if not by_blocks:  # Whoosh's own: a call per posting, in the flush and in the merge
            writer._flush_segment = types.MethodType(SegmentWriter._flush_segment, writer)
            writer.add_postings_to_pool = types.MethodType(SegmentWriter.add_postings_to_pool, writer)
        for _ in range(batch * 4):
            writer.delete_by_term("key", f"d{rng.randrange(max(number, 1))}")
        for _ in range(size):
            words = [rng.choice(WORDS) for _ in range(rng.randint(0, 40))]
            if rng.random() < 0.1:
                words += ["filler"] * rng.randint(100, 700)
            text = " ".join(words)
            writer.add_document(body=text, boosted=text, bare=text, key=f"d{number}",
                                tags=" ".join(rng.sample(WORDS, rng.randint(0, 3))), year=rng.randint(1990, 2030))
            number += 1
        writer.commit(mergetype=merge_in_tiers)
    return index


def _segments(index) -> list:
    """Each segment's documents, and each term's statistics and postings bytes."""
    found = []
    with index.reader() as reader:
        for sub, _offset in reader.leaf_readers():
            terms = sub._terms
            postfile = terms._postfile
            rows = []
            for key, info in terms.items():
                offset, length = info.extent()
                length = length[0] if isinstance(length, tuple) else length
                rows.append((key, info._weight, info._df, info._minlength, info._maxlength,
                             type(info._maxweight), info._maxweight, info._minid, info._maxid,
                             postfile.get(offset, length)))
            found.append((sub.doc_count_all(), sorted(sub.deleted_docs_set), rows))
    return found


@pytest.mark.parametrize("blocklimit", [4, None])
def test_postings_written_by_blocks_are_whooshs_own_bytes(tmp_path, blocklimit):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "whoosh").mkdir()
    by_blocks = _segments(_build(tmp_path / "blocks", blocklimit, by_blocks=True))
    own = _segments(_build(tmp_path / "whoosh", blocklimit, by_blocks=False))
    # Merges dropped deleted documents (183 were added), and a segment was left beside the merged one.
    assert len(own) >= 2 and sum(count for count, _d, _rows in own) < 183
    assert sum(len(rows) for _n, _d, rows in own) > 50
    assert by_blocks == own
