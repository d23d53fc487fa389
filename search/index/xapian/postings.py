"""A term's postings read from the shards of a cluster (search/index/xapian/view.py): from a match
each shard runs on the term, or, with positions, from its posting lists; numbered by the
generation's numbering."""
from __future__ import annotations

import numpy as np
import xapian

from search.index.engine import Postings, TermPositions


def read_postings(view, fieldname: str, btext: bytes, positions: bool):
    """(a term's postings or None, whether every shard answered) over the view's shards."""
    term = view._term(fieldname, btext)
    holding = None
    counts = view.gen.counts
    if counts is not None:
        count, mask = counts.find(term)
        if not count:
            return (None, True)
        holding = [shard for shard in view.gen.shards if mask >> shard.number & 1]

    def read(db):
        if not positions:
            return _matched_postings(db, term) + ([],)
        docids, wdfs, where = [], [], []
        it, end = db._postlist_begin(term), db._postlist_end(term)
        while it != end:
            docids.append(it.get_docid())
            wdfs.append(it.get_wdf())
            places, last = it._positionlist_begin(), it._positionlist_end()
            found = []
            while places != last:
                found.append(places.get_termpos() - 1)
                next(places)
            where.append(found)
            next(it)
        return docids, wdfs, where

    docids, weights, where = [], [], []
    answered = 0
    for number, (local, wdfs, places) in view._each_shard(read, among=holding):
        answered += 1
        # A shard's own ids, numbered as Database.add_database numbers them (global_docid).
        docids.append(np.asarray(local, dtype=np.int64) * view.count + (number + 1 - view.count))
        weights.append(np.asarray(wdfs, dtype=np.float64))
        where.extend(places)
    whole = answered == (view.count if holding is None else len(holding))
    if not docids or not sum(len(ids) for ids in docids):
        return (None, whole)
    held, docnums = view._docnums(np.concatenate(docids))
    if not held.any():
        return (None, whole)
    order = np.argsort(docnums, kind="stable")
    ids = docnums[order]
    out = Postings(ids, np.concatenate(weights)[held][order])
    if positions:
        kept = [where[i] for i in np.flatnonzero(held)[order].tolist()]
        starts = np.zeros(len(kept) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in kept], out=starts[1:])
        flat = np.fromiter((p for places in kept for p in places), dtype=np.int64, count=int(starts[-1]))
        out.positions = TermPositions(ids, starts, flat)
    return (out, whole)


_WDF = xapian.TfIdfWeight("nnn")  # a document's weight for one term is the term's wdf


def _matched_postings(db, term: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(document ids, wdfs) of a term on one shard, from a match the shard runs itself: Xapian
    1.4's remote protocol sends a posting list one message per posting, a match's result in one
    message (the same documents, with the wdf as TfIdfWeight("nnn") weighs them)."""
    enquire = xapian.Enquire(db)
    enquire.set_query(xapian.Query(term))
    enquire.set_weighting_scheme(_WDF)
    size = max(1, db.get_doccount())
    matches = enquire.get_mset(0, size, size)
    count = matches.size()
    docids = np.fromiter(map(matches.get_docid, range(count)), dtype=np.int64, count=count)
    # Ranked by weight, so each wdf is a run: its end found by galloping, not item by item.
    weight = lambda i: matches._get_hit_internal(i).get_weight()  # noqa: E731
    values: list[float] = []
    lengths: list[int] = []
    start = 0
    while start < count:
        value = weight(start)
        low, step = start, 1  # low: a place known to hold the value
        high = start + 1
        while high < count and weight(high) == value:
            low, step = high, step * 2
            high = start + step
        high = min(high, count)
        while high - low > 1:
            middle = (low + high) // 2
            if weight(middle) == value:
                low = middle
            else:
                high = middle
        values.append(value)
        lengths.append(low + 1 - start)
        start = low + 1
    return docids, np.repeat(np.asarray(values, dtype=np.float64), lengths)
