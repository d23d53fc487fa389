"""Roles written beside a person's name ("X, Director-General of ICESCO", "le ministre de la Culture, X")."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

from search.ingest.knowledge import Knowledge
from search.ingest.mentions import ORG, PERSON, Mention, find_entity_mentions
from search.ingest.names import fold, name_rules
from search.resources import package_toml
from search.ingest.sentences import MAX_SENTENCE_CHARS, split_sentences

# A role phrase is short; past this many words it is a clause, not a role.
MAX_ROLE_WORDS = 16
# A role written before the name may run over this many comma-separated pieces
# ("le ministre des Affaires étrangères, de la coopération africaine et ..., Nasser Bourita").
MAX_PIECES = 3
_WORD = re.compile(r"[^\W\d_][\w'’.-]*|\d\w*")
_DETERMINERS = frozenset({"the", "a", "an", "le", "la", "les", "l", "un", "une", "his", "her", "son", "sa", "its"})
_LINKS = frozenset({"of", "for", "and", "at", "in", "to", "on", "de", "du", "des", "d", "et", "pour", "a", "au",
                    "aux", "en", "aupres", "charge", "chargee", "the", "la", "le", "les", "l"})
# Role words that only qualify a role ("former", "Deputy", "general"): a role needs a head noun too.
_MODIFIERS = frozenset({"former", "ancien", "ancienne", "first", "high", "haut", "grand", "general", "generale",
                        "senior", "executive", "executif", "permanent", "crown", "prime", "premier", "deputy",
                        "adjoint", "adjointe", "assistant", "chief", "chef", "acting", "vice"})
# Verbs that follow a subject's apposition: auxiliaries and reporting verbs of both languages.
_VERBS = frozenset({"is", "was", "are", "were", "has", "have", "had", "will", "said", "met", "held", "made",
                    "a", "ont", "est", "sont", "sera", "avait", "fut", "s", "se", "qui", "que", "who", "which"})
_TRAILING = re.compile(r"[\s,;:.(–—-]+$")


@lru_cache(maxsize=1)
def _role_words() -> tuple[frozenset[str], frozenset[str]]:
    """(all role words, head nouns among them), from honorifics.toml, one word each."""
    words = set()
    for role in package_toml("honorifics.toml")["roles"]:
        words.update(fold(role).split())
    return frozenset(words), frozenset(words - _MODIFIERS)


def find_roles(text: str, people: list[str], organisations: list[str],
               knowledge: Knowledge | None = None, mentions: list[Mention] | None = None) -> list[tuple[dict, str]]:
    """(person {"kind", "name", "key"}, role) for each role written beside a person's name, in text order
    (`mentions`: find_entity_mentions' answer for them, when the caller has it already)."""
    if mentions is None:
        mentions = find_entity_mentions(text, people, organisations, knowledge)
    found = []
    index = 0
    for start, end in split_sentences(text):
        inside = []
        while index < len(mentions) and mentions[index].start < end:
            if mentions[index].start >= start:
                inside.append(mentions[index])
            index += 1
        for mention in inside if end - start <= MAX_SENTENCE_CHARS else ():
            if mention.kind != PERSON:
                continue
            entity = {"kind": mention.kind, "name": mention.name, "key": mention.key}
            for role in _roles_after(text, mention, end, inside) + _roles_before(text, mention, start, inside):
                found.append((entity, role))
    return found


def role_counts(pairs: list[tuple[dict, str]]) -> dict[str, list[dict]]:
    """Per entity key, its roles with counts ([{"role", "count"}], most frequent first); variants
    that differ only in case, accents or hyphens count as one, shown in their most common form."""
    forms: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for entity, role in pairs:
        forms[entity["key"]][role_key(role)][role] += 1
    return {key: sorted(({"role": c.most_common(1)[0][0], "count": sum(c.values())} for c in by_role.values()),
                        key=lambda r: (-r["count"], r["role"]))
            for key, by_role in forms.items()}


@lru_cache(maxsize=65536)  # an archive's roles are a few thousand writings, met hundreds of thousands of times
def role_key(role: str) -> str:
    """The form in which two writings of one role compare equal."""
    return " ".join(re.findall(r"\w+", fold(role).replace("’", "'")))


def normalise_role(text: str) -> str:
    """A role as shown: one space between words, no leading article or trailing punctuation."""
    role = " ".join(text.replace("'", "’").split())
    role = _TRAILING.sub("", role)
    words = role.split(" ")
    while words and fold(words[0]).rstrip("’") in _DETERMINERS:
        words = words[1:]
    while words and fold(words[-1]) in _LINKS | _DETERMINERS:
        words = words[:-1]
    role = _TRAILING.sub("", " ".join(words))
    if role.lower().startswith(("l’", "d’")) and len(role) > 2:
        role = role[2:]
    return role


def _roles_after(text: str, mention: Mention, end: int, inside: list[Mention]) -> list[str]:
    # "X, Director-General of ICESCO, and ..." / "X (Director of ...)" / "X, ministre ..., président de ...".
    roles, position = [], mention.end
    while True:
        opener = re.match(r"\s*(?:,|\(|–|—)\s*", text[position:end])
        if not opener:
            return roles
        piece_start = position + opener.end()
        piece_end = _piece_end(text, piece_start, end, inside)
        role = _role_text(text, piece_start, piece_end, inside)
        if role is None:
            return roles
        roles.append(role)
        position = piece_end


def _roles_before(text: str, mention: Mention, start: int, inside: list[Mention]) -> list[str]:
    # Titles ("Dr", "H.E. Mr.") stand between a role and the name.
    titles = name_rules().titles
    position = mention.start
    while True:
        word = re.search(r"(\S+)\s*$", text[start:position])
        if not word or fold(word.group(1)).rstrip(".") not in titles:
            break
        position = start + word.start(1)
    before = text[start:position]
    if re.search(r",\s*$", before):
        return _role_before_comma(text, start, start + len(before.rstrip().rstrip(",")), inside)
    return _role_right_before(text, start, position, inside)


def _role_before_comma(text: str, start: int, end: int, inside: list[Mention]) -> list[str]:
    # Walk back over comma pieces until one holds a role with no verb after it ("le ministre des
    # Affaires étrangères, de la coopération ..., Nasser Bourita"). A role right after another
    # person's name is that person's apposition.
    cut = end
    for _ in range(MAX_PIECES):
        comma = _last_comma(text, start, cut, inside)
        piece_start = start if comma is None else comma + 1
        if comma is not None and any(m.kind == PERSON and text[m.end:comma + 1].strip() == "," for m in inside):
            return []
        words = [_bare(w) for w in _WORD.findall(text, piece_start, cut)]
        content = [w for w in words if w not in _DETERMINERS and w not in ("by", "par")]
        if content and content[0] in _role_words()[0]:
            if _before_verb(text, piece_start, end, inside) < end:
                return []
            role = _role_text(text, piece_start, end, inside)
            return [role] if role else []
        if not words or words[0] not in _LINKS or comma is None:
            return []
        cut = comma
    return []


def _bare(word: str) -> str:
    # "l’ex-directeur" and "sous-Secrétaire" are role words; "Dr." is "dr".
    word = fold(word).rstrip(".").split("’")[-1].split("'")[-1]
    prefix = re.match(r"(?:ex|sous|co|vice|pro|under)-(?=\w)", word)
    return word[prefix.end():] if prefix and word not in _role_words()[0] else word


def _role_right_before(text: str, start: int, end: int, inside: list[Mention]) -> list[str]:
    # "ICESCO Director-General Dr. X", "le ministre Anar Karimov", "Secretary General Hissein Taha":
    # role words right before the name, and the acronym of an organisation before them.
    words = list(re.finditer(r"\S+", text[start:end]))
    taken = []
    for word in reversed(words[-6:]):
        if _bare(word.group()).rstrip(",") in _role_words()[0] or taken and re.fullmatch(r"[A-Z][A-Z&-]+", word.group()):
            taken.insert(0, word)
            continue
        break
    if not taken:
        return []
    role = _role_text(text, start + taken[0].start(), start + taken[-1].end(), inside)
    return [role] if role else []


def _role_text(text: str, start: int, end: int, inside: list[Mention]) -> str | None:
    # A role opens with a role word (after an article or "former"), holds a head noun, names no
    # other person, stops before a verb, and is short; organisations in it get their canonical names.
    end = _before_verb(text, start, end, inside)
    words = [_bare(w) for w in _WORD.findall(text, start, end)]
    # An article, an agent's "by"/"par" or a possessor ("Malaysia's Minister") may open the phrase.
    opening = re.match(r"(?:\s*(?:[\w-]+['’]s|by|par|with|avec)\b)+", text[start:end], re.I)
    if opening:
        start += opening.end()
        words = [_bare(w) for w in _WORD.findall(text, start, end)]
    # An organisation may head its role ("ICESCO Director-General").
    check = start
    for mention in inside:
        if mention.kind == ORG and mention.start >= check and not text[check:mention.start].strip() and mention.end <= end:
            check = mention.end
    content = [w for w in (_bare(w) for w in _WORD.findall(text, check, end)) if w not in _DETERMINERS]
    all_roles, heads = _role_words()
    if not content or content[0] not in all_roles or not heads & set(content) or len(words) > MAX_ROLE_WORDS:
        return None
    # "the President of X and several leaders": a coordinator joins roles, not other people.
    raw = _WORD.findall(text, start, end)
    if any(_bare(a) in ("and", "et") and _bare(b) not in all_roles | _DETERMINERS | _LINKS and not b[:1].isupper()
           for a, b in zip(raw, raw[1:])):
        return None
    pieces, position = [], start
    for mention in inside:
        if position <= mention.start and mention.end <= end:
            if mention.kind == PERSON:
                return None
            pieces.append(text[position:mention.start])
            pieces.append(mention.name)
            position = mention.end
            # "Organization (ICESCO)" is written once.
            repeat = re.match(r"\s*\(\s*" + re.escape(mention.name) + r"\s*\)", text[position:end])
            position += repeat.end() if repeat else 0
    pieces.append(text[position:end])
    role = normalise_role("".join(pieces))
    role = re.sub(r"\b(of|for) the (?=[A-Z]{2,}\b)", r"\1 ", role)
    # An organisation written out then in brackets ("Organization (ISESCO)") is named once.
    role = re.sub(r"(\b[\w’&-]+)\s*\(\s*\1\s*\)?", r"\1", role)
    return role or None


def _before_verb(text: str, start: int, end: int, inside: list[Mention]) -> int:
    # Where the sentence's verb follows an apposition with no comma ("X, Director General ICESCO
    # signed", "X, Directeur général de l'ICESCO a reçu").
    for word in _WORD.finditer(text, start, end):
        if any(m.start <= word.start() < m.end for m in inside):
            continue
        folded = fold(word.group())
        # Compared as written: "a" (has) is a verb, "à" is not.
        if word.group().lower() in _VERBS or re.fullmatch(r"[a-z]{3,}(?:ed|ing)", folded) and folded not in _role_words()[0]:
            return word.start()
    return end


def _piece_end(text: str, start: int, end: int, inside: list[Mention]) -> int:
    # A piece ends at a comma, a bracket or a dash that is not inside an organisation's name.
    for match in re.finditer(r"[,;()–—]|\s-\s", text[start:end]):
        position = start + match.start()
        if not any(m.kind == ORG and m.start <= position < m.end for m in inside):
            return position
    return end


def _last_comma(text: str, start: int, end: int, inside: list[Mention]) -> int | None:
    position = text.rfind(",", start, end)
    while position != -1 and any(m.start <= position < m.end for m in inside):
        position = text.rfind(",", start, position)
    return None if position == -1 else position
