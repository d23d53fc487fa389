"""The fixed, seeded query mix: one word, two words, a phrase, a field filter, a facet filter, an
empty browse and a misspelling, in the proportions a search log of this archive shows."""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("one word", "two words", "phrase", "field filter", "facet filter", "empty browse", "misspelling")
# Out of every 20 queries: most are plain words, a few use the syntax, facets and browsing.
WEIGHTS = {"one word": 6, "two words": 5, "phrase": 2, "field filter": 2, "facet filter": 2,
           "empty browse": 1, "misspelling": 2}
_WORD = re.compile(r"[^\W\d_]{4,}")
_STOP = {"dans", "pour", "avec", "that", "this", "with", "from", "have", "were", "which", "their",
         "also", "sont", "être", "cette", "leur", "their", "been", "will", "more", "plus", "entre"}


@dataclass
class BenchQuery:
    """One query of the mix: its kind, the words typed and the facet filters set."""

    kind: str
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)

    def params(self) -> dict[str, object]:
        """HTTP query parameters (/api/search and /)."""
        return {"q": self.q, **self.filters}


def _vocabulary(corpus: Path, rng: random.Random, files: int = 400) -> tuple[list[str], list[list[str]]]:
    paths = sorted(corpus.rglob("*.txt"))
    sample = rng.sample(paths, min(files, len(paths)))
    counts: Counter[str] = Counter()
    sentences: list[list[str]] = []
    for path in sample:
        for line in path.read_text(encoding="utf-8").split("\n"):
            words = _WORD.findall(line)
            if len(words) >= 6:
                sentences.append(words)
                counts.update(w.lower() for w in words if w.lower() not in _STOP)
    common = [w for w, n in counts.most_common(2500) if n >= 3]
    return common, sentences


def _misspell(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("swap", "drop", "double"))
    if edit == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if edit == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def build_mix(corpus: Path, facet_values: dict[str, list[str]], count: int = 320, seed: int = 7) -> list[BenchQuery]:
    """`count` queries drawn from the corpus's own words and the index's facet values, seeded."""
    rng = random.Random(seed)
    common, sentences = _vocabulary(corpus, rng)
    head = common[:300]
    orgs = facet_values.get("org", [])[:30] or ["ICESCO"]
    people = facet_values.get("person", [])[:30]
    years = facet_values.get("year", [])
    langs = facet_values.get("lang", [])[:3]
    plan = [kind for kind, n in WEIGHTS.items() for _ in range(n)]
    queries: list[BenchQuery] = []
    while len(queries) < count:
        kind = plan[len(queries) % len(plan)]
        word = rng.choice(head) if rng.random() < 0.6 else rng.choice(common)
        if kind == "one word":
            queries.append(BenchQuery(kind, word))
        elif kind == "two words":
            sentence = rng.choice(sentences)
            a, b = rng.sample(sentence, 2)
            queries.append(BenchQuery(kind, f"{a} {b}"))
        elif kind == "phrase":
            sentence = rng.choice(sentences)
            start = rng.randrange(0, len(sentence) - 2)
            queries.append(BenchQuery(kind, '"' + " ".join(sentence[start:start + rng.choice((2, 3))]) + '"'))
        elif kind == "field filter":
            choice = rng.randrange(3)
            if choice == 0 or not years:
                queries.append(BenchQuery(kind, f"{word} org:{rng.choice(orgs).split()[0]}"))
            elif choice == 1:
                queries.append(BenchQuery(kind, f"title:{word}"))
            else:
                queries.append(BenchQuery(kind, f"{word} year:{rng.choice(years)}"))
        elif kind == "facet filter":
            filters: dict[str, list[str]] = {"org": [rng.choice(orgs)]}
            if people and rng.random() < 0.3:
                filters = {"person": [rng.choice(people)]}
            if years and rng.random() < 0.4:
                filters["year"] = [rng.choice(years)]
            if langs and rng.random() < 0.2:
                filters["lang"] = [rng.choice(langs)]
            queries.append(BenchQuery(kind, word if rng.random() < 0.6 else "", filters))
        elif kind == "empty browse":
            queries.append(BenchQuery(kind, ""))
        else:
            candidates = [w for w in common if len(w) >= 6]
            queries.append(BenchQuery(kind, _misspell(rng.choice(candidates), rng)))
    return queries
