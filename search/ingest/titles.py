"""The headline of an article: the first line that reads as a title, never chrome or a sentence."""
from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

from search.ingest.dates import find_dates, has_day_month, is_date_line
from search.ingest.entities import is_organisation_name
from search.ingest.folding import fold

# Full stop, colon and the like end a sentence; Arabic-script comma and full stop too (، ؛ ۔).
_SENTENCE_END = re.compile(r"[.!?;:…،؛۔]\s*$")
_TRUNCATED = re.compile(r"(?:\.\.\.|…)\s*$")
_QUOTED = re.compile(r"^[“\"«‘].*[”\"»’]$")
# A date printed after the headline on the same line ("Lancement officiel ... 16/03/2021").
# Possessive spaces tried only where a run of them starts: a line holding thousands of spaces that
# cleaning does not collapse (form feeds, U+2028) was otherwise searched in cubic time.
_TRAILING_DATE = re.compile(r"(?<!\s)\s++(?:[-–|/]\s*+)?(?:\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{4}-\d\d-\d\d)$")
# Flattened HTML can glue the headline to the lede: a closing quote or bracket, then a sentence.
_GLUED_LEDE = re.compile(r"(?<=[»”)])(?=[A-ZÀ-Ý])")
# Separators a page's title bar leaves at the edges of a headline ("Headline | |", "– Headline").
_EDGE_SEPARATORS = re.compile(r"^(?:[|•·–—-]\s*)+|(?:\s*[|•·–—-])+$")
# A press release's dateline opening the body: "JEDDAH, Saudi Arabia … —", "RABAT (MAP) -", "Tunis – ".
_DATELINE_OPENING = re.compile(
    r"^(?:[A-ZÀ-Þ]{3,}(?:[ -][A-ZÀ-Þ]{2,})*\s*[,(]|[A-ZÀ-Þ][\w'’-]+(?: [A-ZÀ-Þ][\w'’-]+)?,?\s*(?:\([^)]{1,20}\)\s*)?[–—:-]\s)")
# A headline that ends with a full stop is still one sentence, and not a long one.
MAX_SENTENCE_TITLE_WORDS = 30
# A body paragraph: at least this many words.
BODY_WORDS = 25
# From this many words, a title-like line naming a weekday is a lede sentence.
LEDE_MIN_WORDS = 15
WEEKDAY_LOCALES = ("fr", "en", "ar", "es", "de", "it", "pt")
MAX_TITLE_WORDS = 40
# Below a lede paragraph, only a short line is taken for the headline (else it is body text).
MAX_TITLE_WORDS_AFTER_LEDE = 20
# A dateline ("Bakou, 26 décembre, AZERTAC", "Rabat: 03/05/2018") is a few words around a date.
MAX_DATELINE_WORDS = 10


def looks_like_title(line: str) -> bool:
    """A headline: a few words to a long line, no final full stop, not a date, dateline or quote."""
    words = line.split()
    if not 3 <= len(words) <= MAX_TITLE_WORDS:
        return False
    if _SENTENCE_END.search(line) and not line.endswith("?"):
        return False
    if sum(ch.isalpha() for ch in line) < len(line) * 0.5:
        return False
    if _QUOTED.match(line):
        return False
    if len(words) <= MAX_DATELINE_WORDS and has_day_month(line):
        return False
    if find_dates(line) and len(words) <= 6:
        return False
    return True


def _candidates(text: str) -> list[str]:
    """The non-empty lines of a text, a headline glued to its lede split from it."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if lines:
        parts = _GLUED_LEDE.split(lines[0], maxsplit=1)
        if len(parts) == 2 and looks_like_title(parts[0]):
            lines[:1] = parts
    return [_EDGE_SEPARATORS.sub("", _TRAILING_DATE.sub("", line)) for line in lines]


@lru_cache(maxsize=1)
def _weekdays() -> frozenset[str]:
    """Weekday names in the languages of the archive's pages, accents folded."""
    names = set()
    for code in WEEKDAY_LOCALES:
        for width in ("wide", "abbreviated"):
            names.update(fold(n).rstrip(".") for n in Locale.parse(code).days["format"][width].values())
    return frozenset(n for n in names if len(n) >= 3)


def _lede_sentence(line: str) -> bool:
    """A long line naming a weekday ("… signed on Wednesday", "اليوم السبت") is the lede's first
    sentence: headlines leave the day of the week to the body."""
    words = line.split()
    return len(words) >= LEDE_MIN_WORDS and any(w.strip(".,،;:()") in _weekdays() for w in fold(line).split())


def _headline_with_full_stop(line: str, following: str) -> bool:
    """A one-sentence headline ending with a full stop, over a body that opens with a dateline."""
    words = line.split()
    return (3 <= len(words) <= MAX_SENTENCE_TITLE_WORDS and line.endswith(".") and not _TRUNCATED.search(line)
            and not re.search(r"[.!?;]\s", line[:-1]) and len(following.split()) >= BODY_WORDS
            and bool(_DATELINE_OPENING.match(following)))


def _dated_teaser(lines: list[str], i: int) -> bool:
    """A headline and its date over another headline and its date: the first is a teaser of
    another article (a "related" block), the second the article's."""
    window = lines[i + 1:i + 4]
    return (len(window) == 3 and is_date_line(window[0]) and looks_like_title(window[1])
            and is_date_line(window[2]))


def _masthead(lines: list[str], i: int) -> bool:
    """A line naming only an organisation (the site's own), over a headline and its body."""
    if i + 2 >= len(lines) or not looks_like_title(lines[i + 1]) or len(lines[i + 2].split()) < BODY_WORDS:
        return False
    return is_organisation_name(lines[i])


def extract_title(text: str, search_lines: int = 4) -> str | None:
    """The first title-like line among the first few lines of a cleaned text, else None."""
    lines = _candidates(text)
    skipped_lede = False
    i = 0
    while i < min(len(lines), search_lines + skipped_lede):
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if i == 0 and _headline_with_full_stop(line, following):
            return line
        if looks_like_title(line) and (_masthead(lines, i) or _lede_sentence(line)):
            i += 1
            continue
        if looks_like_title(line) and _dated_teaser(lines, i):
            i += 2
            continue
        if looks_like_title(line) and not (skipped_lede and len(line.split()) > MAX_TITLE_WORDS_AFTER_LEDE):
            if _TRUNCATED.search(following) and len(following.split()) <= MAX_TITLE_WORDS:
                i += 2  # a teaser (headline and cut-off excerpt) of another article
                continue
            return line
        if skipped_lede:
            break  # the headline stands right under the lede, or there is none
        if len(line.split()) > MAX_TITLE_WORDS:
            # A lede may stand above the headline; past one body paragraph, a title-like line
            # is a teaser or a subheading.
            if i == 0 and not skipped_lede:
                skipped_lede = True
                i += 1
                continue
            break
        i += 1
    return None
