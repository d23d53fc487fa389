"""People and organisations as the editors' curation shows them: facet tables remapped at query
time (merges, renames, suppressions), the entity list, and an entity's page (variants, roles,
timeline, related entities, meetings)."""
from __future__ import annotations

from collections import Counter

import numpy as np

from search.index.curation import Action, apply_actions
from search.index.facets import FacetTable
from search.ingest.mentions import entity_key
from search.query.cooccurrence import MIN_SUPPORT, log_likelihood

KINDS = {"person": "person", "org": "org"}  # entity kind → facet name
SORTS = ("count", "name")
RELATED_LIMIT = 10
MEETINGS_LIMIT = 200


def date_text(padded: int) -> str | None:
    """YYYYMMDD (00 for an unknown day or month) as the ISO date at its precision; None for 0."""
    if padded <= 0:
        return None
    year, month, day = padded // 10000, padded // 100 % 100, padded % 100
    return f"{year:04d}" if not month else f"{year:04d}-{month:02d}" if not day else f"{year:04d}-{month:02d}-{day:02d}"


def padded_dates(datenum: np.ndarray) -> np.ndarray:
    """Dates stored as YYYY, YYYYMM or YYYYMMDD, all as YYYYMMDD (00 where the text gave no day or month)."""
    out = datenum.astype(np.int64).copy()
    out[(out > 0) & (out < 10_000)] *= 10_000
    out[(out >= 10_000) & (out < 1_000_000)] *= 100
    return out


class CuratedView:
    """A generation's facet tables and entity store with the curation applied."""

    def __init__(self, gen, actions: list[Action], version=None):
        self.version = version
        self.gen = gen
        self.actions = actions
        self.tables = dict(gen.tables)
        self.shown: dict[str, dict] = {}  # kind → original name → shown name (None: suppressed)
        self.key_of: dict[str, dict] = {}  # kind → shown name → key
        self.by_key: dict[str, dict] = {}  # kind → key (current or merged away) → shown name
        self.originals: dict[str, dict] = {}  # kind → shown name → original names
        for kind, facet in KINDS.items():
            table = gen.tables[facet]
            known = gen.entity_keys.get(kind, {})
            shown, keys = apply_actions(actions, kind, table.values,
                                        lambda n, k=kind, s=known: s.get(n) or entity_key(k, n))
            self.shown[kind] = shown
            originals: dict[str, list] = {}
            for original, name in shown.items():
                if name is not None:
                    originals.setdefault(name, []).append(original)
            self.originals[kind] = originals
            key_of, by_key = {}, {}
            for name, members in originals.items():
                # the key of the value that keeps its own name, else of the first renamed into it
                own = [m for m in members if m == name]
                key_of[name] = keys[own[0]] if own else keys[sorted(members)[0]]
                for member in members:
                    by_key.setdefault(known.get(member) or entity_key(kind, member), name)
                    by_key.setdefault(keys[member], name)
            for name, key in key_of.items():
                by_key[key] = name
            self.key_of[kind], self.by_key[kind] = key_of, by_key
            if actions:
                self.tables[facet] = _remapped(table, shown, sorted(originals))
        self._totals: dict[str, np.ndarray] = {}
        self._dates: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def store(self) -> dict:
        """The generation's entity store (variants, roles, meetings), read when a page first needs it."""
        return self.gen.entity_store

    # -- names -----------------------------------------------------------------------------------
    def names(self, kind: str, values) -> list[str]:
        """A document's stored values as shown: renamed, merged ones once, suppressed ones left out."""
        shown = self.shown[kind]
        return list(dict.fromkeys(n for n in (shown.get(v, v) for v in values or []) if n))

    def filter_values(self, kind: str, values: list[str]) -> list[str]:
        """Filter values as shown (a link to a value merged since still finds its documents)."""
        shown = self.shown[kind]
        return list(dict.fromkeys(shown.get(v, v) or v for v in values))

    def key(self, kind: str, name: str) -> str:
        """The key of a shown value."""
        return self.key_of[kind].get(name) or entity_key(kind, name)

    def name_for(self, kind: str, key: str) -> str | None:
        """The shown name of a key (also of a key merged into another), or None."""
        return self.by_key.get(kind, {}).get(key)

    # -- counts ----------------------------------------------------------------------------------
    def totals(self, kind: str) -> np.ndarray:
        """Documents per value of a kind over the whole archive."""
        if kind not in self._totals:
            self._totals[kind] = self.tables[KINDS[kind]].counts(self.gen.live)
        return self._totals[kind]

    def first_last(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """Each value's earliest and latest document date (YYYYMMDD padded; 0 when none is dated)."""
        if kind not in self._dates:
            table = self.tables[KINDS[kind]]
            dates = padded_dates(self.gen.datenum)[table.doc_rows]
            dated = dates > 0
            first = np.full(len(table.values), np.iinfo(np.int64).max)
            last = np.zeros(len(table.values), dtype=np.int64)
            np.minimum.at(first, table.value_rows[dated], dates[dated])
            np.maximum.at(last, table.value_rows[dated], dates[dated])
            first[first == np.iinfo(np.int64).max] = 0
            self._dates[kind] = first, last
        return self._dates[kind]

    def mask(self, kind: str, name: str) -> np.ndarray:
        """The live documents naming a shown value."""
        return self.tables[KINDS[kind]].mask_for([name], self.gen.doc_count) & self.gen.live


def _remapped(table: FacetTable, shown: dict, values: list[str]) -> FacetTable:
    """A facet table whose values are the shown names: a document holding two merged values holds one."""
    index = {v: i for i, v in enumerate(values)}
    lookup = np.asarray([index.get(shown.get(v), -1) if shown.get(v) else -1 for v in table.values] or [-1],
                        dtype=np.int64)
    rows = lookup[table.value_rows] if len(table.value_rows) else np.zeros(0, dtype=np.int64)
    keep = rows >= 0
    pairs = np.unique(table.doc_rows[keep].astype(np.int64) * max(len(values), 1) + rows[keep])
    width = max(len(values), 1)
    return FacetTable(values, (pairs // width).astype(np.int32), (pairs % width).astype(np.int32))


def list_entities(view: CuratedView, kind: str, q: str = "", sort: str = "count", page: int = 1,
                  per_page: int = 50) -> dict:
    """Every person or organisation with its document count and first and last dates."""
    table = view.tables[KINDS[kind]]
    counts = view.totals(kind)
    rows = np.flatnonzero(counts > 0)
    needle = " ".join(q.lower().split())
    if needle:
        rows = np.asarray([i for i in rows.tolist() if needle in table.values[i].lower()], dtype=np.int64)
    if sort == "name":
        rows = rows[np.argsort(table.case_rank[rows], kind="stable")]
    else:
        rows = rows[np.lexsort((table.case_rank[rows], -counts[rows]))]
    first, last = view.first_last(kind)
    start = (page - 1) * per_page
    results = [{"key": view.key(kind, table.values[i]), "name": table.values[i], "count": int(counts[i]),
                "first": date_text(int(first[i])), "last": date_text(int(last[i]))}
               for i in rows[start:start + per_page].tolist()]
    return {"kind": kind, "total": int(len(rows)), "page": page, "per_page": per_page, "results": results}


def entity_page(view: CuratedView, kind: str, key: str) -> dict | None:
    """An entity's name, variants, roles, timeline, related entities and meetings; None when unknown."""
    name = view.name_for(kind, key)
    if name is None:
        return None
    mask = view.mask(kind, name)
    members = view.originals[kind].get(name, [name])
    details = [view.store.get(kind, {}).get(m) or {} for m in members]
    variants: Counter = Counter()
    roles: Counter = Counter()
    meeting_ids: set[int] = set()
    for detail in details:
        variants.update({v["form"]: v["count"] for v in detail.get("variants", [])})
        roles.update({r["role"]: r["count"] for r in detail.get("roles", [])})
        meeting_ids.update(detail.get("meetings", []))
    return {
        "kind": kind, "key": view.key(kind, name), "name": name, "count": int(mask.sum()),
        "variants": [{"form": f, "count": c} for f, c in sorted(variants.items(), key=lambda x: (-x[1], x[0]))],
        "roles": [{"role": r, "count": c} for r, c in sorted(roles.items(), key=lambda x: (-x[1], x[0]))],
        "timeline": timeline(view, mask),
        "related": related(view, mask, kind, name),
        "meetings": meetings(view, sorted(meeting_ids)),
    }


def timeline(view: CuratedView, mask: np.ndarray) -> list[dict]:
    """Documents per month ("YYYY-MM"; "YYYY" when only the year is known), undated under None."""
    dates = padded_dates(view.gen.datenum[mask])
    periods = Counter(date_text(d - d % 100) if d % 10000 // 100 else date_text(d) for d in dates.tolist() if d)
    out = [{"period": p, "count": n} for p, n in sorted(periods.items())]
    undated = int((dates == 0).sum())
    if undated:
        out.append({"period": None, "count": undated})
    return out


def related(view: CuratedView, mask: np.ndarray, kind: str, name: str, limit: int = RELATED_LIMIT,
            min_support: int = MIN_SUPPORT) -> dict[str, list[dict]]:
    """People and organisations named with the entity more often than chance says (Dunning's G²),
    from at least `min_support` shared documents; count: the shared documents."""
    total = int(view.gen.live.sum())
    first = int(mask.sum())
    out = {}
    for other in KINDS:
        table = view.tables[KINDS[other]]
        both = table.counts(mask)
        totals = view.totals(other)
        ranked = []
        for i in np.flatnonzero(both >= min_support).tolist():
            if other == kind and table.values[i] == name:
                continue
            score = log_likelihood(int(both[i]), first, int(totals[i]), total)
            if score > 0:
                ranked.append((-score, table.values[i], int(both[i])))
        ranked.sort()
        out[other] = [{"key": view.key(other, n), "name": n, "count": c, "score": round(-s, 3)}
                      for s, n, c in ranked[:limit]]
    return out


def meetings(view: CuratedView, ids: list[int]) -> list[dict]:
    """Meetings in date order, participants as shown (a suppressed one left out; a meeting needs two)."""
    out = []
    stored = view.store["meetings"]
    for i in ids:
        meeting = stored[i]
        people = []
        for kind, original in meeting["participants"]:
            name = view.shown.get(kind, {}).get(original, original)
            if name and (kind, name) not in {(p["kind"], p["name"]) for p in people}:
                people.append({"kind": kind, "key": view.key(kind, name), "name": name})
        if len(people) >= 2:
            out.append({"date": meeting["date"], "participants": people, "sentence": meeting["sentence"],
                        "document": meeting["document"], "start": meeting["start"], "end": meeting["end"]})
    out.sort(key=lambda m: (m["date"] or "9999", m["document"], m["start"]))
    return out[:MEETINGS_LIMIT]
