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
from collections.abc import Mapping
from pathlib import Path

from search.index import store
from search.ingest.documents import Document
from search.ingest.meetings import find_meetings
from search.ingest.mentions import ORG, PERSON, entity_key, find_entity_mentions
from search.ingest.roles import find_roles, role_counts

DOCS_NAME = "entity_docs.json"  # records per source file, carried over by incremental reindexes
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


def load_entity_docs(generation: Path | None) -> dict[str, list[dict]]:
    """A generation's records per source file ({} when it has none)."""
    if generation is None:
        return {}
    try:
        return json.loads((generation / DOCS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


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
    records are read source by source: they may live on disk, search/index/spool.py)."""
    def dump(data):
        return lambda handle: handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def dump_by_source(handle):
        handle.write("{")
        for i, source in enumerate(records):
            handle.write(("," if i else "") + json.dumps(source, ensure_ascii=False) + ":"
                         + json.dumps(records[source], ensure_ascii=False, separators=(",", ":")))
        handle.write("}")

    aggregated = aggregate(records)
    store.replace_file(generation / DOCS_NAME, dump_by_source, binary=False)
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
