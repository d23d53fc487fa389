"""From a file's bytes to finished documents: read, clean, detect language, title, date, entities.

A listing page (several articles, each a headline over its own dated body) becomes one document
per article: the first keeps the file's id, the others get `<file-id>-2`, `-3`, ...
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from search.ingest.cleaning import clean_text, normalise_line
from search.ingest.dates import extract_date, find_dates, is_date_line
from search.ingest.documents import Document, document_id
from search.ingest.entities import credited_outlets, entity_search_terms, extract_entities
from search.ingest.formats import RawText, UnreadableFile, read_raw
from search.ingest.kinds import is_reference_page
from search.ingest.language import UNDETERMINED, detect_language
from search.ingest.titles import extract_title, looks_like_title

_WORD = re.compile(r"\w{3,}")

# A line is site chrome when it recurs on this share of the archive's files (and on at least
# COMMON_LINE_MIN_FILES of them); titles repeated by a few copies of one article stay.
COMMON_LINE_SHARE = 0.05
COMMON_LINE_MIN_FILES = 5
COMMON_LINE_MAX_WORDS = 40
# A masthead (a site's own name, a section's) is a short line among the first lines of at least two
# files, over lines that share fewer than this share of their words (different articles).
MASTHEAD_LINES = 3
MASTHEAD_FOLLOWING = 3
MASTHEAD_MAX_WORDS = 12
MASTHEAD_MAX_OVERLAP = 0.3
MASTHEAD_COMPARED = 8  # files compared per line: the comparison stays small on a big site
# An article of a listing: a headline, then a body of at least this many words in at least
# this many paragraphs, with a date of its own near its top. Subheadings of one article fail
# the date test (or the body test), so an ordinary article is never split.
ARTICLE_MIN_WORDS = 80
ARTICLE_MIN_PARAGRAPHS = 2
BODY_PARAGRAPH_WORDS = 25
# The article's own date stands in its first paragraphs.
ARTICLE_DATE_PARAGRAPHS = 3
# Between a headline and its body, at most one short line (a date, a byline) may stand.
BYLINE_MAX_WORDS = 8


@dataclass
class ExtractionContext:
    """What extraction knows about the whole archive, beyond one file."""

    common_lines: frozenset[str] = frozenset()
    extra: dict = field(default_factory=dict)  # "entities": the archive's entity Knowledge


def find_common_lines(texts: Iterable[str], total: int) -> frozenset[str]:
    """Lines (normalised, lowercased) that recur on many files, and the mastheads that open several
    files over different articles: structural chrome of the sites."""
    return common_from_counts(count_lines(texts), total)


class LineCounts(Counter):
    """On how many texts each short line appears, with what follows each line that opens a text
    (for mastheads): the counts of parts of an archive add up to the whole's (a cluster's workers
    count their files)."""

    def __init__(self, counts=None, tops=None):
        super().__init__(counts or {})
        self.tops: dict[str, list[tuple[str, ...]]] = defaultdict(list, tops or {})

    def update(self, other=None, **kwargs):
        """Add another part's counts and openings."""
        super().update(other, **kwargs)
        for line, following in getattr(other, "tops", {}).items():
            self.tops[line].extend(following)

    def __reduce__(self):
        return self.__class__, (dict(self), dict(self.tops))


def count_lines(texts: Iterable[str]) -> LineCounts:
    """On how many of the texts each short line appears, and the lines opening each text."""
    counts = LineCounts()
    for text in texts:
        lines = [normalise_line(line) for line in text.split("\n")]
        counts.update({line.lower() for line in lines if line and len(line.split()) <= COMMON_LINE_MAX_WORDS})
        head = [line for line in lines if line][:MASTHEAD_LINES + MASTHEAD_FOLLOWING]
        opening: dict[str, tuple[str, ...]] = {}
        for i, line in enumerate(head[:MASTHEAD_LINES]):
            if len(line.split()) <= MASTHEAD_MAX_WORDS:
                opening.setdefault(line.lower(), tuple(head[i + 1:i + 1 + MASTHEAD_FOLLOWING]))
        for line, following in opening.items():
            counts.tops[line].append(following)
    return counts


def common_from_counts(counts: LineCounts, total: int) -> frozenset[str]:
    """The lines counted on enough of `total` files to be chrome, and the mastheads."""
    threshold = max(COMMON_LINE_MIN_FILES, int(total * COMMON_LINE_SHARE))
    common = {line for line, n in counts.items() if n >= threshold}
    return frozenset(common | {line for line, following in counts.tops.items() if _masthead(line, following)})


def _masthead(line: str, following: list[tuple[str, ...]]) -> bool:
    """A line opening several files over different articles is the site's own name or a section's,
    never their headline; copies of one article (the same words under them) keep theirs."""
    if len(following) < 2 or is_date_line(line) or re.fullmatch(r"[\d\s/.:-]+", line):
        return False
    words = [set(_WORD.findall(" ".join(lines).lower())) for lines in following[:MASTHEAD_COMPARED]]
    return any(a and b and len(a & b) / len(a | b) < MASTHEAD_MAX_OVERLAP
               for i, a in enumerate(words) for b in words[i + 1:])


def read_file_text(data: bytes, path: Path):
    """The raw text of a file (raises UnreadableFile with the reason)."""
    return read_raw(data, path)


def extract_documents(source: str, path: Path, data: bytes | RawText, context: ExtractionContext,
                      digest: str) -> list[Document]:
    """The documents a file holds, from its bytes or what its reader made of them (raises
    UnreadableFile when it holds none)."""
    raw = data if isinstance(data, RawText) else read_raw(data, path)
    if not raw.text.strip():
        raise UnreadableFile("empty file (no text)")
    whole = _document(source, 1, raw.text, raw, context, digest)
    if whole is None:
        raise UnreadableFile("no article text left after removing site boilerplate")
    segments = split_listing(raw.text, context.common_lines)
    if len(segments) < 2:
        return [whole]
    parts = [_document(source, i, segment, raw, context, digest) for i, segment in enumerate(segments, 1)]
    if not _is_listing(whole, parts, segments):
        return [whole]
    for doc in parts:
        doc.parts = len(parts)
    return parts


def _document(source: str, part: int, text: str, raw: RawText, context: ExtractionContext, digest: str) -> Document | None:
    """One document from raw text (a whole file, or one article of a listing); None when no text."""
    cleaned = clean_text(text, None, context.common_lines)
    if not cleaned.strip():
        return None
    hints = raw.hints if part == 1 else {}
    lang = detect_language(cleaned)
    if lang == UNDETERMINED and hints.get("lang"):
        lang = hints["lang"]  # the file's declared language, when the text is too short to tell
    title = extract_title(cleaned)
    if title is None and hints.get("title") and looks_like_title(hints["title"]):
        title = hints["title"]  # a page or document title is evidence only when it reads as a headline
    # An encyclopedia entry's dates are history (a founding, a membership), not its publication.
    date = None if is_reference_page(text, cleaned, title) else extract_date(cleaned, title=title) or hints.get("date")
    knowledge = context.extra.get("entities")
    # "cheap": the steps that cannot stall (text, language, title, date) only, for a file whose
    # full extraction ran past its budget.
    if context.extra.get("cheap"):
        people, organisations = [], []
    else:
        people, organisations = extract_entities(cleaned, lang, knowledge)
        organisations = sorted(set(organisations) | set(credited_outlets(text, knowledge)))
    return Document(
        id=document_id(source, part),
        source=source,
        title=title,
        lang=lang,
        date=date,
        year=int(date[:4]) if date else None,
        text=cleaned,
        raw=text,
        people=people,
        organisations=organisations,
        content_hash=digest,
        part=part,
        person_terms=entity_search_terms(people, [], knowledge),
        org_terms=entity_search_terms([], organisations, knowledge),
    )


def split_listing(text: str, common_lines: frozenset[str] = frozenset()) -> list[str]:
    """The raw text cut before each article headline of a listing page; [text] for one article."""
    lines = text.split("\n")
    norm = [normalise_line(line) for line in lines]
    starts = [i for i in range(len(lines)) if _opens_article(norm, i, common_lines)]
    if len(starts) < 2:
        return [text]
    bounds = starts[1:] + [len(lines)]
    articles = [s for s, end in zip(starts, bounds) if _is_dated_article(norm[s:end])]
    if len(articles) < 2:
        return [text]
    cuts = [0] + articles[1:] + [len(lines)]
    return ["\n".join(lines[a:b]) for a, b in zip(cuts, cuts[1:])]


def _opens_article(norm: list[str], i: int, common_lines: frozenset[str]) -> bool:
    """A headline on its own (blank line or start above) with a body paragraph right under it."""
    line = norm[i]
    if not line or line.lower() in common_lines or not looks_like_title(line):
        return False
    if i > 0 and norm[i - 1]:
        return False
    following = [n for n in norm[i + 1:i + 12] if n][:2]
    if not following:
        return False
    if len(following[0].split()) >= BODY_PARAGRAPH_WORDS:
        return True
    return (
        len(following) == 2
        and len(following[0].split()) <= BYLINE_MAX_WORDS
        and len(following[1].split()) >= BODY_PARAGRAPH_WORDS
    )


def _is_dated_article(block: list[str]) -> bool:
    """A headline's block that reads as a whole article: a long enough body and its own date."""
    body = [n for n in block[1:] if n]
    long_paragraphs = [n for n in body if len(n.split()) >= BODY_PARAGRAPH_WORDS]
    words = sum(len(n.split()) for n in body)
    if len(long_paragraphs) < ARTICLE_MIN_PARAGRAPHS or words < ARTICLE_MIN_WORDS:
        return False
    head = "\n".join([block[0]] + body[:ARTICLE_DATE_PARAGRAPHS])
    return any(d.year >= 1950 for _pos, d in find_dates(head))


def _is_listing(whole: Document, parts: list[Document | None], segments: list[str]) -> bool:
    """Keep a split only when every article got its own headline and date, the first unchanged."""
    if any(doc is None for doc in parts):
        return False
    if parts[0].title != whole.title:
        return False
    for doc, segment in zip(parts[1:], segments[1:]):
        headline = next(normalise_line(line) for line in segment.split("\n") if line.strip())
        if doc.title != headline or doc.date is None:
            return False
    return True
