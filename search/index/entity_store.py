"""The entity store of a generation: per person and organisation, the variants seen, the roles found
beside the name and the meetings it took part in, with the documents they come from.

Each document gets a record during extraction (in the worker that extracted it: one pass over its
mentions, sentences and roles). Records are kept per source file in `entity_docs.json`, so an
incremental reindex carries unchanged files' records over; `entity_store.json` holds them
aggregated per entity, which is what a server reads. Counts, dates and timelines are not stored
here: they come from the facet tables (search/index/facets.py), so that curation at query time
(merges, renames, suppressions) changes them without a reindex.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path

from search.index import store
from search.ingest.documents import Document
from search.ingest.meetings import find_meetings
from search.ingest.mentions import ORG, PERSON, entity_key, find_entity_mentions
from search.ingest.roles import find_roles, role_counts

DOCS_NAME = "entity_docs.jsonl"  # records per source file, carried over by incremental reindexes
OLD_DOCS_NAME = "entity_docs.json"  # the same, in one JSON object (generations built before)
STORE_NAME = "entity_store.json"  # records aggregated per entity: what the query side reads
KEYS_NAME = "entity_keys.json"  # each name's key, small: what every search reads (the store is read on demand)
KINDS = (PERSON, ORG)


def entity_record(doc: Document, knowledge=None) -> dict:
    """What one document says about its entities: surface forms, roles and meetings."""
    people, orgs = list(doc.people), list(doc.organisations)
    record = {"id": doc.id, "date": doc.date, "variants": [], "roles": [], "meetings": []}
    if not people and not orgs:
        return record
    forms: Counter = Counter()
    mentions = find_entity_mentions(doc.text, people, orgs, knowledge)  # read once for the three passes
    for mention in mentions:
        forms[(mention.kind, mention.name, " ".join(doc.text[mention.start:mention.end].split()))] += 1
    record["variants"] = [[kind, name, form, n] for (kind, name, form), n in forms.items()]
    if people:
        record["roles"] = [[entity["name"], role] for entity, role in find_roles(doc.text, people, orgs, knowledge, mentions)]
    for meeting in find_meetings(doc.text, people, orgs, doc.date, doc.lang, knowledge, mentions):
        record["meetings"].append({"participants": [[p["kind"], p["name"]] for p in meeting.participants],
                                   "sentence": meeting.sentence, "start": meeting.start, "end": meeting.end})
    return record


def load_entity_docs(generation: Path | None) -> Mapping[str, list[dict]]:
    """A generation's records per source file ({} when it has none), read source by source."""
    if generation is None:
        return {}
    if (generation / DOCS_NAME).is_file():
        try:
            return EntityDocs(generation / DOCS_NAME)
        except (OSError, ValueError):
            return {}
    try:
        return json.loads((generation / OLD_DOCS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class EntityDocs(Mapping):
    """The records per source of `entity_docs.jsonl`, one line a source (its name in JSON, a tab,
    its records in JSON), read when asked for: at 100,000 documents the file is 137 MB, and held
    whole as Python objects it took 700 MB of the reindex's memory."""

    def __init__(self, path: Path):
        self._path = path
        self._lines: dict[str, tuple[int, int]] = {}
        offset = 0
        with open(path, "rb") as handle:
            for line in handle:
                tab = line.index(b"\t")
                name = line[:tab]  # a JSON string: its bytes between the quotes, unless it escapes some
                source = json.loads(name) if b"\\" in name else name[1:-1].decode("utf-8")
                self._lines[source] = (offset + tab + 1, len(line) - tab - 1)
                offset += len(line)
        self._handle = None

    def raw(self, source: str) -> bytes:
        """A source's records as written (JSON, then a newline)."""
        start, size = self._lines[source]
        if self._handle is None:
            self._handle = open(self._path, "rb")
        self._handle.seek(start)
        return self._handle.read(size)

    def __getitem__(self, source: str) -> list[dict]:
        return json.loads(self.raw(source))

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def __contains__(self, source) -> bool:
        return source in self._lines

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            self._handle.close()


def aggregate(records: Mapping[str, list[dict]]) -> dict:
    """Records per source → {"person"|"org": {name: {"key", "variants", "roles", "meetings"}}, "meetings": [...]}.

    Meetings are listed once, each with its document id, date, offsets and participants
    ([kind, name]); an entity lists the positions of its meetings in that list.
    """
    variants: dict = {kind: defaultdict(Counter) for kind in KINDS}
    roles: list[tuple[dict, str]] = []
    meetings: list[dict] = []
    taking_part: dict = {kind: defaultdict(list) for kind in KINDS}
    for source in sorted(records):
        for record in records[source]:
            for kind, name, form, n in record["variants"]:
                variants[kind][name][form] += n
            roles += [({"key": name}, role) for name, role in record["roles"]]
            for meeting in record["meetings"]:
                for kind, name in {tuple(p) for p in meeting["participants"]}:
                    taking_part[kind][name].append(len(meetings))
                meetings.append({**meeting, "document": record["id"], "date": record["date"]})
    by_person = role_counts(roles)
    out: dict = {"meetings": meetings}
    for kind in KINDS:
        names = set(variants[kind]) | set(taking_part[kind]) | (set(by_person) if kind == PERSON else set())
        out[kind] = {name: {"key": entity_key(kind, name), "variants": [{"form": f, "count": c} for f, c in variants[kind][name].most_common()],
                            "roles": by_person.get(name, []) if kind == PERSON else [],
                            "meetings": taking_part[kind].get(name, [])} for name in sorted(names)}
    return out


def save_entity_store(generation: Path, records: Mapping[str, list[dict]]) -> None:
    """Write the records per source and their aggregation per entity into a generation (the
    records are read source by source: they may live on disk, search/index/spool.py; a source
    whose records come unchanged from the previous generation is copied as it was written)."""
    def dump(data):
        return lambda handle: handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    raw = getattr(records, "raw", None)

    def dump_by_source(handle):
        for source in records:
            line = raw(source) if raw is not None else None
            if line is None:
                line = (json.dumps(records[source], ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            handle.write(json.dumps(source, ensure_ascii=False).encode("utf-8") + b"\t" + line)

    aggregated = aggregate(records)
    store.replace_file(generation / DOCS_NAME, dump_by_source)
    (generation / OLD_DOCS_NAME).unlink(missing_ok=True)  # a link to the previous generation's, if any
    store.replace_file(generation / STORE_NAME, dump(aggregated), binary=False)
    keys = {kind: {name: entry["key"] for name, entry in aggregated[kind].items()} for kind in KINDS}
    store.replace_file(generation / KEYS_NAME, dump(keys), binary=False)


def load_entity_store(generation: Path) -> dict:
    """The aggregated entity store of a generation (empty when it was built without one)."""
    try:
        data = json.loads((generation / STORE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return {"meetings": data.get("meetings", []), **{kind: data.get(kind, {}) for kind in KINDS}}


def load_entity_keys(generation: Path) -> dict[str, dict[str, str]]:
    """{kind: {name: key}} of a generation ({} per kind when it has none)."""
    try:
        data = json.loads((generation / KEYS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return {kind: data.get(kind, {}) for kind in KINDS}
