"""The patterns that find organisation names and acronyms in running text, in linear time.

A regex finder restarts at every position of the text. Where a pattern may scan far before it
fails (a run of capitalised words with no head noun, a long word of capitals), those restarts
make it quadratic: a file naming "ICESCO" 20,000 times took a quarter of an hour. The finders
here give exactly the matches of `finditer`, but never scan the same stretch of text twice.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

HEADS_EN = ("Organization|Organisation|University|Commission|Committee|Council|Center|Centre|Agency|Foundation|"
            "Association|Institute|Bank|Federation|Union|Authority|Academy|School|Program|Programme|Fund|"
            "Corporation|Company|League|Ministry|Service|Park|Group|Network|Office")
HEADS_FR = ("Organisation|Commission|Comité|Conseil|Centre|Agence|Fondation|Association|Institut|Banque|"
            "Fédération|Union|Ligue|Université|université|Académie|École|Ecole|Groupe|Fonds|Autorité|ministère|Ministère|Bureau|Réseau")
SP = r"[ \t]+"
_UPPER = "A-ZÀ-Þ"
_CAP = rf"[{_UPPER}][\w’'&-]*"
_ROLES_EN = r"(?:Chairman|President|Director|Minister|Secretary|Head|Member|Ambassador|Dr|Mr|Ms|H\.E)\b"
# English names: capitalised words, a head noun, then "of/for/on" and up to six capitalised words.
_EN_ITEM = rf"{_CAP}{SP}(?:(?:and|&){SP})?"
_EN_HEAD_AND_TAIL = (
    rf"(?:{HEADS_EN})\b(?:{SP}(?:of|for|on){SP}(?:the{SP})?{_CAP}"
    rf"(?:(?:,{SP}(?:and|&){SP}|,{SP}|{SP}(?:(?:and|&|the|of|for|on){SP})*)(?!\w+ed\b|{_ROLES_EN}){_CAP}(?<![’']s)"
    rf"(?:{SP}d['’][A-ZÀ-Þ][\w-]*)?){{0,5}})?")  # "… of Côte d'Ivoire"
ENGLISH_NAME = re.compile(rf"(?:{_EN_ITEM})*{_EN_HEAD_AND_TAIL}")
_EN_HEAD_ONLY = re.compile(_EN_HEAD_AND_TAIL)
_EN_HEAD = re.compile(rf"(?:{HEADS_EN})\b")
_EN_UPPER = re.compile(rf"[{_UPPER}]")
# The words linked as ENGLISH_NAME's leading words are, read once (possessive: nothing to retry).
_EN_CHAIN = re.compile(rf"(?:[{_UPPER}][\w’'&-]*+[ \t]++(?:(?:and|&)[ \t]++)?)*+(?:[{_UPPER}][\w’'&-]*+)?")
# French names: a head noun, adjectives, then complements joined by de/pour/et ("Commission nationale
# marocaine pour l’éducation, les sciences et la culture"). Adjectives are told from verbs by ending.
ADJ = r"[a-zà-ÿ-]{2,}(?:eur|eure|al|ale|ales|aux|ien|ienne|ain|aine|ais|aise|ique|iques|el|elle|if|ive|ier|ière|aire|ois|oise|iste|ati|ente|abe|abes|ie|il|ile)"
FRENCH_NAME = re.compile(
    rf"\b(?P<head>{HEADS_FR})(?P<adj>(?:{SP}(?:{ADJ}\b|(?!(?:Mme|M|Dr|Pr|Mr|Son)\b)(?:[A-ZÀ-Þ][\w’'-]+|[IVX]+\b))){{0,3}})"
    rf"(?P<rest>(?:,?{SP}(?:et{SP})?(?:de{SP}la|de{SP}l['’]|pour{SP}la|pour{SP}l['’]|pour{SP}les|pour{SP}le|de|du|des|pour|la|les)[ \t]*"
    rf"(?!(?:{HEADS_FR}|Mme|M\.|Dr|Pr|Mr|Son|Directeur|Directrice|Président|Présidente|Secrétaire|Ministre|Conférence)\b)(?:[A-ZÀ-Þ][\w’'-]*(?:{SP}d['’][A-ZÀ-Þ][\w-]*)?|(?!dans\b|pendant\b|année|vingt|[a-zà-ÿ]+(?:er|ir|dre|tre|vre)\b)[a-zà-ÿ]{{4,}}(?:-[a-zà-ÿ]+)*)(?:{SP}(?:[A-ZÀ-Þ][\w’'-]*|{ADJ}\b))*)*)")
# A word of letters, digits and & that starts with a capital (an acronym when it holds two). One
# star, not two around the second capital: the two-star form backtracks quadratically on a long
# run of capitals followed by a letter outside A-Z ("AAAA…é"), and finds the same words.
_ACRONYM = re.compile(r"(?<![\w-])[A-Z][A-Za-z0-9&]*(?![\w-])")
_CAPITAL = re.compile(r"[A-Z]")


def find_english_names(text: str) -> Iterator[re.Match]:
    """The matches of ENGLISH_NAME.finditer(text), in time linear in the text's length."""
    # ENGLISH_NAME tried at a capital scans the capitalised words linked after it. When it fails
    # there, a later capital of those words can only start a bare head noun ("XUniversity"): a
    # longer name from it would be one from the failed capital too. So a failure marks the linked
    # words, and inside them only head nouns are tried.
    pos = failed_until = 0
    while pos < len(text):
        if pos < failed_until:
            head = _EN_HEAD.search(text, pos, failed_until)
            if head is None:
                pos = failed_until
                continue
            match = _EN_HEAD_ONLY.match(text, head.start())
        else:
            capital = _EN_UPPER.search(text, pos)
            if capital is None:
                return
            match = ENGLISH_NAME.match(text, capital.start())
            if match is None:
                failed_until = _EN_CHAIN.match(text, capital.start()).end()
                pos = capital.start() + 1
                continue
        yield match
        pos = match.end()


def find_french_names(text: str) -> Iterator[re.Match]:
    """The French organisation names of a text (a bare "Organisation pour la paix" is not one)."""
    return (m for m in FRENCH_NAME.finditer(text) if is_french_name(m))


def is_french_name(match: re.Match) -> bool:
    """True when a FRENCH_NAME match is a name, not a common noun."""
    # A bare "Organisation pour la paix" is a common noun; a name has an adjective and more, or a
    # capitalised complement ("Université de Kampala").
    adjectives, rest = match.group("adj").split(), match.group("rest")
    return (len(adjectives) >= 2 or bool(adjectives and rest) or bool(re.search(r"[ ’'][A-ZÀ-Þ]", rest))
            or any(a[0].isupper() for a in adjectives) or bool(re.search(rf"[a-zà-ÿ]{{4,}}{SP}{ADJ}$", rest)))


def find_acronyms(text: str, known: dict[str, str]) -> Iterator[re.Match]:
    """The words of the text that are known acronyms (two capitals at least, whole words)."""
    return (m for m in _ACRONYM.finditer(text) if m.group() in known and _CAPITAL.search(m.group(), 1))


class ContainedSpans:
    """Spans sorted by start, answering in log time whether one lies within a given span."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        # least_end[i]: the smallest end among the spans from the i-th on (by start).
        self.least_end = [b for _, b in spans] + [float("inf")]
        for i in range(len(spans) - 1, -1, -1):
            self.least_end[i] = min(self.least_end[i], self.least_end[i + 1])

    def holds_within(self, start: int, end: int) -> bool:
        """True when a span other than (start, end) itself lies within [start, end)."""
        # Such a span starts after start and ends by end, or starts at start and ends before end.
        after = self.least_end[bisect_left(self.starts, start + 1)]
        at_or_after = self.least_end[bisect_left(self.starts, start)]
        return after <= end or at_or_after < end
