"""The query service: search with facets, snippets and suggestions; documents; similar documents.

Returns plain dataclasses: views, the API and the CLI never touch Whoosh objects.
"""
from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh import query as Q
from whoosh.collectors import TimeLimitCollector, TimeLimit

from . import store
from .facets import FACET_FIELDS, FacetValue, build_facet_tables, facet_values, load_facet_tables, read_datenum
from .highlight import mark, match_spans, snippet
from .longlists import LongLists
from .expansion import load_expansion
from .query import Expanded, ParsedQuery, parse_query
from .relations import copy_groups, load_relations
from .schema import build_schema, language_group
from .scoring import ArrayScorer, IndexArrays
from .suggest import LazyVocabulary, suggest_query

SORTS = ("relevance", "date", "-date")
MAX_PER_PAGE = 100
MAX_FOLD_EXTRA = 2000  # most extra ranked documents fetched to make up for folded copies
RANKING_GRACE = 0.05  # seconds Whoosh may rank for when numpy scoring ran out of time
MATCH_CACHE_SIZE = 64  # match masks kept per index generation (a few kB each at 10,000 documents)


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


class _Generation:
    """One open index generation with the caches that live as long as it does."""

    def __init__(self, path: Path, token: str):
        self.token = token
        # Plain file reads, not mmap: Whoosh copies each mmapped part of a compound segment into a
        # BytesIO when it opens it, so a worker held the whole postings file in memory.
        self.index = FileStorage(str(path), supports_mmap=False, readonly=True).open_index(schema=build_schema())
        # Whoosh searchers share file positions: one per thread, or concurrent requests read garbage.
        self._local = threading.local()
        self._searchers: list = []
        saved = load_facet_tables(path)
        if saved is not None and len(saved[1]) == self.searcher.reader().doc_count_all():
            self.tables, self.live, self.datenum = saved
        else:  # a generation written before the indexer saved them
            self.tables, self.live = build_facet_tables(self.searcher)
            self.datenum = read_datenum(self.searcher.reader(), len(self.live))
        self.doc_count = len(self.live)
        # Field lengths for numpy scoring, loaded on first use; long posting lists read as arrays.
        self.arrays = IndexArrays(self.doc_count, long_lists=LongLists(path))
        self.vocabulary = LazyVocabulary(lambda: self.searcher.reader())  # "did you mean", on first use
        self._path = path
        self._meta: dict | None = None  # meta.json lists every file (megabytes at 100,000): read on first use
        # Related documents (search/relations.py): links per id, and groups of copies to fold.
        self.relations = load_relations(path)
        self.copies = copy_groups(self.relations)
        self._id_cache: dict[str, int] = {}
        # Requests in flight, counted: a retired generation closes when its last request ends.
        self._use_lock = threading.Lock()
        self._users = 0
        self._retired = self._closed = False
        # Refining a search (a facet, a page, another order) matches the same query again.
        self._matches: OrderedDict[str, np.ndarray] = OrderedDict()  # query → match mask, most recent last
        self._matches_lock = threading.Lock()
        # Copies of one article share a group number (their smallest docnum): results, totals and
        # facet counts count a group once.
        self.group = np.arange(self.doc_count, dtype=np.int64)
        for members in {tuple(m) for m in self.copies.values()}:
            docnums = [n for n in map(self.docnum, members) if n is not None]
            if docnums:
                self.group[docnums] = min(docnums)
        self.folds = bool((self.group != np.arange(self.doc_count)).any())
        self.solo = np.bincount(self.group, minlength=self.doc_count)[self.group] == 1  # documents without copies

    @property
    def meta(self) -> dict:
        """The generation's meta.json ({} when its folder went with a later reindex)."""
        if self._meta is None:
            try:
                self._meta = store.read_meta(self._path)
            except (OSError, ValueError):
                return {}
        return self._meta

    def count(self, mask: np.ndarray) -> int:
        """Documents in the mask, copies of one article counted once."""
        if not self.folds:
            return int(mask.sum())
        return int((mask & self.solo).sum()) + int(np.unique(self.group[mask & ~self.solo]).size)

    def fold(self, ranked: list[tuple[int, float | None]]) -> list[tuple[int, float | None]]:
        """The ranked documents with every copy after the first of its group left out."""
        if not self.folds:
            return ranked
        seen: set[int] = set()
        kept = []
        for docnum, score in ranked:
            group = int(self.group[docnum])
            if group not in seen:
                seen.add(group)
                kept.append((docnum, score))
        return kept

    def cached_match(self, key: str) -> np.ndarray | None:
        """A copy of the match mask of a query searched recently, or None."""
        with self._matches_lock:
            mask = self._matches.get(key)
            if mask is None:
                return None
            self._matches.move_to_end(key)
            return mask.copy()

    def cache_match(self, key: str, mask: np.ndarray) -> None:
        """Keep a query's match mask (a copy), forgetting the least recent beyond MATCH_CACHE_SIZE."""
        with self._matches_lock:
            self._matches[key] = mask.copy()
            if len(self._matches) > MATCH_CACHE_SIZE:
                self._matches.popitem(last=False)

    def docnum(self, doc_id: str) -> int | None:
        """The document number of an id, or None."""
        if doc_id not in self._id_cache:
            self._id_cache[doc_id] = self.searcher.document_number(id=doc_id)
        return self._id_cache[doc_id]

    @property
    def searcher(self):
        """This thread's searcher over the generation."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher()
            self._searchers.append(searcher)
        return searcher

    def acquire(self) -> bool:
        """Count a request in; False once the generation is closed (a newer one serves)."""
        with self._use_lock:
            if self._closed:
                return False
            self._users += 1
            return True

    def release(self) -> None:
        """Count a request out; the last one out of a retired generation closes it."""
        with self._use_lock:
            self._users -= 1
            last = self._retired and self._users == 0 and not self._closed
            self._closed = self._closed or last
        if last:
            self._close()

    def retire(self) -> None:
        """A newer generation serves: close this one once no request uses it any more."""
        with self._use_lock:
            self._retired = True
            idle = self._users == 0 and not self._closed
            self._closed = self._closed or idle
        if idle:
            self._close()

    def _close(self) -> None:
        for searcher in self._searchers:
            searcher.close()


class SearchService:
    """Search over the live generation of INDEX_DIR; follows reindexes without a restart."""

    def __init__(self, index_dir: str | Path, time_limit: float = 2.0, docs_dir: str | Path | None = None):
        self.index_dir = Path(index_dir)
        self.time_limit = time_limit
        # Query expansion reads the researcher's DOCS_DIR/glossary.toml beside the package glossary.
        self.expansion = load_expansion(docs_dir)
        self.schema = build_schema()
        self._gen: _Generation | None = None
        self._lock = threading.Lock()

    # -- generations ---------------------------------------------------------------------------
    def _current(self) -> _Generation | None:
        token = store.current_token(self.index_dir)
        gen = self._gen
        if gen is not None and gen.token == token:
            return gen
        with self._lock:
            if self._gen is not None and self._gen.token == token:
                return self._gen
            path = store.current_generation(self.index_dir)
            if path is None:
                return self._gen  # no index yet, or CURRENT unreadable: keep what we serve
            try:
                fresh = _Generation(path, path.name)
            except Exception:
                if self._gen is not None:
                    return self._gen  # a generation vanished under us: keep serving the open one
                raise
            old, self._gen = self._gen, fresh
            if old is not None:
                old.retire()  # closed once the requests still running on it end
            return fresh

    @contextlib.contextmanager
    def _using(self):
        """The live generation (or None), kept open while the block runs."""
        while True:
            gen = self._current()
            if gen is None or gen.acquire():
                break  # else it closed between the two calls: the newer one serves
        try:
            yield gen
        finally:
            if gen is not None:
                gen.release()

    def has_index(self) -> bool:
        """True when there is a live index to search."""
        return self._current() is not None

    def stats(self) -> dict:
        """Document count and generation of the live index."""
        gen = self._current()  # its arrays only: they stay usable once it is closed
        if gen is None:
            return {"documents": 0, "generation": None}
        return {"documents": int(gen.live.sum()), "generation": gen.token, "built_at": gen.meta.get("built_at")}

    # -- search --------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResults:
        """Run a search: ranked or dated page of hits, facet counts, suggestion and notices."""
        with self._using() as gen:
            return self._search(gen, request)

    def _search(self, gen: _Generation | None, request: SearchRequest) -> SearchResults:
        parsed = parse_query(request.q, self.schema, self.expansion)
        if gen is None:
            return SearchResults(request.q, 0, request.page, request.per_page, [], {}, None,
                                 parsed.notices + ["There is no index yet: run `flask reindex`."])
        deadline = time.monotonic() + self.time_limit
        scorer = ArrayScorer(gen.searcher, gen.arrays, deadline, gen.vocabulary)
        matched, timed_out = self._matching(gen, parsed, scorer)
        filters = request.filters()
        masks = {name: gen.tables[name].mask_for(values, gen.doc_count) for name, values in filters.items()}
        combined = matched.copy()
        for mask in masks.values():
            combined &= mask
        folding = request.fold and gen.folds
        facets = {}
        for name, table in gen.tables.items():
            base = matched.copy()
            for other, mask in masks.items():
                if other != name:
                    base &= mask
            counts = table.counts(base, gen.group, gen.solo) if folding else table.counts(base)
            facets[name] = facet_values(table, counts, filters.get(name, []), name)
        total = gen.count(combined) if folding else int(combined.sum())
        sort = request.sort if request.sort in SORTS else "relevance"
        if not request.q.strip() and sort == "relevance":
            sort = "-date"
        start = (request.page - 1) * request.per_page
        page_docs, more_timeout = self._ordered(gen, parsed, combined, sort, start + request.per_page, scorer, folding)
        timed_out = timed_out or more_timeout
        page_docs = page_docs[start:start + request.per_page]
        marks: dict[str, tuple] = {}  # the query's terms to mark, by language of the results
        hits = [self._hit(gen, docnum, score, parsed, marks) for docnum, score in page_docs]
        notices = list(parsed.notices)
        if timed_out:
            notices.append("The search took too long and was stopped: results may be incomplete. Try more specific words.")
        suggestion = suggest_query(gen.searcher, request.q, parsed, gen.vocabulary) if request.q.strip() else None
        return SearchResults(request.q, total, request.page, request.per_page, hits, facets, suggestion,
                             notices, timed_out, sort)

    def _matching(self, gen: _Generation, parsed: ParsedQuery, scorer: ArrayScorer) -> tuple[np.ndarray, bool]:
        """Boolean mask of the documents the query matches, stopped at the scorer's deadline."""
        if isinstance(parsed.query, Q.Every):
            return gen.live.copy(), False
        mask = np.zeros(gen.doc_count, dtype=bool)
        if parsed.query is Q.NullQuery:
            return mask, False
        key = str(parsed.query)
        cached = gen.cached_match(key)
        if cached is not None:
            return cached, False
        try:
            mask, _bounds, _deferred = scorer.match(parsed.query)
        except TimeLimit:
            return self._matching_walk(gen, parsed, scorer.deadline)
        mask &= gen.live
        gen.cache_match(key, mask)
        return mask, False

    def _matching_walk(self, gen: _Generation, parsed: ParsedQuery, deadline: float) -> tuple[np.ndarray, bool]:
        """The matches found before the deadline, walking the query's matcher (slow, but stoppable)."""
        mask = np.zeros(gen.doc_count, dtype=bool)
        found: list[int] = []
        timed_out = False
        for i, docnum in enumerate(gen.searcher.docs_for_query(parsed.query)):
            found.append(docnum)
            if i % 2048 == 2047 and time.monotonic() > deadline:
                timed_out = True
                break
        if found:
            mask[np.asarray(found, dtype=np.int64)] = True
        return mask & gen.live, timed_out

    def _ordered(self, gen, parsed, allowed: np.ndarray, sort: str, limit: int, scorer: ArrayScorer, fold: bool):
        """The first `limit` documents in the requested order; with fold, copies join the first of their group."""
        # Fetch enough to fill `limit` after folding: at most one extra per copy among the allowed.
        extra = min(int(allowed.sum()) - gen.count(allowed), MAX_FOLD_EXTRA) if fold else 0
        if sort == "relevance" and not isinstance(parsed.query, Q.Every):
            docs, timed_out = self._ranked(gen, parsed, allowed, limit + extra, scorer)
        else:
            docs, timed_out = self._by_date(gen, allowed, sort, limit + extra), False
        return (gen.fold(docs) if fold else docs)[:limit], timed_out

    def _ranked(self, gen, parsed, allowed: np.ndarray, limit: int, scorer: ArrayScorer):
        """Top documents by BM25F among the allowed ones (search/scoring.py)."""
        if limit <= 0 or not allowed.any():
            return [], False
        try:
            return scorer.top_documents(parsed.query, allowed, limit), False
        except TimeLimit:
            return self._ranked_by_whoosh(gen, parsed, allowed, limit)

    def _ranked_by_whoosh(self, gen, parsed, allowed: np.ndarray, limit: int):
        """The best documents Whoosh's collector finds in a short grace time, once the deadline passed."""
        allowed_set = set(np.flatnonzero(allowed).tolist())
        collector = gen.searcher.collector(limit=limit, filter=allowed_set)
        limited = TimeLimitCollector(collector, timelimit=RANKING_GRACE, use_alarm=False)
        timed_out = False
        try:
            gen.searcher.search_with_collector(parsed.query, limited)
        except TimeLimit:
            timed_out = True
        results = limited.results()
        return [(hit.docnum, hit.score) for hit in results[:limit]], timed_out

    def _by_date(self, gen, allowed: np.ndarray, sort: str, limit: int):
        """Documents ordered by date (undated last), newest first for '-date'."""
        docnums = np.flatnonzero(allowed)
        keys = gen.datenum[docnums]
        if sort == "-date":
            order = np.lexsort((docnums, -keys))
        else:
            order = np.lexsort((docnums, np.where(keys == 0, np.iinfo(np.int64).max, keys)))
        return [(int(docnums[i]), None) for i in order[:limit]]

    def _hit(self, gen, docnum: int, score, parsed: ParsedQuery, marks: dict | None = None) -> Hit:
        stored = gen.searcher.stored_fields(docnum)
        text, lang = stored.get("text", ""), stored.get("lang", "")
        marks = {} if marks is None else marks
        if lang not in marks:
            marks[lang] = query_terms(parsed, lang)
        spans = match_spans(text, lang, *marks[lang]) if any(marks[lang]) else []
        return Hit(
            id=stored["id"],
            title=stored.get("title"),
            lang=stored.get("lang", "und"),
            date=stored.get("date") or None,
            year=stored.get("year"),
            organisations=split_list(stored.get("organisations")),
            people=split_list(stored.get("people")),
            source=stored.get("source", ""),
            snippet=snippet(text, spans),
            score=score,
            copies=[c for c in gen.copies.get(stored["id"], []) if c != stored["id"]],
        )

    # -- documents -----------------------------------------------------------------------------
    def document(self, doc_id: str, q: str = "", similar: int = 5) -> DocumentView | None:
        """A document's fields, its text highlighted for q, its raw text and similar documents."""
        with self._using() as gen:
            return self._document(gen, doc_id, q, similar)

    def _document(self, gen: _Generation | None, doc_id: str, q: str, similar: int) -> DocumentView | None:
        if gen is None or not isinstance(doc_id, str) or not doc_id:
            return None
        docnum = gen.docnum(doc_id)
        if docnum is None:
            return None
        stored = gen.searcher.stored_fields(docnum)
        fields = stored_document(stored)
        parsed = parse_query(q, self.schema, self.expansion)
        marks = query_terms(parsed, fields["lang"]) if q.strip() else (set(), set(), set())
        text_html = mark(fields["text"], match_spans(fields["text"], fields["lang"], *marks))
        view = DocumentView(fields, text_html, stored.get("raw") or "", related=list(gen.relations.get(doc_id, [])))
        if similar:
            view.similar = self._similar(gen, docnum, fields, similar)
        return view

    def _similar(self, gen, docnum: int, fields: dict, limit: int) -> list[Hit]:
        field_name = f"text_{language_group(fields['lang'])}"
        try:
            results = gen.searcher.more_like(docnum, field_name, text=fields["text"], top=limit)
        except Exception:
            return []
        empty = ParsedQuery(Q.Every(), "")
        return [self._hit(gen, hit.docnum, hit.score, empty) for hit in results]

    def export(self, request: SearchRequest, limit: int = 10_000) -> tuple[list[dict], int, bool]:
        """Every result of a search (up to limit) as rows: id, title, date, lang, entities, source."""
        capped = SearchRequest(**{**asdict(request), "page": 1, "per_page": 1})
        with self._using() as gen:
            if gen is None:
                return [], 0, False
            return self._export(gen, request, capped, limit)

    def _export(self, gen: _Generation, request: SearchRequest, capped: SearchRequest, limit: int):
        results = self._search(gen, capped)
        parsed = parse_query(request.q, self.schema, self.expansion)
        scorer = ArrayScorer(gen.searcher, gen.arrays, time.monotonic() + self.time_limit * 5, gen.vocabulary)
        matched, _ = self._matching(gen, parsed, scorer)
        for name, values in request.filters().items():
            matched &= gen.tables[name].mask_for(values, gen.doc_count)
        docs, _ = self._ordered(gen, parsed, matched, results.sort, limit, scorer, request.fold and gen.folds)
        rows = []
        for docnum, _score in docs:
            stored = gen.searcher.stored_fields(docnum)
            rows.append({
                "id": stored["id"], "title": stored.get("title"), "date": stored.get("date") or None,
                "lang": stored.get("lang"), "organisations": split_list(stored.get("organisations")),
                "people": split_list(stored.get("people")), "source": stored.get("source"),
            })
        return rows, results.total, results.total > limit


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


def _highlight_terms(query: Q.Query, expansion: bool = False):
    """(field, text) of the terms worth marking: the words typed, and single-word expansions.

    A multi-word expansion (an acronym's full name) is not marked word by word: its words alone
    ("information", "organisation") would light up all over an unrelated text.
    """
    if isinstance(query, Expanded):
        typed, *expansions = query.subqueries
        yield from _highlight_terms(typed, expansion)
        for sub in expansions:
            yield from _highlight_terms(sub, True)
    elif expansion and isinstance(query, Q.Phrase):
        return
    elif query.is_leaf():
        yield from query.iter_all_terms(phrases=True)
    else:
        for sub in query.children():
            yield from _highlight_terms(sub, expansion)


def query_terms(parsed: ParsedQuery, lang: str) -> tuple[set[str], set[str], set[str]]:
    """Terms of a query to mark in a document of this language: text terms, name terms, sound keys."""
    group = language_group(lang)
    terms, names, keys = set(), set(), set()
    try:
        pairs = list(_highlight_terms(parsed.query))
    except Exception:
        return terms, names, keys
    for fieldname, text in pairs:
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        if fieldname in (f"text_{group}", f"title_{group}"):
            terms.add(text)
        elif fieldname in ("person_names", "org_names"):
            names.add(text)
        elif fieldname == "name_keys":
            keys.add(text)
    return terms, names, keys
