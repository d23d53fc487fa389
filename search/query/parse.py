"""Parse what a researcher types into a Whoosh query over both languages' fields at once.

Unfielded words are searched in the French, English and neutral fields (each analysed its own way)
and in entity names; friendly field names (title:, org:, person:, year:, lang:, date:) map to the
real fields. A query the parser cannot read is searched as plain words.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from whoosh import qparser, query as Q
from whoosh.matching import NullMatcherClass, WrappingMatcher
from whoosh.query.compound import DefaultOr
from whoosh.qparser import syntax

from search.index.namekeys import lone_particles
from search.query.names import space_particles
from search.index.schema import LANGUAGE_GROUPS
from search.query.daterange import rewrite_dates
from search.query.exact import (ExactPhraseNode, ExactPhrasePlugin, balance, stop_word_notices, translations_of_phrases,
                                without_phrases)
from search.query.expansion import (Expansion, expansion_clauses, is_query_stop_word, package_expansion, query_language, rarity,
                                    split_elision)

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 256

TEXT_FIELDS = [f"text_{g}" for g in LANGUAGE_GROUPS]
TITLE_FIELDS = [f"title_{g}" for g in LANGUAGE_GROUPS]
DEFAULT_FIELDS = TITLE_FIELDS + TEXT_FIELDS + ["person_names", "org_names"]
FIELD_BOOSTS = {"person_names": 1.5, "org_names": 1.5}
# Coordination: the words' score times (share of the words a document holds) ** COORDINATION, so
# documents holding more of the words come first, however common the missing ones are.
COORDINATION = 1.0

# Friendly names a researcher types → the fields they stand for.
EXACT_SCOPES = ("title", "titre", "text", "texte")  # where a quoted phrase is matched word for word
FRIENDLY_FIELDS = {
    "title": TITLE_FIELDS,
    "titre": TITLE_FIELDS,
    "text": TEXT_FIELDS,
    "texte": TEXT_FIELDS,
    "org": ["org_names"],
    "organisation": ["org_names"],
    "organization": ["org_names"],
    "person": ["person_names"],
    "personne": ["person_names"],
    "people": ["person_names"],
    "year": ["year"],
    "annee": ["year"],
    "année": ["year"],
    "lang": ["lang"],
    "langue": ["lang"],
    "date": ["datenum"],
    "source": ["source"],
}

_FIELD_PREFIX = re.compile(r"(?<![\w:])([A-Za-zÀ-ÿ_]+):(?=\S)")


@dataclass
class ParsedQuery:
    """The Whoosh query plus what the researcher should be told about how it was read."""

    query: Q.Query
    text: str
    notices: list[str] = field(default_factory=list)
    plain: bool = False  # parsed as plain words after the syntax failed
    also: list[str] = field(default_factory=list)  # other searches to offer (a quoted phrase's translation)


class WordFields(Q.Or):
    """One word searched over several fields: kept whole, and weighted by the word's rarity."""

    def factor(self, searcher) -> float:
        """What the word's scores are multiplied by: its rarity over every field."""
        return rarity(searcher, [_safe_terms(self)])

    def matcher(self, searcher, context=None):
        m = super().matcher(searcher, context)
        if isinstance(m, NullMatcherClass):
            return m
        factor = self.factor(searcher)
        return m if factor == 1.0 else WrappingMatcher(m, boost=factor)


class WordFieldsGroup(syntax.OrGroup):
    qclass = WordFields


class FreeWords(Q.Or):
    """The free words of a query, OR-ed, scored by how many of them a document holds (coordination)."""

    coordination = COORDINATION

    def matcher(self, searcher, context=None):
        m = DefaultOr(self.subqueries, boost=self.boost).matcher(searcher, context)
        if len(self.subqueries) < 2 or isinstance(m, NullMatcherClass):
            return m
        words = {}
        for i, sub in enumerate(self.subqueries):
            for fieldname, text in _safe_terms(sub):
                if fieldname in searcher.schema:
                    words[(fieldname, searcher.schema[fieldname].to_bytes(text))] = i
        return CoordinationMatcher(m, words, len(self.subqueries), self.coordination)


class CoordinationMatcher(WrappingMatcher):
    """Scores times (words matched / words) ** power, a word being any of its fields' terms."""

    def __init__(self, child, words: dict, count: int, power: float):
        super().__init__(child)
        self.words, self.count, self.power = words, count, power

    def _replacement(self, newchild):
        return self.__class__(newchild, self.words, self.count, self.power)

    def score(self):
        child = self.child
        matched = {self.words.get(term) for term in child.matching_terms(child.id())}
        matched.discard(None)
        return child.score() * (max(1, len(matched)) / self.count) ** self.power


class FreeWordsGroup(syntax.OrGroup):
    qclass = FreeWords

    def __init__(self, nodes=None, **kwargs):
        kwargs.pop("scale", None)
        super().__init__(nodes=nodes, **kwargs)


class Expanded(Q.Or):
    """The words typed beside their optional expansions (a class of its own so they stay apart)."""


class FriendlyFieldsPlugin(qparser.Plugin):
    """Expand friendly and unfielded nodes into an OR over the real fields (like MultifieldPlugin)."""

    def __init__(self, default_fields, friendly, boosts):
        self.default_fields = default_fields
        self.friendly = friendly
        self.boosts = boosts

    def filters(self, parser):
        return [(self.expand, 110)]

    def expand(self, parser, group):
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.expand(parser, node)
            elif isinstance(node, ExactPhraseNode) and (node.fieldname or "").lower() in ("", *EXACT_SCOPES):
                node.fielded = node.fieldname is not None  # its own fields (search/query/exact.py)
            elif node.has_fieldname:
                name = node.fieldname
                fields = self.default_fields if name is None else self.friendly.get(name.lower())
                if fields is None:
                    continue
                fielded = name is not None
                if len(fields) == 1:
                    node.set_fieldname(fields[0], override=True)
                    node.fielded = fielded
                    continue
                copies = []
                for fname in fields:
                    newnode = copy.copy(node)
                    newnode.set_fieldname(fname, override=True)
                    newnode.set_boost(node.boost * self.boosts.get(fname, 1.0))
                    copies.append(newnode)
                group[i] = WordFieldsGroup(copies)
                group[i].fielded = fielded
        return group


class QueryStopWordsPlugin(qparser.Plugin):
    """Drop the stop words of the query's language from every field, French elided articles, and
    the particles of names (a lone "Al" or "bin" is in hundreds of documents, and no name).

    Each field's analyser only knows its own language's stop words: without this, the "de" of a
    French query searches English text and organisation names. A query with operators is left as
    written.
    """

    def filters(self, parser):
        return [(self.drop, 105)]

    def drop(self, parser, group):
        nodes = list(_syntax_nodes(group))
        if any(isinstance(n, syntax.Operator) for n in nodes):
            return group
        words = [n for n in nodes if isinstance(n, syntax.WordNode) and n.fieldname is None]
        lang = query_language([n.text for n in words])
        stops = [n for n in words if is_query_stop_word(n.text, lang)]
        stops += [words[i] for i in lone_particles([n.text for n in words]) if words[i] not in stops]
        if len(stops) == len(words):
            return group
        if lang != "en":
            for node in words:
                node.text = split_elision(node.text)[1]
        return _without(group, {id(n) for n in stops})


def _syntax_nodes(group):
    for node in group:
        yield node
        if isinstance(node, syntax.GroupNode):
            yield from _syntax_nodes(node)


def _without(group, dropped: set[int]):
    group.nodes = [_without(n, dropped) if isinstance(n, syntax.GroupNode) else n
                   for n in group.nodes if id(n) not in dropped]
    return group


class RequireFieldedPlugin(qparser.Plugin):
    """Make fielded clauses (org:AICTO year:2024) required; the free words stay OR-ed among themselves.

    Runs after the operators: a query with explicit AND/OR/NOT or +/- is left as written.
    """

    def __init__(self):
        self.split = False

    def filters(self, parser):
        return [(self.require, 700)]

    def require(self, parser, group):
        self.split = False
        if type(group) is not parser.group:
            return group
        fielded = [n for n in group if getattr(n, "fielded", False)]
        free = [n for n in group if not getattr(n, "fielded", False)]
        if not fielded:
            return group
        if not free:
            return syntax.AndGroup(fielded)
        self.split = True
        return syntax.AndGroup(fielded + [parser.group(free)])


def make_parser(schema, group=None) -> qparser.QueryParser:
    """A parser over the schema with friendly fields, fuzzy terms and date ranges."""
    group = group or FreeWordsGroup
    parser = qparser.QueryParser(None, schema, group=group)
    # Keep unknown names as fields so the friendly ones reach our plugin; truly unknown names were
    # turned into words before parsing.
    parser.replace_plugin(qparser.FieldsPlugin(remove_unknown=False))
    parser.remove_plugin_class(qparser.PhrasePlugin)
    parser.add_plugin(ExactPhrasePlugin())
    # What an exact phrase's stemmed copy is scored on, by scope (search/query/exact.py).
    parser.boosts = FIELD_BOOSTS
    parser.scoring_fields = {None: DEFAULT_FIELDS, "title": TITLE_FIELDS, "titre": TITLE_FIELDS,
                             "text": TEXT_FIELDS, "texte": TEXT_FIELDS}
    parser.add_plugin(QueryStopWordsPlugin())
    parser.add_plugin(FriendlyFieldsPlugin(DEFAULT_FIELDS, FRIENDLY_FIELDS, FIELD_BOOSTS))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(RequireFieldedPlugin())
    return parser


def _with_expansions(query: Q.Query, split: bool, clauses: list[Q.Query]) -> Q.Query:
    """The query with optional expansion clauses beside its free words (fielded clauses stay required)."""
    if not clauses:
        return query
    if split and isinstance(query, Q.And) and query.subqueries:
        *required, free = query.subqueries
        return Q.And([*required, Expanded([free, *clauses])])
    if isinstance(query, (Q.And, Q.Not, Q.AndNot)) or _has_exclusion(query):
        return query  # the researcher's own boolean structure: leave it exact
    if _is_fielded_only(query):
        return query
    return Expanded([query, *clauses])


def _prohibit_negations(query: Q.Query) -> Q.Query:
    """`a b NOT c` means a or b, but never c (as in Lucene), not `a OR b OR (anything but c)`."""
    if query.is_leaf():
        return query
    query = query.apply(_prohibit_negations)
    if isinstance(query, Q.Or):
        negated = [q for q in query.subqueries if isinstance(q, Q.Not)]
        kept = [q for q in query.subqueries if not isinstance(q, Q.Not)]
        if negated and kept:
            positive = copy.copy(query)
            positive.subqueries = kept
            if len(kept) == 1:
                positive = kept[0]
            return Q.AndNot(positive, Q.Or([q.query for q in negated]))
    return query


def _has_exclusion(query: Q.Query) -> bool:
    return any(isinstance(node, (Q.Not, Q.AndNot)) for node in _walk(query))


def _is_fielded_only(query: Q.Query) -> bool:
    fields = {f for f, _ in _safe_terms(query)}
    return bool(fields) and not fields & set(DEFAULT_FIELDS)


def _safe_terms(query: Q.Query):
    try:
        return list(query.iter_all_terms(phrases=True))
    except Exception:
        return []


def _walk(query: Q.Query):
    stack = [query]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children())


def _plain_words(text: str) -> str:
    words = re.findall(r"\w+(?:['’]\w+)*", text)
    return " ".join(words[:64])


def _unknown_fields(text: str) -> list[str]:
    return sorted({m.group(1) for m in _FIELD_PREFIX.finditer(text) if m.group(1).lower() not in FRIENDLY_FIELDS})


def parse_query(text: str, schema, expansion: Expansion | None = None) -> ParsedQuery:
    """Parse a researcher's query, expanded; on any syntax problem, fall back to its plain words."""
    notices: list[str] = []
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(f"The query was cut to its first {MAX_QUERY_CHARS} characters.")
    if not text or text in ("*", "*:*"):
        return ParsedQuery(Q.Every(), text)
    text, mended = balance(text)
    notices += mended + stop_word_notices(text)
    also = translations_of_phrases(text, expansion or package_expansion())
    widened = without_phrases(text)  # expansions never see quoted words
    unknown = _unknown_fields(text)
    if unknown:
        notices.append(
            "Unknown field(s) " + ", ".join(f"{u}:" for u in unknown) + " searched as words; fields are "
            + ", ".join(f"{k}:" for k in ("title", "org", "person", "year", "lang", "date", "source"))
            + "."
        )
        for name in unknown:
            text = re.sub(rf"(?<![\w:]){re.escape(name)}:", f"{name} ", text)
    text = space_particles(text)
    parser = make_parser(schema)
    try:
        parsed = parser.parse(rewrite_dates(text))
        if _too_complex(parsed):
            raise ValueError("too many clauses")
        if _has_unknown_field(parsed, schema):
            raise ValueError("a field the schema lacks")  # "10:30", "0:x": would fail at search time
        if parsed is Q.NullQuery:
            raise ValueError("empty")
        parsed = _prohibit_negations(parsed)
        split = parser.plugins and any(isinstance(p, RequireFieldedPlugin) and p.split for p in parser.plugins)
        expanded = _with_expansions(parsed, split, expansion_clauses(widened, expansion))
        return ParsedQuery(expanded, text, notices, also=also)
    except Exception:
        words = _plain_words(text)
        if not words:
            return ParsedQuery(Q.NullQuery, text, notices + ["The query has no searchable words."], plain=True)
        notices.append("The query syntax could not be read; it was searched as plain words.")
        plain_parser = make_parser(schema)
        plain_parser.remove_plugin_class(qparser.FuzzyTermPlugin)
        plain = _with_expansions(plain_parser.parse(words), False, expansion_clauses(words, expansion))
        return ParsedQuery(plain, text, notices, plain=True, also=also)


def _too_complex(q: Q.Query) -> bool:
    count = 0
    stack = [q]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_CLAUSES * 8:
            return True
        stack.extend(node.children())
    return False


def _has_unknown_field(q: Q.Query, schema) -> bool:
    stack = [q]
    while stack:
        node = stack.pop()
        name = getattr(node, "fieldname", None)
        if name is not None and name not in schema:
            return True
        stack.extend(node.children())
    return False
