"""Whoosh's segment writer, made fast on our documents: a posting pool that groups postings by term,
and field lengths read once per field when the postings are written.

Whoosh's own pool keeps one (field, term, document, weight, value) tuple per posting, sorts them
all when it flushes, pickles each one to a run file and merges the runs posting by posting through
a heap: on our documents (about 850 postings each) that was most of the writer's time. Here the
postings of a term are appended to that term's list as they come. A term's postings arrive in
document order (the writer numbers documents as it adds them, and a merged segment's documents
keep their order), so a run needs only its terms sorted; runs are written as pickled blocks of
terms and merged on the terms alone, each term's postings laid end to end, run after run.

When it writes the postings, Whoosh's field writer looks up the document's field length for each
posting, one small read of the segment's length column per posting; here each field's column is
read once into a table. And its loop calls the postings writer once per posting: here a term's
postings fill its blocks a block at a time (`write_postings`), and a merged segment's postings come
into the pool a term at a time.

The writer receives the same postings in the same order and the same lengths, so the segments are
the same (tests/index/test_index_digest.py).
"""
from __future__ import annotations

import heapq
import os
import pickle
from collections.abc import Iterator

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length

# A run is written as pickled blocks of at most this many terms and (unless one term has more)
# postings. The merge holds one block of every run at once, and runs grow in number with the
# archive: blocks bounded by terms alone held 13 MB a run, 1.9 GB at 100,000 documents.
BLOCK_TERMS = 1024
BLOCK_POSTINGS = 4096
TERM_BYTES = 120  # what a term's entry costs in memory, beside its text
POSTING_BYTES = 110  # what one posting costs in memory, beside its value bytes


class TermPool:
    """What SegmentWriter needs of a pool: add, iter_postings, cleanup and fieldnames."""

    def __init__(self, tempstore, segment, limitmb: int = 128):
        self.tempstore, self.segment = tempstore, segment
        self.limit = limitmb * 2**20
        self.current: dict[tuple[str, bytes], list] = {}
        self.currentsize = 0
        self.runs: list[str] = []

    @property
    def fieldnames(self) -> set[str]:
        """The fields that received postings (read by Whoosh's multiprocessing writer only)."""
        return {fieldname for fieldname, _ in self.current} | getattr(self, "_run_fields", set())

    def add(self, item: tuple) -> None:
        """One posting: (fieldname, term bytes, document number, weight, value bytes)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        key = (fieldname, tbytes)
        postings = self.current.get(key)
        if postings is None:
            postings = self.current[key] = []
            self.currentsize += TERM_BYTES + len(tbytes)
        postings.append((docnum, weight, vbytes))
        self.currentsize += POSTING_BYTES + (len(vbytes) if vbytes else 0)
        if self.currentsize > self.limit:
            self.save()

    def add_term(self, key: tuple[str, bytes], docnums: list, weights: list, values: list) -> None:
        """A term's postings at once, in document order (a merged segment's)."""
        held = self.current.get(key)
        if held is None:
            held = self.current[key] = []
            self.currentsize += TERM_BYTES + len(key[1])
        held.extend(zip(docnums, weights, values))
        self.currentsize += POSTING_BYTES * len(docnums) + sum(map(len, filter(None, values)))
        if self.currentsize > self.limit:
            self.save()

    def save(self) -> None:
        """Write what is held as a run, terms in order."""
        if not self.current:
            return
        self._run_fields = self.fieldnames
        path = f"{random_name()}.run"
        with self.tempstore.create_file(path) as handle:
            block, held = [], 0
            for key in sorted(self.current):
                postings = self.current[key]
                block.append((key, postings))
                held += len(postings)
                if len(block) == BLOCK_TERMS or held >= BLOCK_POSTINGS:
                    pickle.dump(block, handle, protocol=pickle.HIGHEST_PROTOCOL)
                    block, held = [], 0
            if block:
                pickle.dump(block, handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.runs.append(path)
        self.current = {}
        self.currentsize = 0

    def _read_run(self, number: int, path: str) -> Iterator[tuple[tuple[str, bytes], int, list]]:
        # (key, run number, postings): the run number keeps equal terms in run order in the merge.
        with self.tempstore.open_file(path) as handle:
            raw = handle.raw_file()
            while True:
                try:
                    block = pickle.load(raw)
                except EOFError:
                    break
                for key, postings in block:
                    yield key, number, postings
        self.tempstore.delete_file(path)

    def iter_postings(self) -> Iterator[tuple]:
        """Every posting, sorted by field, term and document, as Whoosh's writer takes them."""
        for (fieldname, tbytes), postings in self.iter_terms():
            for docnum, weight, vbytes in postings:
                yield fieldname, tbytes, docnum, weight, vbytes

    def iter_terms(self) -> Iterator[tuple[tuple[str, bytes], list]]:
        """(field and term, its postings in document order), terms sorted."""
        if not self.runs:
            for key in sorted(self.current):
                yield key, self.current[key]
            return
        self.save()
        last, gathered = None, []
        for key, _number, postings in heapq.merge(*(self._read_run(n, path) for n, path in enumerate(self.runs)),
                                                  key=lambda entry: (entry[0], entry[1])):
            if key != last:
                if gathered:
                    yield last, gathered[0] if len(gathered) == 1 else [p for some in gathered for p in some]
                last, gathered = key, []
            gathered.append(postings)
        if gathered:
            yield last, gathered[0] if len(gathered) == 1 else [p for some in gathered for p in some]
        self.runs = []

    def cleanup(self) -> None:
        """Remove the runs left (a cancelled writer)."""
        for path in self.runs:
            try:
                self.tempstore.delete_file(path)
            except OSError:
                pass
        self.runs = []


class PreloadedLengths:
    """A segment's per-document reader whose field lengths come from tables read once per field."""

    def __init__(self, reader):
        self._reader = reader

    def __getattr__(self, name):
        return getattr(self._reader, name)

    def doc_field_length_reader(self, fieldname: str, default=0):
        """What the reader's own accessor answers, from a table: the length, or None when absent."""
        reader = self._reader
        column = reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None or getattr(column, "_fixedlen", None) != 1:
            return reader.doc_field_length_reader(fieldname, default)
        table = self.length_table(fieldname)
        if table is None:
            return reader.doc_field_length_reader(fieldname, default)
        size = len(table)
        return lambda docnum: table[docnum] if docnum < size else None

    def length_table(self, fieldname: str) -> list | None:
        """Every document's length in the field (None where absent), or None when the column is
        not one byte a document."""
        reader = self._reader
        column = reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None or getattr(column, "_fixedlen", None) != 1:
            return None
        data = column._dbfile.get(column._basepos, column._count)
        return [byte_to_length(b) if b else None for b in data]


def write_postings(fieldwriter, schema, lengths, terms: Iterator[tuple[tuple[str, bytes], list]]) -> None:
    """Whoosh's FieldWriter.add_postings, a term's postings a block at a time: the blocks, term
    infos and bytes written are those of Whoosh's posting-by-posting loop (the same postings,
    weights, values and lengths, each block cut where add_posting cuts it), without a Python call
    per posting (it took most of a segment's flush: about 850 postings a document). Whoosh's loop
    also skips postings of document -1, a mark older versions pooled for spelling words; this
    version's add_document pools none."""
    current = None
    table = None
    for (fieldname, btext), postings in terms:
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            current = fieldname
            table = _lengths_of(lengths, fieldname)
        if not postings:
            continue
        fieldwriter.start_term(btext)
        _add_block(fieldwriter._postwriter, postings, table)
        fieldwriter.finish_term()
    if current is not None:
        fieldwriter.finish_field()


def _lengths_of(lengths, fieldname: str):
    """The field's lengths as a function of the document number, or a table (a list)."""
    if not lengths:
        return lambda docnum: 0
    if isinstance(lengths, PreloadedLengths):
        table = lengths.length_table(fieldname)
        if table is not None:
            return table
    reader = getattr(lengths, "doc_field_length_reader", None)
    if reader is not None:
        return reader(fieldname)
    return lambda docnum: lengths.doc_field_length(docnum, fieldname)


def _add_block(writer, postings: list, lengths) -> None:
    """add_posting for each posting of a term, a block at a time (whoosh3's W3PostingsWriter)."""
    limit = writer._blocklimit
    for start in range(0, len(postings), limit):
        if start:
            writer._write_block()  # as add_posting does when a posting comes to a full block
        docnums, weights, values = zip(*postings[start:start + limit])
        writer._ids.extend(docnums)
        writer._weights.extend(weights)
        heaviest = max(weights)  # the first of the heaviest, as add_posting's strict comparison keeps
        if heaviest > writer._maxweight:
            writer._maxweight = heaviest
        writer._values.extend(filter(None, values))
        length_of = lengths
        if isinstance(lengths, list):  # a table; a term's documents ascend, so the last is the largest
            size = len(lengths)
            length_of = lengths.__getitem__ if docnums[-1] < size else lambda d: lengths[d] if d < size else None
        found = list(filter(None, map(length_of, docnums)))
        if found:
            shortest, longest = min(found), max(found)
            if writer._minlength is None or shortest < writer._minlength:
                writer._minlength = shortest
            if longest > writer._maxlength:
                writer._maxlength = longest


def speed_up(writer, limitmb: int) -> None:
    """Give a fresh SegmentWriter a TermPool in place of Whoosh's pool, and preloaded lengths."""
    writer.pool = TermPool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
    per_document_reader = writer.per_document_reader
    writer.per_document_reader = lambda: PreloadedLengths(per_document_reader())

    def flush_segment():  # SegmentWriter._flush_segment, the postings written a block at a time
        writer.perdocwriter.close()
        lengths = writer.per_document_reader() if writer.codec.length_stats else None
        write_postings(writer.fieldwriter, writer.schema, lengths, writer.pool.iter_terms())
        writer.fieldwriter.close()
        if lengths:
            lengths.close()

    def add_postings_to_pool(reader, startdoc, docmap):  # a merged segment's, a term at a time
        terms = getattr(reader, "iter_term_postings", None)
        if terms is None:
            for item in writer._process_posts(reader.iter_postings(), startdoc, docmap):
                writer.pool.add(item)
            return
        schema = writer.schema
        for key, docnums, weights, values in terms():
            if key[0] not in schema:
                continue
            moved = [docmap[d] for d in docnums] if docmap is not None else [startdoc + d for d in docnums]
            writer.pool.add_term(key, moved, weights, values)

    writer._flush_segment = flush_segment
    writer.add_postings_to_pool = add_postings_to_pool
