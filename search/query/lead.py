"""Where a document's reading starts: after the title when the text repeats it, and after the date
stamps and counters that pages leave before their first sentence ("January 13, 2021 0 Dr Salim…",
"2021-07 Le Caire, 1er juillet…"). Snippets, the stand-in title of an untitled document and the
document page start there."""
from __future__ import annotations

import re
from itertools import islice

from search.ingest.dates import is_date_line

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"\S+")
_STAMP = re.compile(r"(?:19|20)\d\d[-/.][01]?\d(?:[-/.][0-3]?\d)?[.,;:]?")  # 2021-07, 2021/07/01
_ALONE = re.compile(r"[^\S\n]*(?:\n|$)")  # nothing else on the token's line
_SEPARATOR = re.compile(r"[|•·/–—\-:]+")
MAX_DATE_TOKENS = 6  # "Tuesday, 13 January 2021 at 10:30": the longest date a head is tried for
HEAD_CHARS = 400  # the leading noise is short: only this much of a text is looked at


def title_end(text: str, title: str | None) -> int:
    """The offset just after the title when the text opens with it (word for word, any case), else 0."""
    wanted = [w.casefold() for w in _WORD.findall(title or "")]
    if not wanted:
        return 0
    matches = list(islice(_WORD.finditer(text), len(wanted)))
    if len(matches) < len(wanted) or any(m.group().casefold() != w for m, w in zip(matches, wanted)):
        return 0
    end = matches[-1].end()
    line_end = re.compile(r"[^\w\n]*(?:\n|$)").match(text, end)  # the title is a line of its own
    if line_end is None:
        return 0
    end = line_end.end()
    while end < len(text) and text[end].isspace():
        end += 1
    return end


def body_start(text: str, title: str | None = None) -> int:
    """The offset where the text's reading starts (see the module's docstring); the title's end
    (or 0) when nothing but stamps and counters follows it."""
    start = at = title_end(text, title)
    head = text[:at + HEAD_CHARS]
    while True:
        tokens = list(islice(_TOKEN.finditer(head, at), MAX_DATE_TOKENS))
        if not tokens:
            return start if at >= len(text) else at
        first = tokens[0].group()
        skip = None
        # A counter (comments, shares) stands alone on its line or between separators.
        counter = first.strip(".,;:").isdigit() and (_ALONE.match(head, tokens[0].end()) is not None or (
            len(tokens) > 1 and _SEPARATOR.fullmatch(tokens[1].group()) is not None))
        if _STAMP.fullmatch(first) or _SEPARATOR.fullmatch(first) or counter:
            skip = tokens[0].end()
        else:
            for count in range(len(tokens), 0, -1):
                if is_date_line(head[tokens[0].start():tokens[count - 1].end()]):
                    skip = tokens[count - 1].end()
                    break
        if skip is None:
            return at
        at = skip
        while at < len(head) and head[at].isspace():
            at += 1
