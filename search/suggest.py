"""'Did you mean': words of the query that the archive does not know, replaced by close ones it does."""
from __future__ import annotations

import re

from .analysis import ANALYZERS, neutral_analyzer
from .schema import LANGUAGE_GROUPS

# Each lookup walks the spelling automaton (tens of ms): a query of a thousand unknown words must
# not hold a worker for a minute, so only the first few unknown words are corrected.
MAX_LOOKUPS = 8
MAX_WORD_CHARS = 40  # no word is longer; the automaton of a 10,000-letter one takes seconds
_WORD = re.compile(r"(?<![\w:~*?])(\w{3,})(?![\w:~*?])")
_ANALYZER = neutral_analyzer()
_STEMMERS = {group: ANALYZERS[group]() for group in LANGUAGE_GROUPS}


def _known(reader, word: str, token: str) -> bool:
    """True when the archive holds the word as written or any of its language forms."""
    if reader.doc_frequency("spell", token) > 0:
        return True
    for group, analyzer in _STEMMERS.items():
        for t in analyzer(word):
            if reader.doc_frequency(f"text_{group}", t.text) > 0:
                return True
    return False


def suggest_query(searcher, text: str, parsed) -> str | None:
    """The query with each unknown word replaced by the closest known one, or None."""
    if parsed.plain is False and any(ch in text for ch in ':"*?~[]{}'):
        return None  # structured queries are the researcher's own syntax: don't rewrite them
    reader = searcher.reader()
    corrector = searcher.corrector("spell")
    changed = False
    lookups = 0

    def replace(match):
        nonlocal changed, lookups
        word = match.group(1)
        if word.isdigit() or len(word) > MAX_WORD_CHARS or word.upper() in ("AND", "OR", "NOT"):
            return word
        tokens = [t.text for t in _ANALYZER(word)]
        if not tokens or lookups >= MAX_LOOKUPS or _known(reader, word, tokens[0]):
            return word
        lookups += 1
        found = corrector.suggest(tokens[0], limit=1, maxdist=2 if len(tokens[0]) > 5 else 1)
        if not found:
            return word
        changed = True
        return found[0]

    suggestion = _WORD.sub(replace, text)
    return suggestion if changed else None
