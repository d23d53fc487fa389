"""Person names: folding, transliteration keys, and finding people in running text."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from search.ingest.memo import remembered
from search.resources import package_toml

_UPPER = "".join(c for c in map(chr, range(0x41, 0x250)) if c.isupper() and c.isalpha())
_SPACE = "[ \u00a0]+"


def _fold_table() -> dict[int, str]:
    table = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFKD", chr(code))[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    table.update({ord(c): "'" for c in "’ʼ‘`´"})
    table.update({ord(c): "-" for c in "‐‑‒–—"})
    table[ord("İ")] = "I"
    return table


_FOLD = str.maketrans(_fold_table())


def fold(text: str) -> str:
    """Accent-, apostrophe-, dash- and case-folded text, one character for one (offsets stay valid)."""
    return text.translate(_FOLD).lower()


@lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    # Names repeat: a long report folds the same few words a hundred thousand times.
    return word.translate(_FOLD).lower()


@dataclass(frozen=True)
class NameRules:
    """Compiled name rules from honorifics.toml and name_particles.toml."""

    titles: frozenset[str]
    abbreviations: frozenset[str]
    roles: frozenset[str]
    particles: frozenset[str]
    articles: frozenset[str]
    surname_particles: dict
    not_names: frozenset[str]
    not_person_heads: frozenset[str]
    run: re.Pattern
    before: re.Pattern
    after: re.Pattern
    said: re.Pattern
    attributed: re.Pattern
    before_ends: tuple[str, ...]  # how text matched by `before` ends (before its spaces)


@lru_cache(maxsize=1)
def name_rules() -> NameRules:
    """The name rules, compiled once."""
    hon, parts = package_toml("honorifics.toml"), package_toml("name_particles.toml")
    titles = frozenset(fold(t).rstrip(".") for t in hon["titles"])
    roles = frozenset(fold(r) for r in hon["roles"])
    particles = sorted(parts["particles"], key=len, reverse=True)
    dotted = "|".join(re.escape(t) for t in sorted(hon["titles"], key=len, reverse=True) if len(t) > 1)
    word = rf"[{_UPPER}](?:['’][{_UPPER}a-z])?[^\W\d_]*(?:[-‑'’][^\W\d_]+)*"
    token = rf"(?:(?:{dotted})\.|[{_UPPER}]\.(?:[{_UPPER}]\.)?|(?:al|el)[-‑]{word}|{word})"
    particle = "|".join(re.escape(p) for p in particles if not p.endswith("-"))
    run = rf"(?<![\w’'.-]){token}(?:{_SPACE}(?:(?:{particle}){_SPACE})*{token})*"
    role_words = "|".join(re.escape(r) for r in sorted(roles, key=len, reverse=True))
    lower_titles = "|".join(re.escape(fold(t)) for t in hon["lowercase_titles"])
    # Matched on folded text: a role right before the name ("le ministre X") or a role then a
    # short complement and a comma ("le ministre des Affaires étrangères, X").
    before = rf"(?:\b(?:{lower_titles}|{role_words})\s+|\b(?:{role_words})\b[^.;:()\n]{{0,60}},\s+)$"
    after = rf"\s*(?:,|\()\s*(?:[^\s,.;:()]+\s+){{0,4}}?(?:{role_words})\b"
    verbs = "|".join(re.escape(fold(v)) for v in sorted(hon.get("speech_verbs", []), key=len, reverse=True))
    sources = "|".join(re.escape(fold(a)) for a in sorted(hon.get("attributions", []), key=len, reverse=True))
    # Speech and attribution mark a name only when nothing else does (see find_mentions).
    said = rf"(?:\s*,)?\s+(?:{verbs})\b" if verbs else r"(?!)"
    attributed = rf"\b(?:{sources})\s+$" if sources else r"(?!)"
    return NameRules(
        titles=titles,
        abbreviations=frozenset(fold(t) for t in hon["abbreviations"]),
        roles=roles,
        particles=frozenset(fold(p) for p in particles),
        articles=frozenset(parts["article_prefixes"]),
        surname_particles={fold(k): v for k, v in parts["surname_particles"].items()},
        not_names=frozenset(fold(w) for w in parts["not_names"]["words"]),
        not_person_heads=frozenset(fold(w) for w in hon.get("not_person_heads", [])),
        run=re.compile(run),
        before=re.compile(before),
        after=re.compile(after),
        said=re.compile(said),
        attributed=re.compile(attributed),
        before_ends=(",", *(fold(t) for t in hon["lowercase_titles"]), *roles),
    )


@lru_cache(maxsize=1 << 16)
def skeleton(word: str) -> str:
    """A transliteration key for one name word: no article, vowels or doubled letters (Amor = Omar)."""
    w = re.sub(r"[^a-z]", "", fold(word))
    if len(w) > 4 and w[:2] in ("al", "el"):
        w = w[2:]
    w = w.replace("ph", "f").replace("q", "k").replace("ck", "k")
    key = re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouy]", "", w))
    return key or w


def _is_initial(word: str) -> bool:
    return len(word.rstrip(".")) == 1


def content_words(words: list[str]) -> list[str]:
    """The words of a name that carry it: no particles, articles or initials."""
    rules = name_rules()
    return [w for w in words if not _is_edge(w, rules)]


def person_key(words: list[str]) -> str | None:
    """Key shared by a full name's variants: given name + surname (with its ben/ould), transliterated."""
    content = content_words(words)
    if len(content) < 2:
        return None
    last = skeleton(content[-1])
    before_last = fold(words[words.index(content[-1]) - 1]) if words.index(content[-1]) else ""
    prefix = name_rules().surname_particles.get(before_last, "")
    return f"{skeleton(content[0])}|{prefix}{last}"


def surname_of(key: str) -> str:
    """The surname part of a person key."""
    return key.split("|", 1)[1]


def display_form(words: list[str]) -> str:
    """How a name is shown: words as written, except SHOUTED words put in title case."""
    shown = []
    for w in words:
        if len(w) > 2 and w.isupper() and not re.fullmatch(r"[IVXL]+", w):
            w = "-".join(p.capitalize() for p in w.split("-"))
        shown.append(w)
    return " ".join(shown)


def completeness(form: str) -> int:
    """How much of a name a form gives (words and initials, not particles)."""
    rules = name_rules()
    return sum(1 for w in form.split() if fold(w) not in rules.particles)


def choose_canonical(forms: Counter) -> str:
    """The most complete of the common forms of one name (frequency, then length, breaks ties)."""
    top = max(forms.values())
    common = [f for f, n in forms.items() if n * 2 >= top]
    return max(common, key=lambda f: (completeness(f), forms[f], f))


def name_variants(name: str) -> list[str]:
    """Forms a query may use for a person: the name, its words, and surnames without the article."""
    words = name.split()
    variants = [name, " ".join(w.replace("-", "") for w in words)]
    variants += [w for w in words if len(w) > 2 and fold(w) not in name_rules().particles]
    variants += [re.sub(r"^(?:al|el)-?", "", fold(w)) for w in words if re.match(r"(?i)(?:al|el)-?\w{3}", w)]
    return variants


def acronym_start(acronym: str, text: str) -> int | None:
    """Where the long form of an acronym starts at the end of text (Schwartz & Hearst), or None."""
    s, i = len(acronym) - 1, len(text) - 1
    while s >= 0 and i >= 0:
        c = acronym[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        # Letters match right to left; the first one must start a word.
        while i >= 0 and (text[i].lower() != c or (s == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        s, i = s - 1, i - 1
    if s >= 0 or i < -1:
        return None
    return text.rfind(" ", 0, i + 2) + 1


@dataclass
class Mention:
    """A capitalised name in a text: its words (titles removed) and whether context marks a person."""

    words: list[str]
    triggered: bool
    weak: bool = False  # marked only by a verb of speech or an attribution


_ELIDED = re.compile(r"(?:l|d|qu|j|s|n)'(?![a-z]{4})")


def _valid(word: str, rules: NameRules) -> bool:
    folded = _fold_word(word).rstrip(".")
    if folded in rules.particles or _is_initial(word):
        return True
    return folded not in rules.not_names and not _ELIDED.match(folded)


def _segments(words: list[str], rules: NameRules) -> list[list[str]]:
    segments, current = [], []
    for w in words:
        if _valid(w, rules):
            current.append(w)
        else:
            segments.append(current)
            current = []
    segments.append(current)
    out = []
    for seg in segments:
        # Trimmed by index, not by slicing one word at a time: a run of 100,000 initials stays linear.
        first, last = 0, len(seg)
        while first < last and _is_edge(seg[first], rules):
            first += 1
        while last > first and _is_edge(seg[last - 1], rules):
            last -= 1
        if first < last:
            out.append(seg[first:last])
    return out


def _is_edge(word: str, rules: NameRules) -> bool:
    """A word that may sit inside a name but neither starts nor ends one: a particle or an initial."""
    return _fold_word(word) in rules.particles or _is_initial(word)


def find_mentions(text: str, folded: str | None = None) -> list[Mention]:
    """Capitalised name sequences of a text, marked when a title, a role or an apposition names a
    person (`folded`: fold(text), when the caller has it; do not modify what is returned)."""
    return remembered(("mentions", text), lambda: _find_mentions(text, folded))


def _find_mentions(text: str, folded: str | None) -> list[Mention]:
    rules = name_rules()
    folded = folded if folded is not None else fold(text)
    mentions = []
    for match in rules.run.finditer(text):
        words = match.group().split()
        triggered = weak = False
        cut = 0
        content_after = None
        for i, w in enumerate(words):
            f = _fold_word(w).rstrip(".")
            if f in rules.roles:
                triggered, cut = True, i + 1
            elif f in rules.titles:
                # "Dr" never sits inside a name; "Cheikh" may, and a one-letter title ("M.") is also
                # a middle initial: those count at the start, after a word that is no name, or
                # before a full name.
                if content_after is None:
                    content_after = _content_after(words, rules)
                after_non_name = i > 0 and (words[i - 1].isupper() or _fold_word(words[i - 1]).rstrip(".") in rules.not_names)
                if i == cut or f in rules.abbreviations or after_non_name or content_after[i] >= 2:
                    triggered, cut = True, i + 1
        words = [w.rstrip(".") if len(w.rstrip(".")) > 1 and _fold_word(w).rstrip(".") not in rules.titles else w
                 for w in words[cut:]]
        start, end = match.start(), match.end()
        if _names_a_thing(words, text, end, rules):
            continue  # "Ahmad Jaam’s Mausoleum", "King Abdullah Economic City": a place or a body
        if not triggered and cut == 0:
            triggered = _role_before(folded, start, rules) or bool(rules.after.match(folded, end, end + 60))
        segs = _segments(words, rules)
        if not triggered and segs and len(content_words(segs[-1])) >= 2 and not any(w.isupper() for w in segs[-1]):
            # The subject of a verb of speech, or the source of a quote ("Selon X", where the
            # sentence's capital joins "Selon" to the name), is a person.
            seg_start = start + match.group().rfind(segs[-1][0])
            weak = triggered = len(segs) == 1 and bool(rules.said.match(folded, end, end + 30)) or bool(
                rules.attributed.search(folded, max(0, seg_start - 40), seg_start))
            if weak and _all_places(segs[-1]):
                weak = triggered = False  # "by Saudi Arabia", "selon la Côte d'Ivoire": a place
            if weak:
                segs = segs[-1:]
        for n, seg in enumerate(segs):
            # Only the sequence next to the title or role is the one it names.
            mentions.append(Mention(seg, triggered and n == 0 and seg[0] == words[0] if cut else triggered, weak))
    return mentions


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Words of country, territory and language names in English and French (Babel's CLDR data)."""
    from babel import Locale

    words: set[str] = set()
    for code in ("en", "fr"):
        locale = Locale.parse(code)
        for name in [*locale.territories.values(), *locale.languages.values()]:
            words.update(re.findall(r"\w+", fold(name)))
    return frozenset(w for w in words if len(w) > 3)


def _all_places(words: list[str]) -> bool:
    return all(fold(w) in place_words() or fold(w) in name_rules().particles for w in words)


_NEXT_WORD = re.compile(r"(?:['’]s)?[ \u00a0]+([^\W\d_][\w-]*)")


def _names_a_thing(words: list[str], text: str, end: int, rules: NameRules) -> bool:
    """True when a capitalised sequence holds or is followed by the capitalised head noun of a
    place or a body ("Ahmad Jaam’s Mausoleum", "King Abdullah Economic City")."""
    if any(fold(w).rstrip(".").removesuffix("'s") in rules.not_person_heads for w in words):
        return True
    following = _NEXT_WORD.match(text, end, end + 40)
    return bool(following and following.group(1)[:1].isupper() and fold(following.group(1)) in rules.not_person_heads)


# A learned given name is evidence from this many letters (not "Ali", which also starts places).
MIN_GIVEN_NAME_LETTERS = 4
MAX_UNTITLED_NAME_WORDS = 4


def given_names(people: Iterable[str]) -> frozenset[str]:
    """The given names (folded, as written) of the people an archive names with a title or role."""
    found = set()
    for name in people:
        content = content_words(name.split())
        if len(content) >= 2 and len(content[0]) >= MIN_GIVEN_NAME_LETTERS:
            found.add(fold(content[0]))
    return frozenset(found)


def _known_given_name(mention: Mention, knowledge) -> bool:
    """A name with no title or role, opening with a given name the archive gives to titled people
    ("Irina Bokova" once "Mme Irina …" was met), is a person's."""
    words = mention.words
    content = content_words(words)
    if not 2 <= len(content) <= MAX_UNTITLED_NAME_WORDS or any(w.isupper() for w in words) or _all_places(words):
        return False
    known = getattr(knowledge, "_given_names", None)
    if known is None:
        known = knowledge._given_names = given_names(knowledge.people.values())
    return fold(content[0]) in known


def _content_after(words: list[str], rules: NameRules) -> list[int]:
    """For each word, how many content words follow it: counted once from the end, since a run of
    20,000 capitalised words would otherwise be recounted for each of its words."""
    counts = [0] * (len(words) + 1)
    for i in range(len(words) - 1, 0, -1):
        counts[i - 1] = counts[i] + (not _is_edge(words[i], rules))
    return counts


def _role_before(folded: str, start: int, rules: NameRules) -> bool:
    """True when a role or title stands right before a name starting at start (see NameRules.before)."""
    # `before` ends with $, so its search tries each of the 90 characters: first a test in C that
    # the text before the name's spaces ends as a match would (a comma, a title or a role).
    window = folded[max(0, start - 90):start]
    end = window.rstrip()
    if not end.endswith(rules.before_ends):
        return False
    if end.endswith(",") and not end.endswith(rules.before_ends[1:]) and not any(r in window for r in rules.roles):
        return False  # a comma alone counts only after a role ("le ministre des Affaires étrangères, X")
    return bool(rules.before.search(folded, max(0, start - 90), start))


def resolve_people(text: str, lang: str, knowledge) -> list[str]:
    """Canonical people of a text: titled names, names the archive knows, surnames resolved to them."""
    mentions = find_mentions(text)
    forms: dict[str, Counter] = defaultdict(Counter)
    surnames: dict[str, set] = defaultdict(set)
    pending: list[Mention] = []
    person_rules = lang in ("fr", "en")
    # Names marked only by speech or attribution come last: "Abdel Ghaffar said" is the document's
    # "Khaled Abdel Ghaffar" when it names him in full.
    mentions = [m for m in mentions if not m.weak] + [m for m in mentions if m.weak]
    for mention in mentions:
        if mention.weak and mention.words and skeleton(mention.words[-1]) in surnames and \
                (knowledge.person_keys.get(person_key(mention.words)) or person_key(mention.words)) not in forms:
            continue
        key = person_key(mention.words)
        key = knowledge.person_keys.get(key, key)
        if key and ((mention.triggered and person_rules) or key in knowledge.people
                    or (person_rules and _known_given_name(mention, knowledge))):
            forms[key][display_form(mention.words)] += 1
            surnames[surname_of(key)].add(key)
        else:
            pending.append(mention)
    for mention in pending:
        if len(mention.words) > 2 or not (mention.triggered or len(mention.words) == 1):
            continue
        sk = skeleton(mention.words[-1])
        keys = surnames.get(sk) or (knowledge.surnames.get(sk) if mention.triggered else None)
        if keys and len(keys) == 1:
            key = next(iter(keys))
            forms[key][knowledge.people.get(key, "")] += 0  # resolved to the document's or archive's full name
    people = []
    for key, counter in forms.items():
        canonical = knowledge.people.get(key) or choose_canonical(+counter or counter)
        if canonical:
            people.append(canonical)
    return people
