"""Remove site chrome (disclaimers, widgets, menus, teasers) so that the article text remains."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from search.ingest.dates import is_date_line
from search.resources import package_toml

_BULLET = re.compile(r"^\s*(?:[•·▪►*+\-–—]|\d{1,2}[.)])\s+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f]+")
_TRUNCATED = re.compile(r"(?:\.\.\.|…)\s*$")
_WORD = re.compile(r"[^\W\d_][\w’'-]*")
# Encyclopedias' reference marks glued to a word ("Tunis[1]", "[réf. nécessaire]"): not text.
_CITATION = re.compile(r"(?<=\S)\[(?:\d{1,3}|[a-z]|note \d{1,3}|réf\. nécessaire|citation needed)\]", re.I)

# A menu item is a few words; a breadcrumb's last item may be a long, truncated headline.
MENU_ITEM_MAX_WORDS = 8
# A paragraph of this many words is article body: teasers and the like are looked for after it.
BODY_PARAGRAPH_WORDS = 25
# A line repeated on one page (photo captions, a headline printed twice) is kept once when it
# has this many words; shorter lines ("Benefits", "Universities") may legitimately recur.
DUPLICATE_MIN_WORDS = 5
TEASER_MAX_WORDS = 20
# "Latest news" above the article is a menu heading; below some article text it ends the article.
END_MARKER_MIN_WORDS = 20


class _Alternatives:
    """Patterns tried in turn, so that each may use the same group names (one per language)."""

    def __init__(self, patterns: list[re.Pattern]):
        self.patterns = patterns

    def match(self, line: str):
        for pattern in self.patterns:
            found = pattern.match(line)
            if found:
                return found
        return None


@dataclass(frozen=True)
class ChromeRules:
    """Compiled boilerplate patterns for one language (plus the language-neutral ones)."""

    drop: re.Pattern
    end: re.Pattern | None
    stamp: _Alternatives | None
    title_footer: _Alternatives | None


def _compile(patterns: Iterable[str], whole_line: bool = True) -> re.Pattern | None:
    patterns = list(patterns)
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"^(?:{body})$" if whole_line else rf"^(?:{body})", re.IGNORECASE)


@lru_cache(maxsize=8)
def chrome_rules(lang: str | None = None) -> ChromeRules:
    """The boilerplate rules for a language; None means every language's rules at once."""
    data = package_toml("boilerplate.toml")
    sections = ["any"] + ([lang] if lang else [k for k in data if k != "any"])
    found: dict[str, list[str]] = {"drop_lines": [], "end_markers": [], "stamps": [], "title_footers": []}
    for name in sections:
        section = data.get(name, {})
        for key, patterns in found.items():
            patterns += section.get(key, [])
    # An encyclopedia's tagline and section edit links ("[modifier | modifier le code]") are chrome.
    found["drop_lines"] += package_toml("page_kinds.toml")["reference"]["chrome"]
    return ChromeRules(
        drop=_compile(found["drop_lines"]),
        end=_compile(found["end_markers"]),
        stamp=_compile_alternatives(found["stamps"], whole_line=False),
        title_footer=_compile_alternatives(found["title_footers"]),
    )


def _compile_alternatives(patterns: list[str], whole_line: bool = True) -> re.Pattern | None:
    """A pattern tried one alternative at a time, so each may use the same group name."""
    compiled = [_compile([p], whole_line) for p in patterns]
    return _Alternatives(compiled) if compiled else None


def normalise_line(line: str) -> str:
    """Collapse spaces, strip, NFC: the form in which lines are compared."""
    return unicodedata.normalize("NFC", _SPACES.sub(" ", line)).strip()


def clean_text(raw: str, lang: str | None = None, common_lines: frozenset[str] = frozenset()) -> str:
    """The article text of a page: chrome lines, menus and trailing teasers removed; paragraphs kept.

    common_lines holds lines (normalised, lowercased) seen on many pages of the archive: chrome.
    """
    rules = chrome_rules(lang)
    lines = [_CITATION.sub("", normalise_line(line)) for line in raw.split("\n")]
    lines = _split_stamps(lines, rules.stamp)
    lines = _drop_menus(lines, rules.drop)
    lines = _drop_header_date(lines)
    lines = _drop_teaser_pairs(lines)
    kept: list[str] = []
    seen: set[str] = set()
    footer_title = None
    body_paragraphs = 0
    kept_words = 0
    for line in lines:
        if not line:
            if kept and kept[-1]:
                kept.append("")
            continue
        if rules.title_footer and footer_title is None:
            found = rules.title_footer.match(line)
            if found:
                footer_title = found.group("title").strip()
        if kept_words >= END_MARKER_MIN_WORDS and rules.end and rules.end.match(line):
            break
        if body_paragraphs >= 2 and _is_teaser_headline(line):
            break
        if rules.drop.match(line) or line.lower() in common_lines:
            continue
        key = line.lower()
        if key in seen and len(line.split()) >= DUPLICATE_MIN_WORDS:
            continue
        seen.add(key)
        kept.append(line)
        kept_words += len(line.split())
        if len(line.split()) >= BODY_PARAGRAPH_WORDS:
            body_paragraphs += 1
    text = "\n".join(kept).strip()
    if footer_title and footer_title.lower() not in {p.lower() for p in paragraphs(text)[:5]}:
        # The feed dropped the headline but its footer still names it: put it back on top.
        text = f"{footer_title}\n\n{text}"
    return text


def _split_stamps(lines: list[str], stamp: _Alternatives | None) -> list[str]:
    """Put a crawler's or site's metadata stamp ("date 2023-11 Headline") on its own line."""
    if stamp is None:
        return lines
    out: list[str] = []
    for line in lines:
        found = stamp.match(line)
        if found:
            out.append(found.group("stamp"))
            rest = line[found.end():].strip()
            if rest:
                out.append(rest)
        else:
            out.append(line)
    return out


def _drop_header_date(lines: list[str]) -> list[str]:
    # A weekday and date alone on a page's first line is the site's "today" banner, not the
    # article's date (which comes under the headline); the crawl date would mislead extract_date.
    for i, line in enumerate(lines):
        if not line:
            continue
        if is_date_line(line, with_weekday=True):
            return lines[:i] + lines[i + 1:]
        return lines
    return lines


def _drop_teaser_pairs(lines: list[str]) -> list[str]:
    """Remove a headline followed by a cut-off excerpt ("... known for ..."): another article's teaser."""
    text_lines = [i for i, line in enumerate(lines) if line]
    drop: set[int] = set()
    for a, b in zip(text_lines, text_lines[1:]):
        head, excerpt = lines[a], lines[b]
        if (
            _TRUNCATED.search(excerpt)
            and not _BULLET.match(head)
            and not _BULLET.match(excerpt)
            and len(head.split()) >= 3
            and not re.search(r"[.!?:;,…]$", head)
        ):
            drop.update((a, b))
    return [line for i, line in enumerate(lines) if i not in drop]


def _drop_menus(lines: list[str], chrome: re.Pattern) -> list[str]:
    """Remove runs of bullet lines that read as navigation (menus, breadcrumbs)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _BULLET.match(lines[j]):
            j += 1
        if j - i >= 2 and _is_menu(lines[i:j], chrome):
            i = j
            continue
        if j > i:
            out.extend(lines[i:j])
            i = j
            continue
        out.append(lines[i])
        i += 1
    return out


def _is_menu(run: list[str], chrome: re.Pattern) -> bool:
    # Content lists ("• Universities", "• UNESCO Chairs") look like menus too; a run is navigation
    # only when it holds a known navigation item or ends in a truncated breadcrumb.
    items = [_BULLET.sub("", line).strip() for line in run]
    truncated = bool(_TRUNCATED.search(items[-1]))
    short = all(len(item.split()) <= MENU_ITEM_MAX_WORDS for item in (items[:-1] if truncated else items))
    navigation = any(chrome.match(item) for item in items)
    return short and (navigation or truncated)


def _is_teaser_headline(line: str) -> bool:
    """A headline in Title Case after the article's body: the start of another article's teaser."""
    # Sentences, list items and lines quoting titles or listing names ("Mr. X, Delegate of Y,")
    # are body text even when most of their words are capitalised.
    if re.search(r"[.!?:;,…\"”»]$", line) or _BULLET.match(line) or re.search(r"[,“”\"«]", line):
        return False
    if len(line.split()) > TEASER_MAX_WORDS:
        return False
    words = [w for w in _WORD.findall(line) if len(w) >= 4]
    if len(words) < 6:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised >= 0.8 * len(words)


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a cleaned text."""
    return [line for line in text.split("\n") if line.strip()]
