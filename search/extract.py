"""From a file's bytes to finished documents: read, clean, detect language, title, date, entities."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .cleaning import clean_text, normalise_line
from .dates import extract_date
from .documents import Document, document_id
from .entities import extract_entities
from .formats import UnreadableFile, read_raw
from .language import detect_language
from .titles import extract_title

# A line is site chrome when it recurs on this share of the archive's files (and on at least
# COMMON_LINE_MIN_FILES of them); titles repeated by a few copies of one article stay.
COMMON_LINE_SHARE = 0.05
COMMON_LINE_MIN_FILES = 5
COMMON_LINE_MAX_WORDS = 40


@dataclass
class ExtractionContext:
    """What extraction knows about the whole archive, beyond one file."""

    common_lines: frozenset[str] = frozenset()
    extra: dict = field(default_factory=dict)  # researcher data (aliases, glossary) loaded by the indexer


def find_common_lines(texts: Iterable[str], total: int) -> frozenset[str]:
    """Lines (normalised, lowercased) that recur on many files: structural chrome of the sites."""
    counts: Counter[str] = Counter()
    for text in texts:
        lines = {normalise_line(line).lower() for line in text.split("\n")}
        counts.update(line for line in lines if line and len(line.split()) <= COMMON_LINE_MAX_WORDS)
    threshold = max(COMMON_LINE_MIN_FILES, int(total * COMMON_LINE_SHARE))
    return frozenset(line for line, n in counts.items() if n >= threshold)


def read_file_text(data: bytes, path: Path):
    """The raw text of a file (raises UnreadableFile with the reason)."""
    return read_raw(data, path)


def extract_documents(source: str, path: Path, data: bytes, context: ExtractionContext, digest: str) -> list[Document]:
    """The documents a file holds (raises UnreadableFile when it holds none)."""
    raw = read_raw(data, path)
    if not raw.text.strip():
        raise UnreadableFile("empty file (no text)")
    text = clean_text(raw.text, None, context.common_lines)
    if not text.strip():
        raise UnreadableFile("no article text left after removing site boilerplate")
    lang = raw.hints.get("lang") or detect_language(text)
    title = raw.hints.get("title") or extract_title(text)
    date = extract_date(text) or raw.hints.get("date")
    people, organisations = extract_entities(text, lang)
    doc = Document(
        id=document_id(source),
        source=source,
        title=title,
        lang=lang,
        date=date,
        year=int(date[:4]) if date else None,
        text=text,
        raw=raw.text,
        people=people,
        organisations=organisations,
        content_hash=digest,
    )
    return [doc]
