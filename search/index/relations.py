"""Related documents: copies of one article (near-duplicates, containment) and translations.

Relations are recomputed at each reindex from the documents' signatures (search/ingest/signatures.py),
kept per generation in signatures.json. Separate write-ups of one story are found through sketch
hashes few documents hold (blocked on them, so the pairwise step stays small), translations
through rare anchors (blocked likewise). Relations go to relations.json: {id: [{"id",
"relation"}]} with relation one of "duplicate", "translation", "contains" (this document holds the
other's text) and "part-of" (its inverse).
"""
from __future__ import annotations

import json
import os
import pickle
from array import array
from collections import defaultdict
from collections.abc import Container, Iterable
from pathlib import Path

from search.index import store
from search.index.copies import find_copies
from search.index.translations import EvidenceInChild, translation_evidence, find_translations

# Signatures of every document: a base file, carried to the next generation by a hard link, and the
# changes since it (new signatures, sources gone). A reindex of a few files writes only the changes;
# once they reach COMPACT_SHARE of the archive, the base is written again.
SIGNATURES_NAME = "signatures.pickle"
SIGNATURES_DELTA_NAME = "signatures-delta.pickle"
OLD_SIGNATURES_NAME = "signatures.json"  # generations built before
COMPACT_SHARE = 0.2
# Up to this many documents the translations' evidence is gathered in a second forked process while
# the copies are found. Beyond it that process costs more than it saves: at 100,000 documents the
# two held 2.6 GB together against 1.5 GB for one, to finish 43 s instead of 48 s, beside a commit
# that takes longer anyway.
PARALLEL_MAX_DOCS = 50_000
RELATIONS_NAME = "relations.json"


def find_relations(signatures: Iterable[dict], parallel: bool = False) -> dict[str, list[dict]]:
    """Every relation between the documents of an archive, from their signatures.

    With `parallel`, the evidence of translations is gathered in a forked process while this one
    finds the copies (the two take about as long); the answer is the same.
    """
    sigs = {s["id"]: s for s in signatures}
    helper = EvidenceInChild(sigs) if parallel else None
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for a, b, relation in find_copies(sigs):
        if relation == "duplicate":
            found[a][b] = found[b][a] = "duplicate"
        else:  # a contains b
            found[a][b], found[b][a] = "contains", "part-of"
    copies = {doc: [{"id": other, "relation": "duplicate"} for other in links] for doc, links in found.items()}
    group = {doc: members[0] for doc, members in copy_groups(copies).items()}
    evidence = helper.result() if helper is not None else None
    for a, b in find_translations(sigs, group, evidence or translation_evidence(sigs)):
        found[a].setdefault(b, "translation")
        found[b].setdefault(a, "translation")
    return {doc: [{"id": other, "relation": rel} for other, rel in sorted(links.items())] for doc, links in sorted(found.items())}

def update_relations(generation: Path, base: Path | None, changed: dict[str, list[dict]], removed: Iterable[str]) -> dict:
    """Relations recomputed from base's signatures, less removed files, with changed files' new ones.

    changed maps each re-extracted file to its documents' signatures ([] when it has none left);
    base is None for a full rebuild. Writes the signatures and relations.json into generation,
    which holds hard links to base's files.
    """
    gone = set(removed) | set(changed)
    # Made compact as they are read: each file's signatures come from the spool with strings of
    # their own, and a full reindex of 100,000 documents held them all in 4.2 GB.
    compact = _compactor()
    fresh = {sig["id"]: compact(sig) for sigs in changed.values() for sig in sigs}
    if base is not None:
        base_signatures, delta, delta_gone = _read_signatures(base)
    else:
        base_signatures, delta, delta_gone = {}, {}, set()
    delta = {doc_id: sig for doc_id, sig in delta.items() if sig["source"] not in gone} | fresh
    delta_gone |= gone
    signatures = {doc_id: sig for doc_id, sig in base_signatures.items() if sig["source"] not in delta_gone} | delta
    parallel = (os.cpu_count() or 1) > 1 and len(signatures) <= PARALLEL_MAX_DOCS
    relations = find_relations(signatures.values(), parallel=parallel)
    if base is None or len(delta) + len(delta_gone) > COMPACT_SHARE * max(len(signatures), 1) \
            or not (generation / SIGNATURES_NAME).exists():
        _write_pickle(generation / SIGNATURES_NAME, _one_object_per_string(signatures, compact, fresh))
        delta, delta_gone = {}, set()
    _write_pickle(generation / SIGNATURES_DELTA_NAME, {"signatures": _one_object_per_string(delta, compact, fresh),
                                                       "gone": sorted(delta_gone)})
    _write_json(generation / RELATIONS_NAME, relations)
    return relations


def _one_object_per_string(signatures: dict[str, dict], compact=None, done: Container[str] = ()) -> dict[str, dict]:
    """The signatures with each string (a word, a name, a language) one object wherever it occurs,
    and each sketch an array of 64-bit numbers.

    Pickle then stores a string once, and loading gives one object whose hash is worked out once:
    at 100,000 documents the file shrinks by about 40 %, loads in 0.9 s instead of 5.8 s, and
    finding the relations takes a sixth less. A sketch's seventy numbers as an array take 8 bytes
    each instead of 40 as Python integers in a list: about 270 MB less at 100,000 documents.
    Changes the signatures in place. `compact` (a `_compactor`) may already have made the
    signatures of the ids in `done` compact: they are not walked again.
    """
    compact = compact or _compactor()
    for doc_id, sig in signatures.items():
        if doc_id not in done:
            compact(sig)
    return signatures


def _compactor():
    """A function that makes one signature compact in place (`_one_object_per_string`), each
    string one object across every signature it is given."""
    table: dict[str, str] = {}
    one = table.setdefault

    def compact(sig: dict) -> dict:
        for name, value in sig.items():
            if name == "sketch":
                sig[name] = value if type(value) is array else array("q", value)
            elif type(value) is list and value and type(value[0]) is str:
                sig[name] = list(map(one, value, value))
            elif type(value) is str:
                sig[name] = one(value, value)
        return sig

    return compact


def load_signatures(generation: Path) -> dict[str, dict]:
    """The signatures of a generation's documents ({} when it has none)."""
    base, delta, gone = _read_signatures(generation)
    return {doc_id: sig for doc_id, sig in base.items() if sig["source"] not in gone} | delta


def _read_signatures(generation: Path) -> tuple[dict[str, dict], dict[str, dict], set[str]]:
    """The base signatures, the signatures written since, and the sources whose base ones are gone."""
    try:
        with open(generation / SIGNATURES_NAME, "rb") as handle:
            base = pickle.load(handle)
    except FileNotFoundError:
        try:
            with open(generation / OLD_SIGNATURES_NAME, encoding="utf-8") as handle:
                return json.load(handle), {}, set()
        except FileNotFoundError:
            return {}, {}, set()
    try:
        with open(generation / SIGNATURES_DELTA_NAME, "rb") as handle:
            delta = pickle.load(handle)
    except FileNotFoundError:
        return base, {}, set()
    return base, delta["signatures"], set(delta["gone"])


def load_relations(generation: Path) -> dict[str, list[dict]]:
    """The relations stored in a generation ({} when it has none)."""
    try:
        with open(generation / RELATIONS_NAME, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}


def copy_groups(relations: dict[str, list[dict]]) -> dict[str, list[str]]:
    """Each document linked by "duplicate" mapped to its whole group of copies (itself included)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, links in relations.items():
        for link in links:
            if link["relation"] == "duplicate":
                parent[root(doc_id)] = root(link["id"])
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in parent:
        groups[root(doc_id)].append(doc_id)
    return {doc_id: sorted(groups[root(doc_id)]) for doc_id in parent}


def _write_json(path: Path, data) -> None:
    store.replace_file(path, lambda handle: handle.write(json.dumps(data, ensure_ascii=False)), binary=False)


def _write_pickle(path: Path, data) -> None:
    store.replace_file(path, lambda handle: pickle.dump(data, handle, protocol=5))
