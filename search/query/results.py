"""What the query side returns: plain dataclasses that pages, the API and the CLI render.

Views, the API and the CLI never touch engine objects: a search is a SearchRequest in and
SearchResults out, a document a DocumentView.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from search.index.facets import FACET_FIELDS, FacetValue

SORTS = ("relevance", "date", "-date")
MAX_PER_PAGE = 100


@dataclass
class SearchRequest:
    """What a researcher asks: words, facet filters (OR within a facet, AND across), order, page."""

    q: str = ""
    org: list[str] = field(default_factory=list)
    person: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    lang: list[str] = field(default_factory=list)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    fold: bool = False  # copies of one article as one hit (with its `copies`), counted once

    def filters(self) -> dict[str, list[str]]:
        """The facet filters that are set."""
        return {name: getattr(self, name) for name in FACET_FIELDS if getattr(self, name)}


@dataclass
class Hit:
    """One result as lists and the API show it."""

    id: str
    title: str | None
    lang: str
    date: str | None
    year: int | None
    organisations: list[str]
    people: list[str]
    source: str
    snippet: str
    score: float | None = None
    copies: list[str] = field(default_factory=list)  # ids of the other copies, folded into this hit

    def to_dict(self) -> dict:
        """The API's result object (DESIGN.md)."""
        data = asdict(self)
        data.pop("score")
        data.pop("copies")  # not in the API's result shape yet (DESIGN.md); pages may show it
        return data


@dataclass
class SearchResults:
    """A page of results with facet counts and what to tell the researcher."""

    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    timed_out: bool = False
    sort: str = "relevance"
    also: list[str] = field(default_factory=list)  # other searches to offer (a quoted phrase's translation)
    partial: bool = False  # a shard of the cluster did not answer (search/index/xapian/)

    @property
    def pages(self) -> int:
        """How many pages the results fill."""
        return max(1, -(-self.total // self.per_page))


@dataclass
class DocumentView:
    """A document with its text highlighted for a query, and its neighbours."""

    fields: dict
    text_html: str
    raw: str
    similar: list[Hit] = field(default_factory=list)
    related: list[dict] = field(default_factory=list)


def split_list(value) -> list[str]:
    """A stored list of values as a fresh list."""
    return list(value or [])


def stored_document(stored: dict) -> dict:
    """The API's document object from stored fields (DESIGN.md), text included."""
    return {
        "id": stored["id"],
        "title": stored.get("title"),
        "lang": stored.get("lang", "und"),
        "date": stored.get("date") or None,
        "year": stored.get("year"),
        "organisations": split_list(stored.get("organisations")),
        "people": split_list(stored.get("people")),
        "source": stored.get("source", ""),
        "text": stored.get("text", ""),
    }
