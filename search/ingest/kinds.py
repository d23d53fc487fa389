"""The kind of a page, from general signals: an encyclopedia-style entry has no publication date.

An encyclopedia entry (a Wikipedia article, another wiki's, a directory's page on an organisation)
describes its subject: its dates are history (a founding, a membership), not the day it was
written. Its signals, in search/data/page_kinds.toml: the chrome only encyclopedias print (the
tagline, section edit links), an infobox (three short "Field value" lines such as "Type
Organisation"), and a definition that opens the body with the page's own title ("X is an
organisation…").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from search.ingest.folding import fold
from search.resources import package_toml

# Where an infobox or the definition stands: the top of the page.
HEAD_LINES = 60
INFOBOX_MIN_LINES = 3
INFOBOX_MAX_WORDS = 10
# The definition is in the first sentence: its verb within this many words of the start.
DEFINITION_WORDS = 40
# Of the title's content words (four letters or more), this share opens the body in a definition.
DEFINITION_TITLE_SHARE = 0.5


@dataclass(frozen=True)
class _Signals:
    chrome: re.Pattern
    field: re.Pattern
    definition: re.Pattern


@lru_cache(maxsize=1)
def _signals() -> _Signals:
    data = package_toml("page_kinds.toml")["reference"]
    fields = "|".join(sorted(data["infobox_fields"], key=len, reverse=True))
    # Matched over the head's lines joined, one pass each: a line is chrome as a whole.
    return _Signals(
        chrome=re.compile("^(?:" + "|".join(f"(?:{p})" for p in data["chrome"]) + ")$", re.I | re.M),
        field=re.compile(rf"^(?:{fields})[ \t]*:?[ \t]+[^\n]*\S[^\n]*$", re.I | re.M),
        definition=re.compile(data["definition"], re.I),
    )


def is_reference_page(raw: str, cleaned: str, title: str | None) -> bool:
    """True for an encyclopedia-style entry: its chrome, an infobox, or a definition under its title."""
    signals = _signals()
    head = "\n".join([line.strip() for line in raw.split("\n", HEAD_LINES * 3)[:HEAD_LINES * 3]
                      if line.strip()][:HEAD_LINES])
    if signals.chrome.search(head):
        return True
    fields = sum(1 for m in signals.field.finditer(head)
                 if len(m.group().split()) <= INFOBOX_MAX_WORDS and not m.group().endswith("."))
    if fields >= INFOBOX_MIN_LINES:
        return True
    return bool(title) and _opens_with_definition(cleaned, title)


def _opens_with_definition(cleaned: str, title: str) -> bool:
    """The first body paragraph names the title's subject, then defines it ("…, est une organisation")."""
    lines = [line for line in cleaned.split("\n") if line.strip()]
    body = next((line for line in lines if line.strip() != title.strip() and len(line.split()) >= 12), None)
    if body is None:
        return False
    opening = " ".join(body.split()[:DEFINITION_WORDS])
    sentence = re.split(r"(?<=[.!?])\s", opening, maxsplit=1)[0]
    verb = _signals().definition.search(sentence)
    if not verb:
        return False
    subject = set(re.findall(r"\w{4,}", fold(sentence[:verb.start()])))
    words = set(re.findall(r"\w{4,}", fold(title)))
    return bool(words) and len(words & subject) >= DEFINITION_TITLE_SHARE * len(words)
