"""How a Whoosh generation merges its segments when a reindex commits.

Pinned with whoosh3 (search/index/whoosh/__init__.py names the version): the merge reads each
segment's postings straight from its terms' regions of the postings file.
"""
from __future__ import annotations

import numpy as np
from whoosh.reading import SegmentReader

from search.index.whoosh.postings import region_postings


def merge_in_tiers(writer, segments) -> list:
    """Whoosh merge policy for incremental batches: the segments no larger than what is being
    written (the new documents, then the segments merged so far) are merged into it, smallest
    first; the others stay. Segments then grow like the digits of a binary counter, a few at any
    time, and each document is rewritten about log2(reindexes) times. Whoosh's MERGE_SMALL let a
    dozen small segments pile up first, and every query looks each of its terms up in every
    segment: on the 10,000-document benchmark, 7 segments cost 20 % of the query time."""
    written = writer.doc_count()
    kept = []
    for segment in sorted(segments, key=lambda s: s.doc_count_all()):
        if segment.doc_count() == 0:
            continue  # every document of it deleted: dropped, nothing to merge
        if not kept and segment.doc_count_all() <= max(written, 1):
            reader = _MergedReader(writer.storage, writer.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
            written += segment.doc_count_all()
        else:
            kept.append(segment)
    return kept


class _MergedReader(SegmentReader):
    """A segment read for merging into the one being written: each term's postings come from its
    whole region at once (search/index/whoosh/postings.py `region_postings`), straight from its term info, not
    from a matcher per term walking them one by one. Merging a few hundred documents took a second
    or two of a 1 % reindex, most of it building matchers for their twenty thousand terms."""

    def iter_postings(self):
        for (fieldname, btext), docnums, weights, values in self.iter_term_postings():
            for docnum, weight, value in zip(docnums, weights, values):
                yield fieldname, btext, docnum, weight, value

    def iter_term_postings(self):
        """((field, term), document numbers, weights, values) of each term, deleted documents left
        out (search/index/whoosh/fastwriter.py takes them a term at a time)."""
        deleted = self.deleted_docs_set
        schema = self.schema
        for (fieldname, btext), info in self._terms.items():
            if fieldname not in schema:
                continue  # a field the schema no longer has: the merge leaves its postings out
            if info.is_inlined():
                ids, weights, values = info.inlined_postings()
            else:
                offset, extent = info.extent()
                size = schema[fieldname].format.fixed_value_size()
                ids, weights, values = region_postings(self._terms._postfile, offset, extent, size, True)
            docnums, weights, values = np.asarray(ids).tolist(), np.asarray(weights).tolist(), list(values)
            if deleted:
                kept = [i for i, docnum in enumerate(docnums) if docnum not in deleted]
                if len(kept) < len(docnums):
                    docnums = [docnums[i] for i in kept]
                    weights = [weights[i] for i in kept]
                    values = [values[i] for i in kept]
            if docnums:
                yield (fieldname, btext), docnums, weights, values


