"""A digest of what a Whoosh generation holds: each document's stored fields, each field's terms
with their postings (documents, frequencies, positions), the entity files and the relations. Two indexes built from the same folder have equal digests exactly when they hold the
same documents, fields, terms, entities and relations, whatever order the writer filed them in.

`python -m search.index.whoosh.digest INDEX_DIR [--out FILE]` prints (or writes) it as JSON; the
indexer's equivalence test (tests/index/test_index_digest.py) compares one against a kept copy.
The facet tables are left out: they are laid out by the writer's internal document numbers, and
they are derived from the stored fields, which are in.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from pathlib import Path

from whoosh import index as whoosh_index

from search.index import store
from search.index.entity_store import load_entity_docs
from search.index.schema import build_schema

# Files of a generation that carry extraction results; meta.json is left out (times, paths).
# The records per source are digested as one object, whichever way they are stored
# (search/index/entity_store.py), under their first file name.
JSON_FILES = ("entity_store.json", "entity_keys.json", "relations.json")


def _hash(value) -> str:
    """A short stable hash of a JSON-able value (sets and tuples as sorted lists)."""
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, default=_plain).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def _plain(value):
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        return value.hex()
    return repr(value)


def digest(generation: Path) -> dict:
    """{"documents": {id: hash of its stored fields}, "fields": {name: [terms, hash of postings]},
    "files": {name: hash}}."""
    ix = whoosh_index.open_dir(str(generation), schema=build_schema())
    try:
        with ix.reader() as reader:
            ids = {}
            documents = {}
            for docnum, stored in reader.iter_docs():
                ids[docnum] = stored["id"]
                documents[stored["id"]] = _hash(stored)
            fields: dict[str, list] = {}
            postings: dict[str, hashlib._Hash] = {}
            for fieldname, term in reader.all_terms():
                matcher = reader.postings(fieldname, term)
                entries = []
                while matcher.is_active():
                    entries.append((ids[matcher.id()], matcher.value()))
                    matcher.next()
                entries.sort()
                h = postings.setdefault(fieldname, hashlib.sha256())
                h.update(term + b"\0" + pickle.dumps(entries, protocol=4))
                fields.setdefault(fieldname, [0, ""])[0] += 1
            for fieldname, h in postings.items():
                fields[fieldname][1] = h.hexdigest()[:16]
    finally:
        ix.close()
    files = {}
    for name in JSON_FILES:
        path = generation / name
        if path.is_file():
            files[name] = _hash(json.loads(path.read_text(encoding="utf-8")))
    records = load_entity_docs(generation)
    if records:
        files["entity_docs.json"] = _hash(dict(records.items()))
    knowledge = generation / "entities.pickle"
    if knowledge.is_file():
        learned = pickle.loads(knowledge.read_bytes())
        files["entities.pickle"] = _hash({k: v for k, v in vars(learned).items() if not k.startswith("_")})
    return {"documents": documents, "fields": fields, "files": files}


def differences(expected: dict, found: dict, limit: int = 12) -> list[str]:
    """What differs between two digests, one line each (at most `limit` lines)."""
    lines = []
    for part in ("documents", "fields", "files"):
        a, b = expected.get(part, {}), found.get(part, {})
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                lines.append(f"{part}: {key}: expected {a.get(key, 'nothing')}, found {b.get(key, 'nothing')}")
    return lines[:limit] + ([f"... and {len(lines) - limit} more"] if len(lines) > limit else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index_dir")
    parser.add_argument("--out", help="write the digest to this file instead of printing it")
    args = parser.parse_args(argv)
    live = store.current_generation(args.index_dir)
    if live is None:
        print(f"{args.index_dir} holds no index.", file=sys.stderr)
        return 1
    text = json.dumps(digest(live), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
