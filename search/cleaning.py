"""Remove site chrome (disclaimers, widgets, menus, teasers) so that the article text remains."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .resources import package_toml

_BULLET = re.compile(r"^\s*(?:[•·▪►*+\-–—]|\d{1,2}[.)])\s+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f]+")


@dataclass(frozen=True)
class ChromeRules:
    """Compiled boilerplate patterns for one language (plus the language-neutral ones)."""

    drop: re.Pattern
    end: re.Pattern | None


def _compile(patterns: Iterable[str]) -> re.Pattern | None:
    patterns = list(patterns)
    if not patterns:
        return None
    return re.compile(r"^(?:" + "|".join(f"(?:{p})" for p in patterns) + r")$", re.IGNORECASE)


@lru_cache(maxsize=8)
def chrome_rules(lang: str | None = None) -> ChromeRules:
    """The boilerplate rules for a language; None means every language's rules at once."""
    data = package_toml("boilerplate.toml")
    sections = ["any"] + ([lang] if lang else [k for k in data if k != "any"])
    drop, end = [], []
    for name in sections:
        section = data.get(name, {})
        drop += section.get("drop_lines", [])
        end += section.get("end_markers", [])
    return ChromeRules(drop=_compile(drop), end=_compile(end))


def normalise_line(line: str) -> str:
    """Collapse spaces, strip, NFC: the form in which lines are compared."""
    return unicodedata.normalize("NFC", _SPACES.sub(" ", line)).strip()


def clean_text(raw: str, lang: str | None = None, common_lines: frozenset[str] = frozenset()) -> str:
    """The article text of a page: chrome lines, menus and trailing teasers removed; paragraphs kept.

    common_lines holds lines (normalised, lowercased) seen on many pages of the archive: chrome.
    """
    rules = chrome_rules(lang)
    kept: list[str] = []
    lines = [normalise_line(line) for line in raw.split("\n")]
    lines = _drop_menus(lines)
    for line in lines:
        if not line:
            if kept and kept[-1]:
                kept.append("")
            continue
        if rules.end and kept and any(kept) and rules.end.match(line):
            break
        if rules.drop.match(line) or line.lower() in common_lines:
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _drop_menus(lines: list[str]) -> list[str]:
    """Remove runs of two or more short bullet lines (navigation menus, breadcrumbs)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _BULLET.match(lines[j]) and len(lines[j].split()) <= 12:
            j += 1
        if j - i >= 2 and _is_menu(lines[i:j]):
            i = j
            continue
        if j > i:
            out.extend(lines[i:j])
            i = j
            continue
        out.append(lines[i])
        i += 1
    return out


def _is_menu(run: list[str]) -> bool:
    # Short items with no sentence punctuation read as navigation; list items of prose end in , or ;
    items = [_BULLET.sub("", line) for line in run]
    return sum(1 for item in items if not re.search(r"[,;:]$", item)) >= len(items) * 0.8 and all(
        len(item.split()) <= 8 for item in items
    )


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a cleaned text."""
    return [line for line in text.split("\n") if line.strip()]
