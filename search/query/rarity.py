"""Rarity: how much a clause of a query counts, from how many documents hold its words.

A word held by half the archive tells nothing about a document; a clause of rare words counts
fully. Spelling and transliteration variants are only searched for words rare in the archive.
"""
from __future__ import annotations

import math

from whoosh import query as Q
from whoosh.matching import NullMatcherClass, WrappingMatcher

# Variants are searched for words held by at most this share of the archive's documents.
VARIANTS_MAX_SHARE = 0.02
VARIANTS_MIN_DOCUMENTS = 2  # in a small archive, a word of one or two documents is rare all the same
# A word in half the archive or more tells nothing about a document (its BM25 idf is 0); its
# clauses keep this share of their weight so that it still breaks ties.
COMMON_WORD_FLOOR = 0.2
_TEXT_PREFIXES = ("text_", "title_")


def rarity(searcher, words) -> float:
    """How much a clause of these words should count: 1 for rare words, near 0 in half the archive.

    `words` holds, for each word, its (field, term) pairs. A word's documents are counted over the
    text of every language (its stems there) and in names, so a word split across French and English
    articles is seen as common as it is; Whoosh's own idf sees one field at a time and never falls
    below 1. The factor brings that idf to BM25's log((N - n + 0.5) / (n + 0.5)). A clause of several
    words (a phrase) is as rare as its rarest word.
    """
    top = searcher.get_parent() if hasattr(searcher, "get_parent") else searcher
    total = top.doc_count_all()
    best = 0.0
    for pairs in words:
        in_text = sum(top.doc_frequency(f, t) for f, t in pairs if f.startswith("text_"))
        in_titles = sum(top.doc_frequency(f, t) for f, t in pairs if f.startswith("title_"))
        in_names = max((top.doc_frequency(f, t) for f, t in pairs if not f.startswith(_TEXT_PREFIXES)), default=0)
        n = min(total, max(in_text, in_titles, in_names))
        bm25 = math.log((total - n + 0.5) / (n + 0.5))
        whoosh = math.log(total / (n + 1)) + 1
        best = max(best, bm25 / whoosh if whoosh > 0 else 0.0)
    return min(1.0, max(COMMON_WORD_FLOOR, best))


class Rare(Q.WrappingQuery):
    """A clause weighted by the rarity of the words it stands for (see `rarity`)."""

    def __init__(self, child, words):
        super().__init__(child)
        self.words = tuple(tuple(pairs) for pairs in words)

    def _rewrap(self, child):
        return self.__class__(child, self.words)

    def __str__(self):
        return f"rare({self.child})"

    def factor(self, searcher) -> float:
        """What the clause's scores are multiplied by."""
        return rarity(searcher, self.words)

    def matcher(self, searcher, context=None):
        m = self.child.matcher(searcher, context)
        if isinstance(m, NullMatcherClass):
            return m
        factor = self.factor(searcher)
        return m if factor == 1.0 else WrappingMatcher(m, boost=factor)


class Variants(Rare):
    """Spelling and transliteration variants of a word, searched only when the word itself is rare.

    A word that many documents hold is spelled as the archive spells it: its variants would add
    thousands of matches (and most of a query's time) for nothing.
    """

    def __init__(self, child, words, spelled: str):
        super().__init__(child, words)
        self.spelled = spelled

    def _rewrap(self, child):
        return self.__class__(child, self.words, self.spelled)

    def searched(self, searcher) -> bool:
        """False when the word is too common for its variants to be worth searching."""
        top = searcher.get_parent() if hasattr(searcher, "get_parent") else searcher
        held = top.doc_frequency("spell", self.spelled)
        return held <= max(VARIANTS_MIN_DOCUMENTS, VARIANTS_MAX_SHARE * top.doc_count_all())

    def matcher(self, searcher, context=None):
        if not self.searched(searcher):
            return NullMatcherClass()
        return super().matcher(searcher, context)
