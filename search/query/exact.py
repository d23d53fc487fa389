"""Quoted phrases matched exactly, and what the researcher is told about how a query was read.

A quoted phrase matches only the documents whose title or text holds its words in that order,
adjacent (`"..."~N`: up to N other words between two of them), compared as written: case, accents
and French elisions folded, nothing stemmed, no stop word dropped (the `exact_title` and
`exact_text` fields, search/index/schema.py). Matching is on those fields alone; the stemmed phrase
over the usual fields only adds to the score of documents that already match, so a phrase ranks as
before and never widens. Expansions (glossary, acronyms, variants) never see the quoted words: a
glossary translation of the whole phrase is offered as another search instead.
"""
from __future__ import annotations

import re

from whoosh import query as Q
from whoosh.qparser import PhrasePlugin

from search.index.analysis import exact_analyzer, stopwords

EXACT_FIELDS = {None: ("exact_title", "exact_text"), "title": ("exact_title",), "titre": ("exact_title",),
                "text": ("exact_text",), "texte": ("exact_text",)}
EXACT_BOOST = 0.1  # the exact fields' own score: the stemmed phrase keeps the ranking it had
QUOTED = re.compile(r'(?:(?<![\w:])[^\W\d]\w*:)?"([^"]*)"(?:~(\d+))?')  # with its field name, if any


class ExactPhrase(Q.AndMaybe):
    """Matches where `a` (the exact phrase) matches; `b` (the stemmed phrase) only adds to the score."""


class ExactPhraseNode(PhrasePlugin.PhraseNode):
    """A quoted phrase: exact on title and text, as written; on other fields, a plain phrase."""

    def __init__(self, text, textstartchar, between: int = 0):
        super().__init__(text, textstartchar, slop=between + 1)
        self.between = between

    def query(self, parser):
        name = self.fieldname
        scope = EXACT_FIELDS.get(name.lower() if name else None)
        if scope is None:
            return super().query(parser)  # org:"…", person:"…": a phrase of that field's analysis
        words = [t.text for t in _exact_tokens(self.text)]
        if not words:
            return Q.NullQuery
        if len(words) == 1:
            exact = [Q.Term(f, words[0], boost=EXACT_BOOST) for f in scope]
        else:
            exact = [Q.Phrase(f, words, slop=self.slop, boost=EXACT_BOOST) for f in scope]
        scored = [_stemmed_phrase(parser, f, self.text, self.slop, self.boost * parser.boosts.get(f, 1.0))
                  for f in parser.scoring_fields[name.lower() if name else None]]
        scored = [q for q in scored if q is not None]
        matching = exact[0] if len(exact) == 1 else Q.Or(exact)
        return ExactPhrase(matching, Q.Or(scored)) if scored else matching


def _stemmed_phrase(parser, fieldname: str, text: str, slop: int, boost: float) -> Q.Query | None:
    field = parser.schema[fieldname]
    words = [t.text for t in field.tokenize(text, mode="query")]
    if not words:
        return None
    if len(words) == 1:
        return Q.Term(fieldname, words[0], boost=boost)
    return Q.Phrase(fieldname, words, slop=slop, boost=boost)


class ExactPhrasePlugin(PhrasePlugin):
    """Quoted phrases as ExactPhraseNodes; `~N` counts the words allowed between two of them."""

    class ExactTagger(PhrasePlugin.PhraseTagger):
        def create(self, parser, match):
            between = match.group("slop")
            return ExactPhraseNode(match.group("text"), match.start("text"), int(between) if between else 0)

    def __init__(self):
        super().__init__(expr='"(?P<text>.*?)"(~(?P<slop>[0-9]+))?')

    def taggers(self, parser):
        return [(self.ExactTagger(self.expr), 0)]


_ANALYZER = None


def _exact_tokens(text: str):
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = exact_analyzer()
    return _ANALYZER(text, mode="query")


def quoted_phrases(text: str) -> list[str]:
    """The quoted phrases of a query, as typed."""
    return [m.group(1) for m in QUOTED.finditer(text) if m.group(1).strip()]


def without_phrases(text: str) -> str:
    """The query with its quoted phrases taken out: what expansions may widen."""
    return QUOTED.sub(" ", text)


def balance(text: str) -> tuple[str, list[str]]:
    """The query with an unclosed quote closed and unmatched brackets mended, and notices saying so."""
    notices = []
    if text.count('"') % 2:
        text += '"'
        opened = text[text[:-1].rindex('"'):]
        notices.append(f"A quote was not closed: {opened} was read as a phrase.")
    depth, kept = 0, []
    for ch in text:
        if ch == ")" and depth == 0 and not _in_quotes(kept):
            notices.append("A closing bracket had no opening one: it was ignored.")
            continue
        if not _in_quotes(kept):
            depth += (ch == "(") - (ch == ")")
        kept.append(ch)
    if depth > 0:
        notices.append("A bracket was not closed: it was closed at the end of the query.")
        kept.append(")" * depth)
    return "".join(kept), notices


def _in_quotes(chars: list[str]) -> bool:
    return chars.count('"') % 2 == 1


def stop_word_notices(text: str) -> list[str]:
    """A notice for each quoted phrase holding stop words: inside quotes they count, as written
    (an elided article, l' or d', is folded away like an accent and is not one of them)."""
    lists = stopwords()
    common = lists["fr"] | lists["en"]
    notices = []
    for phrase in quoted_phrases(text):
        words = [t.text for t in _exact_tokens(phrase)]
        found = [w for w in words if w in common]
        if found and len(found) < len(words):
            listed = ", ".join(f"«{w}»" for w in dict.fromkeys(found))
            notices.append(f'In "{phrase}", {listed} must appear as written: inside quotes every word counts.')
    return notices


def translations_of_phrases(text: str, expansion) -> list[str]:
    """Quoted searches for the glossary's translations of each whole quoted phrase."""
    offers = []
    for phrase in quoted_phrases(text):
        words = re.findall(r"\w+(?:['’]\w+)*", phrase)
        for _lang, translated, _size, covered in expansion.translations(words):
            if len(covered) == len(words) and translated.lower() != phrase.lower():
                offers.append(f'"{translated}"')
    return list(dict.fromkeys(offers))
