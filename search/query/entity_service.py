"""People and organisations through a SearchService's live generation: the list, an entity's page,
the network of a search, and the editors' curation (merge, rename, suppress, undo)."""
from __future__ import annotations

import time

from search.index.curation import Action
from search.ingest.mentions import entity_key
from search.query.entities import KINDS, entity_page, list_entities
from search.query.network import GRAPH_NODES, co_mentions
from search.query.parse import parse_query
from search.query.results import SearchRequest
from search.query.scoring import ArrayScorer
from search.query.service import SearchService


class EntityError(ValueError):
    """A curation request that cannot apply (unknown key, merge into itself): the message says why."""


class EntityService:
    """The entity side of a SearchService (same generation, same curation list)."""

    def __init__(self, service: SearchService):
        self.service = service

    def entities(self, kind: str, q: str = "", sort: str = "count", page: int = 1, per_page: int = 50) -> dict:
        """{"kind", "total", "results": [{"key", "name", "count", "first", "last"}]}."""
        with self.service._using() as gen:
            if gen is None:
                return {"kind": kind, "total": 0, "page": page, "per_page": per_page, "results": []}
            return list_entities(self.service.curated(gen), kind, q, sort, page, per_page)

    def entity(self, kind: str, key: str) -> dict | None:
        """An entity's page (DESIGN.md), or None when the kind or key is unknown."""
        if kind not in KINDS:
            return None
        with self.service._using() as gen:
            if gen is None:
                return None
            return entity_page(self.service.curated(gen), kind, key)

    def graph(self, request: SearchRequest, limit: int = GRAPH_NODES, focus: tuple[str, str] | None = None) -> dict:
        """The co-mention network of a search's results (its filters applied); `focus` (kind, key)
        narrows it to the documents naming that entity."""
        service = self.service
        with service._using() as gen:
            if gen is None:
                return {"nodes": [], "edges": []}
            cur = service.curated(gen)
            parsed = parse_query(request.q, service.schema, service.expansion)
            scorer = ArrayScorer(gen.view(), time.monotonic() + service.time_limit, gen.vocabulary)
            matched, _ = service._matching(gen, parsed, scorer)
            for name, values in service._filters(cur, request).items():
                matched &= cur.tables[name].mask_for(values, gen.doc_count)
            if focus is not None:
                name = cur.name_for(*focus)
                matched &= cur.mask(focus[0], name) if name else False
            return co_mentions(cur, matched, limit)

    # -- curation ------------------------------------------------------------------------------
    def _name(self, kind: str, key: str) -> str:
        if kind not in KINDS:
            raise EntityError(f"kind must be person or org, not {kind[:40]!r}.")
        with self.service._using() as gen:
            name = self.service.curated(gen).name_for(kind, key) if gen is not None else None
        if name is None:
            raise EntityError(f"No {kind} with key {key[:200]!r}.")
        return name

    def merge(self, kind: str, key: str, into: str) -> Action:
        """Merge one person or organisation into another: its documents count under the other's name and key."""
        source, target = self._name(kind, key), self._name(kind, into)
        if source == target:
            raise EntityError("An entity cannot be merged into itself.")
        return self.service.curation.add(kind, "merge", target, [source])

    def rename(self, kind: str, key: str, name: str) -> Action:
        """Show a person or organisation under another name (its key stays)."""
        current = self._name(kind, key)
        name = " ".join((name or "").split())
        if not name or len(name) > 200:
            raise EntityError("A new name needs 1 to 200 characters.")
        if name == current:
            raise EntityError(f"{kind} {key!r} is already named {name!r}.")
        return self.service.curation.add(kind, "rename", name, [current])

    def suppress(self, kind: str, key: str) -> Action:
        """Take a false person or organisation out of facets, filters, pages and the network."""
        return self.service.curation.add(kind, "suppress", self._name(kind, key), [])

    def actions(self) -> list[dict]:
        """Every curation action in the order they apply: [{"id", "action", "kind", "keys", "name", "aliases", "at"}]."""
        _version, actions = self.service.curation.current()
        return [self.describe(action) for action in actions]

    def describe(self, action: Action) -> dict:
        """An action as the API lists it, with the keys of the entities it names."""
        names = action.aliases + [action.name] if action.action == "merge" else [action.name]
        if action.action == "rename":
            names = action.aliases  # the renamed value keeps its key
        return action.as_dict(list(dict.fromkeys(entity_key(action.kind, n) for n in names)))

    def undo(self, ident: int) -> Action | None:
        """Remove an action from the list: what it did is undone at once."""
        return self.service.curation.remove(ident)

    @property
    def error(self) -> str | None:
        """Why curation.toml cannot be read now (the last good list applies), or None."""
        self.service.curation.current()
        return self.service.curation.error
