"""Reading one sentence for a meeting: its verb, its subject and the other party, by grammar."""
from __future__ import annotations

import re
from functools import lru_cache

from search.ingest.meeting_grammar import Grammar
from search.ingest.mentions import PERSON, Mention
from search.ingest.names import fold, name_rules

# How far a verb's `with` may stand from it: a date and a place for "met on 10 May in Paris with",
# more for the thing done in "signed a memorandum of understanding on ... with".
WITH_WORDS = 10
JOINT_WITH_WORDS = 14
# Adjectives before a role noun ("international expert Dr. X", "le Tchadien M. X").
FREE_WORDS = 2
_POSSESSIVE = re.compile(r"['’]s\b")
_POSSESSOR = re.compile(r"\w['’]s\b")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*|\d\w*")


class SentenceReader:
    """One sentence, its mentions, and the reading of its parties under one language's grammar."""

    def __init__(self, text: str, folded: str, start: int, end: int, mentions: list[Mention], previous):
        self.text, self.folded, self.start, self.end = text, folded, start, end
        self.named = mentions  # possessors too: "Weber's election" is no object
        self.mentions = [m for m in mentions if not _POSSESSIVE.match(text, m.end)]
        self.spans = [(m.start, m.end) for m in mentions]
        self.previous = previous

    def parties(self, g: Grammar) -> list[Mention]:
        """The parties of the sentence's first meeting under grammar g ([] when none)."""
        triggers = []
        for kind, pattern in (("passive", g.passive), ("transitive", g.transitive), ("with", g.with_verbs),
                              ("joint", g.joint), ("nominal", g.nominal)):
            triggers += [(m.start(), -m.end(), kind, m) for m in pattern.finditer(self.folded, self.start, self.end)
                         if not self._inside_mention(m.start())]
        for _start, _end, kind, match in sorted(triggers, key=lambda t: (t[0], t[1])):
            found = _unique(getattr(self, "_" + kind)(match, g))
            if len(found) >= 2:
                return found
        return []

    def _passive(self, match: re.Match, g: Grammar) -> list[Mention]:
        agent = self._after_word(g.by_word, match.end(), JOINT_WITH_WORDS, g)
        return self._subject(match.start(), g) + agent if agent else []

    def _transitive(self, match: re.Match, g: Grammar) -> list[Mention]:
        if self._is_noun(match.start(), g) or self._after_auxiliary(match.start(), g):
            return []
        form = " ".join(match.group().split())
        subject = self._subject(match.start(), g)
        other = self._object(match.end(), g, visit=form in g.visit)
        if other:
            return subject + other
        # With no object ("met with Y", "X and Y met on Monday"); an object that names no party
        # ("met the needs", "a rencontré des difficultés avec") leaves no meeting.
        if self._has_object(match.end(), g):
            return []
        other = self._after_word(g.with_word, match.end(), WITH_WORDS, g)
        if other:
            return subject + other
        return subject if form in g.reciprocal else []

    def _has_object(self, after: int, g: Grammar) -> bool:
        rest = self.text[after:self.end]
        if rest.lstrip().startswith(","):
            rest = rest[rest.index(",", rest.index(",") + 1) + 1:] if rest.count(",") >= 2 else ""
        words = _WORD.findall(rest)[:2]
        return bool(words) and fold(words[0]) in g.determiners and not (len(words) > 1 and words[1][0].isdigit())

    def _with(self, match: re.Match, g: Grammar) -> list[Mention]:
        if self._is_noun(match.start(), g):
            return []
        other = self._after_word(g.with_word, match.end(), WITH_WORDS, g)
        return self._subject(match.start(), g) + other if other else []

    def _joint(self, match: re.Match, g: Grammar) -> list[Mention]:
        if self._is_noun(match.start(), g) or self._after_auxiliary(match.start(), g):
            return []
        subject = self._subject(match.start(), g)
        other = self._after_word(g.with_word, match.end(), JOINT_WITH_WORDS, g, relation_ok=True)
        return subject + other if other else subject

    def _nominal(self, match: re.Match, g: Grammar) -> list[Mention]:
        following = g.between_word.match(self.text, match.end())
        return self._chain(following.end(), self.end, g, check_first=True) if following else []

    def _subject(self, verb: int, g: Grammar) -> list[Mention]:
        # The verb's own clause comes first ("X said that Y met Z"); a subject with a relative clause
        # before its verb ("X, who ..., met Z") is read from the start.
        start = self._clause_start(verb, g)
        last = start
        for end in g.clause_ends.finditer(self.text, start, verb):
            if not self._inside_mention(end.start()):
                last = end.end()
        parties = (last > start and self._chain(last, verb, g, check_first=True)) or self._chain(start, verb, g, check_first=True)
        # Only a pronoun that opens the clause right before its verb ("Il s'est également entretenu").
        region = self.folded[start:verb]
        if not parties and self.previous and g.pronouns.match(region) and len(_WORD.findall(region)) <= 4:
            return [self.previous]
        return parties

    def _clause_start(self, verb: int, g: Grammar) -> int:
        start = self.start
        # A headline's or dateline's separator starts the clause ("Karimov : Nous ...").
        for separator in re.finditer(r"\s[:–—-]\s", self.text[start:verb]):
            start = self.start + separator.end()
        first = _WORD.search(self.folded, start, verb)
        if first and first.group().rstrip(".") in g.openers:
            comma = self._top_level(",", start, verb)
            if comma is not None:
                start = comma + 1
        return start

    def _object(self, after: int, g: Grammar, visit: bool) -> list[Mention]:
        for mention in (m for m in self.named if after <= m.start and m.end <= self.end):
            gap = self.text[after:mention.start]
            insertion = gap.lstrip().startswith(",")
            if insertion and gap.count(",") < 2:
                continue  # inside an insertion after the verb (", le 2 juillet au siège de l'ICESCO,")
            if _possessed(self.text, mention) or not self._np_gap(gap, g, visit, insertion):
                return []
            following = _WORD.match(self.folded, mention.end + 1) if self.folded[mention.end:mention.end + 1] == " " else None
            if following and following.group().rstrip(".") in g.things:
                return []  # "received the UNESCO award": the name qualifies a thing
            return self._chain(mention.start, self.end, g)
        return []

    def _after_word(self, word: re.Pattern, after: int, limit: int, g: Grammar, relation_ok: bool = False) -> list[Mention]:
        # An insertion between commas may stand between the verb and its word (", en marge de ..., par").
        insertion = self.text[after:self.end].lstrip().startswith(",")
        end = self.end if insertion else self._clause_end(after, self.end, g)
        for found in word.finditer(self.text, after, end):
            start = after
            if insertion and "," in self.text[after:found.start()]:
                start = self.text.rindex(",", after, found.start()) + 1
            if self._clause_end(start, found.start(), g) < found.start():
                return []
            if len(_WORD.findall(self.text, start, found.start())) > limit:
                return []
            before = _WORD.findall(self.folded, after, found.start())
            if before and before[-1] in g.with_nouns and not relation_ok:
                return []  # "cooperation with X" names a partner, unless the act is signing it
            parties = self._chain(found.end(), self.end, g, check_first=True)
            if parties:
                return parties
        return []

    def _chain(self, start: int, end: int, g: Grammar, check_first: bool = False) -> list[Mention]:
        # Coordinated noun phrases ("X, Director of A, and Y"), up to the end of the clause: one party
        # each, its person rather than the organisation of its role.
        end = self._clause_end(start, end, g)
        joins = [m for m in g.coordinators.finditer(self.text, start, end) if not self._inside_mention(m.start())]
        bounds = [start] + [edge for m in joins for edge in (m.start(), m.end())] + [end]
        parties = []
        for i, (a, b) in enumerate(zip(bounds[::2], bounds[1::2])):
            mentions = self._mentions_in(a, b)
            if not mentions:
                continue
            if (i > 0 or check_first) and not self._np_gap(self.text[a:mentions[0].start], g, False, True):
                if i == 0:
                    return []
                break
            party = self._head(mentions, a, g)
            parties.append(party)
            # Another conjunct joins only after an apposition ("X, Director of A, and Y"), not after
            # words that go on with the clause ("with X ways to ... between A and B").
            tail = self.text[party.end:b].strip()
            if tail and tail[0] not in ",(" and not self._all_mentioned(party.end, b):
                break
        return parties

    def _head(self, mentions: list[Mention], start: int, g: Grammar) -> Mention:
        # The person a role phrase names ("le Directeur général de l'ICESCO, Salem Al-Malik",
        # "UNESCO chief Marie Dupont"), else the first name of the phrase.
        first = mentions[0]
        person = next((m for m in mentions if m.kind == PERSON), None)
        if first.kind == PERSON or person is None:
            return first
        before, between = self.text[start:first.start], self.text[first.end:person.start]
        roled = any(_bare(w) in _role_nouns() for w in _WORD.findall(before + " " + between))
        return person if roled and self._np_gap(between, g, False, True) else first

    def _all_mentioned(self, start: int, end: int) -> bool:
        # "(ICESCO)" after its long form is part of the name.
        rest = re.sub(r"[\s()]+", " ", self.text[start:end]).strip()
        return all(any(m.start >= start and self.text[m.start:m.end] == w for m in self.mentions) for w in rest.split())

    def _np_gap(self, gap: str, g: Grammar, visit: bool, insertion: bool) -> bool:
        # Between a verb (or "and") and a name only a noun phrase's opening may stand: determiners,
        # titles, role words and their capitalised complements, a few adjectives before a role, after
        # an insertion between commas. A name after "to" is where a role is held, not its holder.
        if insertion and "," in gap:
            gap = gap[gap.rindex(",") + 1:]
        if g.clause_ends.search(gap) or _POSSESSOR.search(gap):
            return False  # a possessive makes its noun the phrase's head ("Weber's election")
        allowed = g.np_words | (g.place_words if visit else frozenset())
        free, headed, posted = 0, False, False
        for word in _WORD.findall(gap):
            folded = fold(word).rstrip(".")
            if folded in g.post_words and not visit:
                posted = True  # "Delegate of Chad to UNESCO" unless a new title follows ("à Tunis Mme X")
                continue
            if posted and folded in g.roles:
                posted = False
            if word[0].isupper() or word[0].isdigit() or folded.split("'")[-1] in allowed or folded.split("'")[0] in allowed:
                headed = headed or folded in g.roles or folded in g.np_words and len(folded) > 4
                continue
            free += 1
        # A few free words ("international expert", "ministre marocain") need a role or group noun.
        return not posted and (free == 0 or free <= FREE_WORDS and headed)

    def _clause_end(self, start: int, end: int, g: Grammar) -> int:
        for match in g.clause_ends.finditer(self.text, start, end):
            if not self._inside_mention(match.start()):
                return match.start()
        return end

    def _top_level(self, char: str, start: int, end: int) -> int | None:
        position = self.text.find(char, start, end)
        while position != -1 and self._inside_mention(position):
            position = self.text.find(char, position + 1, end)
        return None if position == -1 else position

    def _mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if start <= m.start and m.end <= end]

    def _inside_mention(self, position: int) -> bool:
        return any(a <= position < b for a, b in self.spans)

    def _is_noun(self, position: int, g: Grammar) -> bool:
        before = _WORD.findall(self.folded, max(self.start, position - 12), position)
        return bool(before) and before[-1] in g.determiners or self.folded[position - 2:position] in ("l'", "d'")

    def _after_auxiliary(self, position: int, g: Grammar) -> bool:
        return bool(g.auxiliary_before.search(self.folded[max(self.start, position - 30):position]))


@lru_cache(maxsize=1)
def _role_nouns() -> frozenset[str]:
    # Role words proper ("Director", "ministre"), not titles ("Mr.", "Dr").
    return frozenset(w for role in name_rules().roles for w in role.split())


def _bare(word: str) -> str:
    return fold(word).rstrip(".").split("'")[-1]


def _possessed(text: str, mention: Mention) -> bool:
    return bool(_POSSESSIVE.match(text, mention.end))


def _unique(parties: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for party in parties:
        if (party.kind, party.name) not in seen:
            seen.add((party.kind, party.name))
            out.append(party)
    return out
