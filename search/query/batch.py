"""Batch search: a list of queries under the same filters, each answered by its number of documents,
its counts per year and its top organisations (no ranking, no snippets).

Each line is parsed and matched once through the service (`SearchService.matching`: the parser,
the array scorer and the match cache a search uses); the filters' masks are computed once for the
whole batch, and the counts come from the generation's facet tables (search/index/facets.py).
A line that cannot be searched gets its own error; the other lines are answered all the same.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

import numpy as np
from whoosh import query as Q

from search.index.facets import FacetTable, FacetValue
from search.ingest.decoding import UndecodableError, decode_bytes
from search.query.results import SearchRequest

MAX_LINES = 1000  # queries in one batch
TOP_ORGS = 10  # organisations answered per line, most frequent first

# What a line's `error` says (English, as the service's notices; the web UI translates them).
NOT_TEXT = "A query must be text."
EMPTY_LINE = "Empty line: nothing to search (* searches every document)."
NO_WORDS = "The query has no searchable words."
UNREADABLE = "The query syntax could not be read; it was searched as plain words."
NO_INDEX = "There is no index yet: run `flask reindex`."
TIMED_OUT = "The search of this line took too long and was stopped: its counts may be incomplete."
OUT_OF_TIME = "Not searched: the batch ran past its time limit of {seconds:g} s. Search the remaining lines again."
FAILED = "This line could not be searched because of an internal error (it was logged)."

log = logging.getLogger(__name__)


class BatchError(ValueError):
    """A batch that cannot be run at all (too many lines, an unreadable file); the message says why."""


@dataclass
class BatchLine:
    """One line's answer: total (None when it was not searched), counts per year, top organisations."""

    query: object  # the line as it was given (not always text: the API may send anything)
    total: int | None = None
    year: list[FacetValue] = field(default_factory=list)
    org: list[FacetValue] = field(default_factory=list)
    error: str | None = None
    notices: list[str] = field(default_factory=list)


@dataclass
class BatchResults:
    """Every line's answer, in the order of the lines, with the filters they share."""

    lines: list[BatchLine]
    request: SearchRequest
    seconds: float = 0.0

    @property
    def years(self) -> list[str]:
        """Every year any line counts, in order (the columns of a table of counts per year)."""
        return sorted({fv.value for line in self.lines for fv in line.year})


def read_lines(data: str | bytes) -> list[str]:
    """The queries of a pasted or uploaded list: one a line, surrounding spaces and blank lines dropped."""
    if isinstance(data, bytes):
        try:
            data = decode_bytes(data)
        except UndecodableError as exc:
            raise BatchError(f"The file could not be read as text ({exc}); send a plain text list, one query a line.") from exc
    data = data.lstrip("\ufeff")
    return [line.strip() for line in data.splitlines() if line.strip()]


def check_size(queries: list) -> None:
    """Refuse a batch of more than MAX_LINES queries, saying how many it had."""
    if len(queries) > MAX_LINES:
        raise BatchError(f"A batch holds at most {MAX_LINES:,} queries, not {len(queries):,}: split the list.")


def run_batch(service, queries: list, request: SearchRequest | None = None,
              time_budget: float | None = None) -> BatchResults:
    """Answer every query under the request's filters (and its `fold`); lines still waiting when
    `time_budget` seconds have passed are answered with an error instead of counts."""
    check_size(queries)
    request = request or SearchRequest()
    started = time.monotonic()
    lines = [BatchLine(q) for q in queries]
    answered: dict[str, BatchLine] = {}  # a line repeated in the list is searched once
    with service.matching() as (gen, match):
        counter = _Counter(gen, service.curated(gen), request) if gen is not None else None
        for i, line in enumerate(lines):
            earlier = answered.get(line.query) if isinstance(line.query, str) else None
            if earlier is not None:
                lines[i] = replace(earlier, query=line.query, year=list(earlier.year), org=list(earlier.org),
                                   notices=list(earlier.notices))
            elif time_budget is not None and time.monotonic() - started > time_budget:
                line.error = OUT_OF_TIME.format(seconds=time_budget)
            else:
                _answer(line, match, counter)
                if isinstance(line.query, str):
                    answered[line.query] = line
    return BatchResults(lines, request, time.monotonic() - started)


def _answer(line: BatchLine, match, counter: "_Counter | None") -> None:
    """Fill one line: its error when it cannot be searched, else its counts."""
    if not isinstance(line.query, str):
        line.error = NOT_TEXT
        return
    if not line.query.strip():
        line.error = EMPTY_LINE
        return
    if counter is None:
        line.error = NO_INDEX
        return
    try:
        parsed, mask, timed_out = match(line.query)
        if parsed.query is Q.NullQuery:
            line.error = NO_WORDS
            return
        line.notices = [n for n in parsed.notices if n not in (UNREADABLE, NO_WORDS)]
        line.total, line.year, line.org = counter.counts(mask)
    except Exception:  # one line's failure must not lose the others' answers; it is logged
        log.exception("batch search: the line %r could not be searched", line.query[:200])
        line.total, line.year, line.org, line.notices = None, [], [], []
        line.error = FAILED
        return
    if timed_out:
        line.error = TIMED_OUT
    elif parsed.plain:
        line.error = UNREADABLE  # counted as plain words, as the search page shows it with a notice


class _Counter:
    """The counts of one line under the batch's filters, on one generation."""

    def __init__(self, gen, curated, request: SearchRequest):
        self.gen, self.curated = gen, curated  # facet tables as the editors' curation shows them
        self.allowed = gen.live.copy()
        for name, values in request.filters().items():
            self.allowed &= curated.tables[name].mask_for(values, gen.doc_count)
        self.fold = request.fold and gen.folds
        self.years: FacetTable = curated.tables["year"]
        self.orgs: FacetTable = curated.tables["org"]

    def counts(self, matched: np.ndarray) -> tuple[int, list[FacetValue], list[FacetValue]]:
        """(total, counts per year in order, the TOP_ORGS most frequent organisations)."""
        docs = matched & self.allowed
        group = (self.gen.group, self.gen.solo) if self.fold else ()
        total = self.gen.count(docs) if self.fold else int(docs.sum())
        if not total:
            return 0, [], []
        years = self.years.counts(docs, *group)
        year_rows = np.flatnonzero(years)
        year = sorted((FacetValue(self.years.values[i], int(years[i])) for i in year_rows.tolist()),
                      key=lambda fv: fv.value)
        orgs = self.orgs.counts(docs, *group)
        org_rows = np.flatnonzero(orgs)
        if len(org_rows) > TOP_ORGS:  # the candidates for the top only, then their exact order
            org_rows = org_rows[np.argpartition(-orgs[org_rows], TOP_ORGS - 1)[:TOP_ORGS]]
            cut = orgs[org_rows].min()
            org_rows = np.flatnonzero(orgs >= cut)
        org_rows = org_rows[np.lexsort((self.orgs.case_rank[org_rows], -orgs[org_rows]))][:TOP_ORGS]
        org = [FacetValue(self.orgs.values[i], int(orgs[i]), key=self.curated.key("org", self.orgs.values[i]))
               for i in org_rows.tolist()]
        return total, year, org
