"""An analysed document as a Xapian document: terms per field, stored fields, columns.

Our analysers make the terms (schema.analysed); Xapian only files them. Each field's terms carry
the field's name as prefix (`text_fr:` + the analyser's bytes), with the positions the analyser
gave (plus one: Xapian's positions start at 1) and, as within-document frequency, the posting's
weight as Whoosh's BM25F reads it (a title's words weigh three). The stored fields are the
document's data; the facet values, the date number and the per-field lengths the scorer needs are
values in fixed slots.
"""
from __future__ import annotations

import hashlib
import pickle

import numpy as np
import xapian

from search.index.schema import Analysed

ALL_TERM = b"A"  # every document holds it: a full reindex's sweep deletes by it
ID_PREFIX, SOURCE_PREFIX = b"Q", b"S"  # boolean terms: a document's id, its source file
SLOT_FACETS, SLOT_DATENUM, SLOT_LENGTHS = 0, 1, 2
MAX_TERM = 240  # Xapian refuses terms longer than 245 bytes


def field_prefix(fieldname: str) -> bytes:
    """The prefix of a field's terms."""
    return fieldname.encode("ascii") + b":"


def boolean_term(prefix: bytes, value: str) -> bytes:
    """An id or source as a boolean term (a digest when too long for Xapian)."""
    raw = value.encode("utf-8")
    if len(raw) + 1 > MAX_TERM:
        raw = b"#" + hashlib.blake2b(raw, digest_size=20).hexdigest().encode("ascii")
    return prefix + raw


def length_fields(schema) -> list[str]:
    """The scorable fields whose per-document lengths are kept, in slot order."""
    return sorted(name for name in schema.names() if schema[name].scorable)


def xapian_document(fields: dict, schema, lengths_order: list[str]) -> xapian.Document:
    """The Xapian document of one document's fields (text fields analysed by schema.analysed)."""
    doc = xapian.Document()
    stored = {}
    lengths = np.zeros(len(lengths_order), dtype=np.uint32)
    slot_of = {name: i for i, name in enumerate(lengths_order)}
    for name, value in fields.items():
        if value is None or name not in schema:
            continue
        field = schema[name]
        if field.stored:
            stored[name] = value
        if not field.indexed:
            continue
        items = value.items if isinstance(value, Analysed) else field.index(value)
        positional = field.format.supports("positions")
        prefix = field_prefix(name)
        length = 0
        for btext, freq, weight, vbytes in items:
            length += freq
            term = prefix + btext
            if len(term) > MAX_TERM:
                continue
            if positional and vbytes:
                for position in field.format.decode_positions(vbytes):
                    doc.add_posting(term, position + 1, 0)
            doc.add_term(term, _wdf(weight, name))
        if field.scorable:
            lengths[slot_of[name]] = length
    doc.add_boolean_term(ALL_TERM)
    doc.add_boolean_term(boolean_term(ID_PREFIX, fields["id"]))
    doc.add_boolean_term(boolean_term(SOURCE_PREFIX, fields["source"]))
    doc.set_data(pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
    doc.add_value(SLOT_FACETS, pickle.dumps(fields.get("facets"), protocol=pickle.HIGHEST_PROTOCOL))
    doc.add_value(SLOT_DATENUM, int(fields.get("datenum") or 0).to_bytes(4, "big"))
    doc.add_value(SLOT_LENGTHS, lengths.tobytes())
    return doc


def _wdf(weight: float, fieldname: str) -> int:
    """A posting's weight as Xapian's integer within-document frequency (exact, or an error)."""
    wdf = int(round(weight))
    if wdf != weight:
        raise ValueError(f"field {fieldname}: posting weight {weight} is not a whole number; "
                         "the Xapian engine keeps weights as within-document frequencies")
    return wdf


def stored_fields(data: bytes) -> dict:
    """A document's stored fields from its data."""
    return pickle.loads(data) if data else {}


def facets_value(value: bytes):
    """The facet values of a document from its slot."""
    return pickle.loads(value) if value else None


def datenum_value(value: bytes) -> int:
    """The date number of a document from its slot."""
    return int.from_bytes(value, "big") if value else 0
