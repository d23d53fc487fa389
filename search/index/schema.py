"""The Whoosh schema: per-language text fields, entity and facet fields, and bookkeeping."""
from __future__ import annotations

from whoosh.columns import PickleColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema

from search.index.analysis import (arabic_analyzer, english_analyzer, exact_analyzer, french_analyzer, name_analyzer,
                                   neutral_analyzer, sound_key_analyzer)
from search.index.whoosh.fieldterms import FieldTerms
from search.index.namekeys import person_key_analyzer, person_keys_text

# A document's text goes to the fields of its own language; queries are parsed against all of
# them, each with its own analyser, so one query reaches French and English documents alike.
LANGUAGE_GROUPS = ("fr", "en", "ar", "xx")
ANALYSED_LANGUAGES = ("fr", "en", "ar")
TITLE_BOOST = 3.0


def language_group(lang: str) -> str:
    """The field group ('fr', 'en', 'ar' or the neutral 'xx') that holds a language's text."""
    return lang if lang in ANALYSED_LANGUAGES else "xx"


class Analysed:
    """A text field's postings computed ahead of the writer: (term, frequency, weight, value) tuples.

    Analysis is four fifths of Whoosh's add_document; the extraction workers do it, in parallel,
    and the one writer only files the postings.
    """

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[bytes, int, float, bytes]]):
        self.items = items

    def __getstate__(self):
        return self.items

    def __setstate__(self, items):
        self.items = items


class Text(TEXT):
    """A TEXT field that also takes its postings already analysed (an Analysed value)."""

    def index(self, value, **kwargs):
        if isinstance(value, Analysed):
            return iter(value.items)
        return super().index(value, **kwargs)


def analysed(fields: dict, schema: Schema) -> dict:
    """The fields of a document with every text field's value analysed into its postings (each
    text read once for all the fields that take it: search/index/whoosh/fieldterms.py)."""
    terms = getattr(schema, "_field_terms", None)
    if terms is None:
        terms = schema._field_terms = FieldTerms(schema)
    words_of: dict = {}
    out = dict(fields)
    for name, value in fields.items():
        field = schema[name] if name in schema else None
        if isinstance(field, Text) and isinstance(value, str):
            out[name] = Analysed(terms.postings(field, name, value, words_of))
    return out


def build_schema() -> Schema:
    """A fresh schema object (analysers are stateful caches: never share one between indexes)."""
    analyzers = {"fr": french_analyzer(), "en": english_analyzer(), "ar": arabic_analyzer(), "xx": neutral_analyzer()}
    fields = {
        "id": ID(stored=True, unique=True),
        "source": ID(stored=True),
        "title": STORED(),
        "text": STORED(),
        "raw": STORED(),
        "lang": ID(stored=True, sortable=True),
        "date": ID(stored=True),
        "year": NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),
        "datenum": NUMERIC(int, bits=32, sortable=True, signed=False),
        # Canonical values as stored lists (names may hold commas); facets count them from arrays.
        "people": STORED(),
        "organisations": STORED(),
        # The facet values again as one column: facet tables load from it without unpickling every
        # stored document (texts included) when a generation opens.
        "facets": COLUMN(PickleColumn(VarBytesColumn())),
        # Canonical names and every variant met, analysed as names, for `person:` / `org:` queries.
        "person_names": Text(analyzer=name_analyzer(), phrase=True),
        "org_names": Text(analyzer=name_analyzer(), phrase=True),
        # Unstemmed words of title and text: the vocabulary "did you mean" draws from.
        "spell": Text(analyzer=neutral_analyzer(), phrase=False),
        # Title and text word for word (case, accents and elisions folded, nothing stemmed or
        # dropped): what quoted phrases match (search/query/exact.py).
        "exact_title": Text(analyzer=exact_analyzer(), phrase=True),
        "exact_text": Text(analyzer=exact_analyzer(), phrase=True),
        # Consonant skeletons of the names in title and text: transliteration variants meet here.
        "name_keys": Text(analyzer=sound_key_analyzer(), phrase=False),
        # Full-name keys of the people (search/index/namekeys.py): "Mohammed ben Salmane" finds
        # the documents of "Muhammad bin Salman", in any script.
        "person_keys": Text(analyzer=person_key_analyzer(), phrase=False),
        "content_hash": STORED(),
        "part": STORED(),
        "related": STORED(),
    }
    for group in LANGUAGE_GROUPS:
        fields[f"title_{group}"] = Text(analyzer=analyzers[group], field_boost=TITLE_BOOST, phrase=True)
        fields[f"text_{group}"] = Text(analyzer=analyzers[group], phrase=True)
    return Schema(**fields)


def date_number(date: str | None) -> int:
    """YYYY-MM-DD as the integer YYYYMMDD (0 for no date) for sorting and ranges.

    A month or a year alone counts as day (and month) 00: "2021-03" is 20210300 and "2021" is
    20210000, so they sort before the days they hold and fall inside a range over their month or year.
    """
    if not date:
        return 0
    parts = date.split("-") + ["00", "00"]
    return int(parts[0]) * 10000 + int(parts[1]) * 100 + int(parts[2])


def document_fields(doc) -> dict:
    """The Whoosh fields of a Document."""
    group = language_group(doc.lang)
    fields = {
        "id": doc.id,
        "source": doc.source,
        "title": doc.title,
        "text": doc.text,
        "raw": doc.raw,
        "lang": doc.lang,
        "date": doc.date or "",
        "datenum": date_number(doc.date),
        "people": list(doc.people),
        "organisations": list(doc.organisations),
        "facets": {"org": list(doc.organisations), "person": list(doc.people), "lang": doc.lang,
                   "year": str(doc.year) if doc.year is not None else None},
        "person_names": "\n".join([*doc.people, *doc.person_terms]),
        "org_names": "\n".join([*doc.organisations, *doc.org_terms]),
        "spell": f"{doc.title or ''}\n{doc.text}",
        "name_keys": f"{doc.title or ''}\n{doc.text}",
        "exact_text": doc.text,
        "person_keys": person_keys_text([*doc.people, *doc.person_terms]),
        "content_hash": doc.content_hash,
        "part": doc.part,
        f"text_{group}": doc.text,
    }
    if doc.year is not None:
        fields["year"] = doc.year
    if doc.title:
        fields[f"title_{group}"] = doc.title
        fields["exact_title"] = doc.title
    return fields
