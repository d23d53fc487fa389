"""The researcher's configuration files in DOCS_DIR, checked before a reindex uses them.

aliases.toml, glossary.toml and curation.toml are written by hand. Each problem is reported as
one line naming the file, the line and what to fix (a ConfigError), never as a traceback.
"""
from __future__ import annotations

import re
from pathlib import Path

from search.resources import ConfigError, read_user_toml

ALIASES_FILE = "aliases.toml"
GLOSSARY_FILE = "glossary.toml"
CURATION_FILE = "curation.toml"
CONFIG_FILES = (ALIASES_FILE, GLOSSARY_FILE, CURATION_FILE)
_KEYS = {"person": ("name", "aliases"), "organisation": ("name", "acronyms", "aliases")}


def check_config_files(docs_dir: str | Path) -> None:
    """Raise ConfigError for the first problem in DOCS_DIR's configuration files; absent files are fine."""
    docs_dir = Path(docs_dir)
    if (docs_dir / ALIASES_FILE).is_file():
        read_aliases(docs_dir / ALIASES_FILE)
    if (docs_dir / GLOSSARY_FILE).is_file():
        check_glossary(docs_dir / GLOSSARY_FILE)
    if (docs_dir / CURATION_FILE).is_file():
        read_user_toml(docs_dir / CURATION_FILE)


def read_aliases(path: Path) -> dict:
    """A parsed aliases.toml whose entries have the right shape (raises ConfigError saying where not)."""
    from search.ingest.names import person_key

    data = read_user_toml(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    for section, value in data.items():
        if section not in _KEYS:
            _fail(path, lines, rf"^\s*\[*\s*{re.escape(section)}\b", f"unknown section {section!r}",
                  "use [[person]] or [[organisation]] entries")
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            _fail(path, lines, rf"^\s*{re.escape(section)}\b", f"{section} should be a list of [[{section}]] entries",
                  f"write each as a [[{section}]] table")
        for number, entry in enumerate(value):
            where = _entry_line(lines, section, number)
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                raise ConfigError(f"{path}, line {where}: this [[{section}]] needs a name; add name = \"...\".")
            for key, item in entry.items():
                if key not in _KEYS[section]:
                    _fail(path, lines, rf"^\s*{re.escape(key)}\s*=", f"unknown key {key!r} in [[{section}]] {name!r}",
                          f"use {', '.join(_KEYS[section])}", after=where)
                if key != "name" and not (isinstance(item, list) and all(isinstance(i, str) for i in item)):
                    _fail(path, lines, rf"^\s*{re.escape(key)}\s*=", f"{key} of {name!r} should be a list of strings",
                          f'write {key} = ["...", "..."]', after=where)
            if section == "person" and person_key(name.split()) is None:
                _fail(path, lines, r"^\s*name\s*=", f"person name {name!r} needs a given name and a surname",
                      "write the full name (a surname alone goes in aliases)", after=where)
    _check_cycles(path, lines, data)
    return data


def _check_cycles(path: Path, lines: list[str], data: dict) -> None:
    """Refuse aliases that lead from one entry's name back to it through other entries."""
    from search.ingest.knowledge import name_key

    for section in _KEYS:
        entries = data.get(section, [])
        names = {name_key(e["name"]): e["name"] for e in entries}
        leads: dict[str, set[str]] = {}
        for e in entries:
            own = name_key(e["name"])
            others = {name_key(a) for a in [*e.get("aliases", []), *e.get("acronyms", [])]} - {own}
            leads.setdefault(own, set()).update(others & set(names))
        done: set[str] = set()
        for start in sorted(leads):
            # Depth first, iteratively: a file of 20,000 entries must not exhaust the stack.
            trail, stack = [], [(start, iter(sorted(leads[start])))]
            on_trail = {start}
            trail.append(start)
            while stack:
                node, children = stack[-1]
                child = next(children, None)
                if child is None:
                    stack.pop()
                    done.add(trail.pop())
                    on_trail.discard(node)
                elif child in on_trail:
                    cycle = trail[trail.index(child):] + [child]
                    _fail(path, lines, rf"^\s*name\s*=\s*[\"']{re.escape(names[child])}[\"']",
                          f"aliases chain into a cycle ({' -> '.join(names[k] for k in cycle)})",
                          "keep one entry per entity and list its other names in its aliases only")
                elif child not in done:
                    trail.append(child)
                    on_trail.add(child)
                    stack.append((child, iter(sorted(leads.get(child, ())))))


def check_glossary(path: Path) -> dict:
    """A parsed glossary.toml of sections of "French" = "English" or ["...", "..."] lines."""
    data = read_user_toml(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    for section, entries in data.items():
        if not isinstance(entries, dict):
            _fail(path, lines, rf"^\s*\"?{re.escape(section)}\"?\s*=", f"{section!r} is not in a [section]",
                  "put entries under a [section] heading")
        for french, english in entries.items():
            if not (isinstance(english, str) or isinstance(english, list) and english
                    and all(isinstance(e, str) for e in english)):
                _fail(path, lines, rf"^\s*\"?{re.escape(french)}\"?\s*=", f"{french!r} maps to {english!r}",
                      'write "French" = "English" or "French" = ["English", "..."]')
    return data


def _entry_line(lines: list[str], section: str, number: int) -> int:
    """The line of the number-th [[section]] header (1 when the file does not use headers)."""
    headers = [i for i, line in enumerate(lines, 1) if re.match(rf"^\s*\[\[\s*{section}\s*\]\]", line)]
    return headers[number] if number < len(headers) else 1


def _fail(path: Path, lines: list[str], pattern: str, problem: str, fix: str, after: int = 1) -> None:
    """Raise the one-line error, pointing at the first line from `after` on that matches pattern."""
    line = next((i for i, text in enumerate(lines, 1) if i >= after and re.search(pattern, text)), after)
    raise ConfigError(f"{path}, line {line}: {problem}; {fix}.")
