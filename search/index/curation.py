"""Editors' corrections to people and organisations, kept in DOCS_DIR/curation.toml.

The vocabulary of aliases.toml (`name`, `aliases`) plus an `action` and a `suppress`::

    [[person]]
    id = 1
    action = "merge"                  # the aliases become the name (its key stays)
    name = "Salim M. AlMalik"
    aliases = ["Salem AlMalik"]
    at = "2026-12-02T18:00:00Z"

    [[organisation]]
    id = 2
    action = "rename"                 # one value shown under another name (its key stays)
    name = "Ligue arabe"
    aliases = ["League of Arab States"]

    [[organisation]]
    id = 3
    action = "suppress"               # a false value: gone from facets, filters, pages and graph
    name = "Gulf Times"

Actions apply in the order of their ids, at query time over a generation's facet tables (so they
need no reindex and survive every later one); a reindex checks the file first and refuses a broken
one with one line naming the file, the line and the fix, while the previous index keeps serving.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from search.index import store

CURATION_FILE = "curation.toml"
ACTIONS = ("merge", "rename", "suppress")
SECTIONS = {"person": "person", "organisation": "org"}  # the file's table names → the API's kinds
HEADER = ("# Editors' corrections to people and organisations (README, \"Curation\"). Written by the site;\n"
          "# a hand edit is honoured at once and checked by the next reindex.\n")


class CurationError(ValueError):
    """curation.toml cannot be read: the message names the file, the line and the fix."""


@dataclass
class Action:
    """One editor's action on one kind of entity."""

    id: int
    action: str
    kind: str  # "person" or "org"
    name: str
    aliases: list[str] = field(default_factory=list)
    at: str = ""

    def as_dict(self, keys: list[str] | None = None) -> dict:
        """The action as the API lists it."""
        return {"id": self.id, "action": self.action, "kind": self.kind, "keys": keys or [],
                "name": self.name, "aliases": list(self.aliases), "at": self.at}


def now() -> str:
    """The time an action is taken, in UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_curation(path: Path) -> list[Action]:
    """The actions of a curation file in the order they apply ([] when there is no file)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise CurationError(f"{path}: cannot be read ({exc}); fix its permissions or save it as UTF-8.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CurationError(f"{path}: {exc}; fix the TOML syntax there (strings in \"quotes\", "
                            "one [[person]] or [[organisation]] table per action).") from None
    lines = _table_lines(text)
    actions, used = [], set()
    for section, kind in SECTIONS.items():
        entries = data.get(section, [])
        if not isinstance(entries, list):
            raise CurationError(f"{path}: '{section}' must be written [[{section}]], one table per action.")
        for n, entry in enumerate(entries):
            actions.append(_action(entry, kind, f"{path}, line {lines[section][n] if n < len(lines[section]) else '?'}"))
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise CurationError(f"{path}: unknown table {unknown[0]!r}; use [[person]] or [[organisation]].")
    next_id = max([a.id for a in actions if a.id > 0], default=0)
    for action in actions:  # an action written by hand without an id gets the next free one
        if action.id <= 0 or action.id in used:
            next_id += 1
            action.id = next_id
        used.add(action.id)
    return sorted(actions, key=lambda a: a.id)


def _table_lines(text: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {section: [] for section in SECTIONS}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"\s*\[\[\s*(\w+)\s*\]\]", line)
        if match and match.group(1) in out:
            out[match.group(1)].append(number)
    return out


def _action(entry: dict, kind: str, where: str) -> Action:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CurationError(f"{where}: each action needs a name = \"...\" (the value shown, or the one suppressed).")
    action = entry.get("action") or ("suppress" if entry.get("suppress") is True else "merge")
    if action not in ACTIONS:
        raise CurationError(f"{where}: action must be one of {', '.join(ACTIONS)}, not {action!r}.")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise CurationError(f"{where}: aliases must be a list of names in quotes, aliases = [\"...\"].")
    if action != "suppress" and not aliases:
        raise CurationError(f"{where}: a {action} needs aliases = [\"...\"], the values that become {name!r}.")
    ident = entry.get("id", 0)
    if not isinstance(ident, int):
        raise CurationError(f"{where}: id must be a whole number (or left out), not {ident!r}.")
    return Action(ident, action, kind, name.strip(), [a.strip() for a in aliases if a.strip()], str(entry.get("at", "")))


def write_curation(path: Path, actions: list[Action]) -> None:
    """Write the actions back (atomically), one table each, in the order they apply."""
    parts = [HEADER]
    for action in sorted(actions, key=lambda a: a.id):
        section = next(s for s, k in SECTIONS.items() if k == action.kind)
        lines = [f"[[{section}]]", f"id = {action.id}", f"action = {_string(action.action)}",
                 f"name = {_string(action.name)}"]
        if action.aliases:
            lines.append("aliases = [" + ", ".join(_string(a) for a in action.aliases) + "]")
        if action.at:
            lines.append(f"at = {_string(action.at)}")
        parts.append("\n".join(lines) + "\n")
    store.replace_file(Path(path), lambda handle: handle.write("\n".join(parts)), binary=False)


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def apply_actions(actions: list[Action], kind: str, names: list[str], key_of) -> tuple[dict, dict]:
    """What a kind's values become: ({original: shown name, or None when suppressed},
    {original: its key}); a merge gives the merged values the key of the value they join,
    a rename keeps the value's key."""
    shown = {name: name for name in names}
    keys = {name: key_of(name) for name in names}
    for action in actions:
        if action.kind != kind:
            continue
        if action.action == "suppress":
            for original, current in shown.items():
                if current == action.name:
                    shown[original] = None
            continue
        sources = set(action.aliases)
        target = next((keys[o] for o, current in shown.items() if current == action.name), key_of(action.name))
        for original, current in shown.items():
            if current in sources:
                shown[original] = action.name
                if action.action == "merge":
                    keys[original] = target
    return shown, keys
