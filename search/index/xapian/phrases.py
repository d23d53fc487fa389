"""Phrases over a cluster: matched by the shards themselves when Xapian's phrase means what
Whoosh's does, else checked on positions read for the documents a phrase checks."""
from __future__ import annotations

import numpy as np
import xapian

from search.index.engine import POSITION_STRIDE, TermPositions


def phrase_matches(view, fieldname: str, btexts: list[bytes], slop: int) -> np.ndarray | None:
    """A phrase matched by the shards themselves (Xapian's OP_PHRASE: in order within a
    window), one round trip per shard instead of one per candidate document. The window is
    Whoosh's slop exactly for adjacent words and for two words; other phrases are left to the
    positions (None)."""
    if len(btexts) > 2 and slop > 1:
        return None
    key = ("phrase", fieldname, tuple(btexts), slop)
    kept = view.gen.postings.get(key)
    if kept is not None:
        return kept
    terms = [view._term(fieldname, btext) for btext in btexts]
    query = xapian.Query(xapian.Query.OP_PHRASE, terms, len(terms) if slop <= 1 else slop + 1)

    def run(db):
        enquire = xapian.Enquire(db)
        enquire.set_query(query)
        enquire.set_weighting_scheme(xapian.BoolWeight())
        enquire.set_docid_order(xapian.Enquire.ASCENDING)
        return [item.docid for item in enquire.get_mset(0, max(1, db.get_doccount()))]

    docids, answered = [], 0
    for number, local in view._each_shard(run):
        answered += 1
        docids.extend((d - 1) * view.count + number + 1 for d in local)
    _held, docnums = view._docnums(np.asarray(docids, dtype=np.int64))
    matched = np.sort(docnums)
    if answered == view.count:
        view.gen.postings.put(key, matched, matched.nbytes + 64)
    return matched


class RemotePositions(TermPositions):
    """A term's positions in the documents asked for, one round trip per document."""

    def __init__(self, view, term: bytes):
        self.view, self.term = view, term

    @property
    def nbytes(self) -> int:
        return 0

    def keys(self, candidates: np.ndarray) -> np.ndarray:
        """Sorted keys (candidate index × stride + position) of the positions in the candidates."""
        view, count, found = self.view, self.view.count, []
        for i, docnum in enumerate(candidates.tolist()):
            docid = int(view.docids[docnum])
            number, local = (docid - 1) % count, (docid - 1) // count + 1
            shard = view.gen.shards[number]
            for _n, places in view._each_shard_only(shard, lambda db: list(db.positionlist(local, self.term))):
                found.extend(i * int(POSITION_STRIDE) + p - 1 for p in places)
        return np.asarray(found, dtype=np.int64)
