"""The query service: search with facets, snippets and suggestions; documents; similar documents.

Orchestration only: the live generation (search/query/generation.py) is read through the
engine's view (search/index/engine.py), queries are parsed by search/query/parse.py, scored by
search/query/scoring.py, highlighted by search/query/highlight.py, and answered as the plain
dataclasses of search/query/results.py.
"""
from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from whoosh import query as Q
from whoosh.collectors import TimeLimit

from search.index import store
from search.index.backends import engine_for
from search.index.engine import Engine
from search.index.facets import facet_values
from search.index.schema import build_schema, language_group
from search.query.curating import CurationFile
from search.query.entities import CuratedView
from search.query.expansion import load_expansion
from search.query.generation import ServedGeneration
from search.query.highlight import TermExpander, mark, match_spans, query_terms, snippet
from search.query.lead import body_start, title_end
from search.query.parse import ParsedQuery, parse_query
from search.query.results import DocumentView, Hit, SORTS, SearchRequest, SearchResults, stored_document
from search.query.scoring import ArrayScorer
from search.query.suggest import suggest_query
from search.resources import ConfigError

MAX_FOLD_EXTRA = 2000  # most extra ranked documents fetched to make up for folded copies
RANKING_GRACE = 0.05  # seconds the engine may rank for when numpy scoring ran out of time
BATCH_SCORER_DOCUMENTS = 2_000_000  # documents × queries one shared scorer serves (200 queries at 10,000)


class SearchService:
    """Search over the live generation of INDEX_DIR; follows reindexes without a restart."""

    def __init__(self, index_dir: str | Path, time_limit: float = 2.0, docs_dir: str | Path | None = None,
                 engine: Engine | None = None):
        self.index_dir = Path(index_dir)
        self.engine = engine or engine_for("whoosh")
        self.time_limit = time_limit
        # Query expansion reads the researcher's DOCS_DIR/glossary.toml beside the package glossary.
        self.config_notices: list[str] = []
        try:
            self.expansion = load_expansion(docs_dir)
        except ConfigError as exc:  # serve with the package's glossary, and say why on every search
            self.expansion = load_expansion(None)
            self.config_notices.append(f"{exc} Searches use the package's glossary until it is fixed.")
        self.schema = build_schema()
        self.curation = CurationFile(docs_dir)  # editors' merges, renames, suppressions (search/index/curation.py)
        self._gen: ServedGeneration | None = None
        self._lock = threading.Lock()

    # -- generations ---------------------------------------------------------------------------
    def _current(self) -> ServedGeneration | None:
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
                fresh = ServedGeneration(self.engine, path, path.name)
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

    def curated(self, gen: ServedGeneration) -> CuratedView:
        """The generation's facet tables and entity store as the curation list shows them now."""
        version, actions = self.curation.current()
        return gen.curated(version, actions, CuratedView)

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

    def _search(self, gen: ServedGeneration | None, request: SearchRequest) -> SearchResults:
        parsed = parse_query(request.q, self.schema, self.expansion)
        if gen is None:
            return SearchResults(request.q, 0, request.page, request.per_page, [], {}, None,
                                 parsed.notices + ["There is no index yet: run `flask reindex`."])
        deadline = time.monotonic() + self.time_limit
        scorer = ArrayScorer(gen.view(), deadline, gen.vocabulary)
        matched, timed_out = self._matching(gen, parsed, scorer)
        missing, shards = scorer.view.unreachable()
        if shards:  # a shard did not answer: what the others hold, said to be partial
            matched &= ~missing
        cur = self.curated(gen)
        filters = self._filters(cur, request)
        masks = {name: cur.tables[name].mask_for(values, gen.doc_count) for name, values in filters.items()}
        combined = matched.copy()
        for mask in masks.values():
            combined &= mask
        folding = request.fold and gen.folds
        facets = {}
        for name, table in cur.tables.items():
            base = matched.copy()
            for other, mask in masks.items():
                if other != name:
                    base &= mask
            counts = table.counts(base, gen.group, gen.solo) if folding else table.counts(base)
            facets[name] = facet_values(table, counts, filters.get(name, []), name)
            if name in ("org", "person"):
                for fv in facets[name]:
                    fv.key = cur.key(name, fv.value)
        total = gen.count(combined) if folding else int(combined.sum())
        sort = request.sort if request.sort in SORTS else "relevance"
        if not request.q.strip() and sort == "relevance":
            sort = "-date"
        start = (request.page - 1) * request.per_page
        page_docs, more_timeout = self._ordered(gen, parsed, combined, sort, start + request.per_page, scorer, folding)
        timed_out = timed_out or more_timeout
        page_docs = page_docs[start:start + request.per_page]
        marks: dict[str, tuple] = {}  # the query's terms to mark, by language of the results
        expander = TermExpander(scorer.multi_term_words, scorer.counts)
        stored = gen.view().stored_fields_many([docnum for docnum, _score in page_docs])
        hits = [self._hit(gen, docnum, score, parsed, marks, expander, cur, fields)
                for (docnum, score), fields in zip(page_docs, stored)]
        notices = list(dict.fromkeys(self.config_notices + parsed.notices + scorer.notices))
        if timed_out:
            notices.append("The search took too long and was stopped: results may be incomplete. Try more specific words.")
        notices.extend(f"Shard {name} did not answer: these results come from the other shards only." for name in shards)
        suggestion = suggest_query(gen.view(), request.q, parsed, gen.vocabulary) if request.q.strip() else None
        return SearchResults(request.q, total, request.page, request.per_page, hits, facets, suggestion,
                             notices, timed_out, sort, also=parsed.also, partial=bool(shards))

    @staticmethod
    def _filters(cur: CuratedView, request: SearchRequest) -> dict[str, list[str]]:
        """The request's filters, entity values as the curation shows them."""
        filters = request.filters()
        for name in ("org", "person"):
            if name in filters:
                filters[name] = cur.filter_values(name, filters[name])
        return filters

    def _matching(self, gen: ServedGeneration, parsed: ParsedQuery, scorer: ArrayScorer) -> tuple[np.ndarray, bool]:
        """Boolean mask of the documents the query matches, stopped at the scorer's deadline."""
        if isinstance(parsed.query, Q.Every):
            return gen.live.copy(), False
        mask = np.zeros(gen.doc_count, dtype=bool)
        if parsed.query is Q.NullQuery:
            return mask, False
        key = repr(parsed.query)  # str() leaves out a phrase's slop and a term's boost
        cached = gen.cached_match(key)
        if cached is not None:
            return cached, False
        try:
            mask, _bounds, _deferred = scorer.match(parsed.query)
        except TimeLimit:
            return self._matching_walk(gen, parsed, scorer.deadline)
        mask &= gen.live
        if not scorer.view.unreachable()[1]:  # a partial match is not remembered
            gen.cache_match(key, mask)
        return mask, False

    def _matching_walk(self, gen: ServedGeneration, parsed: ParsedQuery, deadline: float) -> tuple[np.ndarray, bool]:
        """The matches found before the deadline, walking the query's matcher (slow, but stoppable)."""
        mask = np.zeros(gen.doc_count, dtype=bool)
        found, timed_out = gen.view().walk_matches(parsed.query, deadline)
        mask[found] = True
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
        """Top documents by BM25F among the allowed ones (search/query/scoring.py)."""
        if limit <= 0 or not allowed.any():
            return [], False
        try:
            return scorer.top_documents(parsed.query, allowed, limit), False
        except TimeLimit:
            return self._ranked_briefly(gen, parsed, allowed, limit)

    def _ranked_briefly(self, gen, parsed, allowed: np.ndarray, limit: int):
        """The best documents the engine's own ranking finds in a short grace time, once the deadline passed."""
        return gen.view().rank_briefly(parsed.query, allowed, limit, RANKING_GRACE)

    def _by_date(self, gen, allowed: np.ndarray, sort: str, limit: int):
        """Documents ordered by date (undated last), newest first for '-date'."""
        docnums = np.flatnonzero(allowed)
        keys = gen.datenum[docnums]
        if sort == "-date":
            order = np.lexsort((docnums, -keys))
        else:
            order = np.lexsort((docnums, np.where(keys == 0, np.iinfo(np.int64).max, keys)))
        return [(int(docnums[i]), None) for i in order[:limit]]

    def _hit(self, gen, docnum: int, score, parsed: ParsedQuery, marks: dict | None = None,
             expander: TermExpander | None = None, cur: CuratedView | None = None, stored: dict | None = None) -> Hit:
        stored = stored if stored is not None else gen.view().stored_fields(docnum)
        text, lang = stored.get("text", ""), stored.get("lang", "")
        body = text[body_start(text, stored.get("title")):]  # a snippet never repeats the title or a date stamp
        marks = {} if marks is None else marks
        if lang not in marks:
            marks[lang] = query_terms(parsed, lang, expander)
        spans = match_spans(body, lang, *marks[lang]) if any(marks[lang]) else []
        cur = cur or self.curated(gen)
        return Hit(
            id=stored["id"],
            title=stored.get("title"),
            lang=stored.get("lang", "und"),
            date=stored.get("date") or None,
            year=stored.get("year"),
            organisations=cur.names("org", stored.get("organisations")),
            people=cur.names("person", stored.get("people")),
            source=stored.get("source", ""),
            snippet=snippet(body, spans),
            score=score,
            copies=[c for c in gen.copies.get(stored["id"], []) if c != stored["id"]],
        )

    # -- many queries on one generation (search/query/batch.py) ---------------------------------
    @contextlib.contextmanager
    def matching(self):
        """Within the block: the live generation (None without an index) and a function that matches
        one query on it, q → (ParsedQuery, mask of the documents it matches, whether it timed out)."""
        with self._using() as gen:
            # Consecutive queries share a scorer, so a term's postings are read once for all of them;
            # it keeps every list it reads, so it is renewed every BATCH_SCORER_DOCUMENTS / documents
            # queries (about 40 MB of postings whatever the size of the archive).
            scorer, used = None, 0
            renew = max(1, BATCH_SCORER_DOCUMENTS // max(gen.doc_count, 1)) if gen is not None else 1

            def match(q: str):
                nonlocal scorer, used
                parsed = parse_query(q, self.schema, self.expansion)
                if gen is None:
                    return parsed, np.zeros(0, dtype=bool), False
                if scorer is None or used >= renew:
                    scorer, used = ArrayScorer(gen.view(), None, gen.vocabulary), 0
                used += 1
                scorer.deadline = time.monotonic() + self.time_limit
                mask, timed_out = self._matching(gen, parsed, scorer)
                return parsed, mask, timed_out
            yield gen, match

    # -- documents -----------------------------------------------------------------------------
    def document(self, doc_id: str, q: str = "", similar: int = 5, sentence: tuple[int, int] | None = None) -> DocumentView | None:
        """A document's fields, its text highlighted for q (and a sentence given by its offsets in the
        text, as meetings give them), its raw text and similar documents."""
        with self._using() as gen:
            return self._document(gen, doc_id, q, similar, sentence)

    def _document(self, gen: ServedGeneration | None, doc_id: str, q: str, similar: int,
                  sentence: tuple[int, int] | None = None) -> DocumentView | None:
        if gen is None or not isinstance(doc_id, str) or not doc_id:
            return None
        docnum = gen.docnum(doc_id)
        if docnum is None:
            return None
        stored = gen.view().stored_fields(docnum)
        fields = stored_document(stored)
        cur = self.curated(gen)
        fields["organisations"] = cur.names("org", fields["organisations"])
        fields["people"] = cur.names("person", fields["people"])
        parsed = parse_query(q, self.schema, self.expansion)
        scorer = ArrayScorer(gen.view(), None, gen.vocabulary)
        marks = query_terms(parsed, fields["lang"], TermExpander(scorer.multi_term_words, scorer.counts)) if q.strip() else ()
        offset = title_end(fields["text"], fields["title"])
        body = fields["text"][offset:]  # the title is the page's heading

        def marked(piece: str) -> str:
            return mark(piece, match_spans(piece, fields["lang"], *marks) if any(marks) else [])

        if sentence and offset <= sentence[0] < sentence[1] <= len(fields["text"]):
            start, end = sentence[0] - offset, sentence[1] - offset
            text_html = (marked(body[:start]) + '<mark class="sentence" id="sentence">' + marked(body[start:end])
                         + "</mark>" + marked(body[end:]))
        else:
            text_html = marked(body)
        view = DocumentView(fields, text_html, stored.get("raw") or "", related=list(gen.relations.get(doc_id, [])))
        if similar:
            view.similar = self._similar(gen, docnum, fields, similar)
        return view

    def _similar(self, gen, docnum: int, fields: dict, limit: int) -> list[Hit]:
        field_name = f"text_{language_group(fields['lang'])}"
        try:
            results = gen.view().more_like(docnum, field_name, fields["text"], limit)
        except Exception:
            return []
        empty = ParsedQuery(Q.Every(), "")
        stored = gen.view().stored_fields_many([docnum for docnum, _score in results])
        return [self._hit(gen, docnum, score, empty, stored=fields) for (docnum, score), fields in zip(results, stored)]

    def export(self, request: SearchRequest, limit: int = 10_000) -> tuple[list[dict], int, bool]:
        """Every result of a search (up to limit) as rows: id, title, date, lang, entities, source."""
        capped = SearchRequest(**{**asdict(request), "page": 1, "per_page": 1})
        with self._using() as gen:
            if gen is None:
                return [], 0, False
            return self._export(gen, request, capped, limit)

    def _export(self, gen: ServedGeneration, request: SearchRequest, capped: SearchRequest, limit: int):
        results = self._search(gen, capped)
        parsed = parse_query(request.q, self.schema, self.expansion)
        scorer = ArrayScorer(gen.view(), time.monotonic() + self.time_limit * 5, gen.vocabulary)
        matched, _ = self._matching(gen, parsed, scorer)
        cur = self.curated(gen)
        for name, values in self._filters(cur, request).items():
            matched &= cur.tables[name].mask_for(values, gen.doc_count)
        docs, _ = self._ordered(gen, parsed, matched, results.sort, limit, scorer, request.fold and gen.folds)
        rows = []
        for stored in gen.view().stored_fields_many([docnum for docnum, _score in docs]):
            rows.append({
                "id": stored["id"], "title": stored.get("title"), "date": stored.get("date") or None,
                "lang": stored.get("lang"), "organisations": cur.names("org", stored.get("organisations")),
                "people": cur.names("person", stored.get("people")), "source": stored.get("source"),
            })
        return rows, results.total, results.total > limit
