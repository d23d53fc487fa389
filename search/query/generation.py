"""One index generation as the query side serves it: the engine's generation and what lives as
long as it does (facet tables, dates, relations, copies, match masks, the spelling vocabulary),
with the requests in flight counted so that a retired generation closes after its last one."""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from search.index import store
from search.index.engine import Engine, IndexView
from search.index.entity_store import load_entity_keys, load_entity_store
from search.index.facets import build_facet_tables, load_facet_tables, read_datenum
from search.index.relations import copy_groups, load_relations
from search.query.suggest import LazyVocabulary

MATCH_CACHE_SIZE = 64  # match masks kept per index generation (a few kB each at 10,000 documents)


class ServedGeneration:
    """One open index generation with the caches that live as long as it does."""

    def __init__(self, engine: Engine, path: Path, token: str):
        self.token = token
        self.engine = engine.open(path)  # the engine's generation: its views, one per thread
        saved = load_facet_tables(path)
        view = self.view()
        if saved is not None and len(saved[1]) == view.doc_count:
            self.tables, self.live, self.datenum = saved
        else:  # a generation written before the indexer saved them
            self.tables, self.live = build_facet_tables(view)
            self.datenum = read_datenum(view)
        self.doc_count = len(self.live)
        self.vocabulary = LazyVocabulary(lambda: self.view().term_weights("spell"))  # "did you mean", on first use
        self._path = path
        self._meta: dict | None = None  # meta.json lists every file (megabytes at 100,000): read on first use
        self._entity_store: dict | None = None  # variants, roles, meetings per entity: read on first use
        self._entity_keys: dict | None = None
        self._curated = None  # the facet tables and entity store as the last curation list shows them
        self._curated_lock = threading.Lock()
        # Related documents (search/index/relations.py): links per id, and groups of copies to fold.
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

    @property
    def entity_store(self) -> dict:
        """The generation's entity store (search/index/entity_store.py), read on first use."""
        if self._entity_store is None:
            self._entity_store = load_entity_store(self._path)
        return self._entity_store

    @property
    def entity_keys(self) -> dict:
        """Each person's and organisation's key ({kind: {name: key}}), read on first use."""
        if self._entity_keys is None:
            self._entity_keys = load_entity_keys(self._path)
        return self._entity_keys

    def curated(self, version, actions, build):
        """The curated view for this version of the curation list: `build(self, actions, version)`
        once per version, then kept."""
        view = self._curated
        if view is not None and view.version == version:
            return view
        with self._curated_lock:
            if self._curated is None or self._curated.version != version:
                self._curated = build(self, actions, version)
            return self._curated

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
            self._id_cache[doc_id] = self.view().document_number(doc_id)
        return self._id_cache[doc_id]

    def view(self) -> IndexView:
        """This thread's view of the generation (search/index/engine.py)."""
        return self.engine.view()

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
        self.engine.close()
