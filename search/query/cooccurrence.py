"""Entities that appear together more than chance says, and documents per month: pure functions."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

# Below this many shared documents a pair is noise, however surprising.
MIN_SUPPORT = 2
STATISTICS = ("llr", "pmi")


def log_likelihood(both: int, first: int, second: int, total: int) -> float:
    """Dunning's G² for two entities over `total` documents: `first` and `second` documents hold each,
    `both` hold the two. Signed: negative when they meet less often than chance says."""
    cells = [(both, first, second), (first - both, first, total - second),
             (second - both, total - first, second), (total - first - second + both, total - first, total - second)]
    g2 = 2 * sum(k * math.log(k * total / (row * col)) for k, row, col in cells if k > 0 and row > 0 and col > 0)
    expected = first * second / total if total else 0
    return g2 if both >= expected else -g2


def pointwise_mutual_information(both: int, first: int, second: int, total: int) -> float:
    """log2 of how many times more often the two appear together than if they were independent."""
    if not both:
        return float("-inf")
    return math.log2(both * total / (first * second))


@dataclass
class Cooccurrence:
    """Document counts of entities and of pairs of entities, over per-document entity sets."""

    total: int = 0
    counts: Counter = field(default_factory=Counter)
    pairs: dict = field(default_factory=dict)  # entity -> Counter of the entities it appears with

    @classmethod
    def from_documents(cls, documents: Iterable[Iterable[Hashable]]) -> "Cooccurrence":
        """Counts over documents, each given as the entities it names (repeats count once)."""
        table = cls()
        for entities in documents:
            unique = set(entities)
            table.total += 1
            table.counts.update(unique)
            for entity in unique:
                table.pairs.setdefault(entity, Counter()).update(unique - {entity})
        return table

    def related(self, entity: Hashable, limit: int = 10, min_support: int = MIN_SUPPORT,
                statistic: str = "llr") -> list[dict]:
        """Entities that appear with `entity` more than chance says, strongest first:
        [{"entity", "together", "count", "score"}] (together: shared documents; count: the other's)."""
        if statistic not in STATISTICS:
            raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, not {statistic!r}")
        score = log_likelihood if statistic == "llr" else pointwise_mutual_information
        first = self.counts.get(entity, 0)
        ranked = []
        for other, both in self.pairs.get(entity, Counter()).items():
            if both < min_support:
                continue
            value = score(both, first, self.counts[other], self.total)
            if value > 0:
                ranked.append({"entity": other, "together": both, "count": self.counts[other], "score": round(value, 3)})
        ranked.sort(key=lambda r: (-r["score"], -r["together"], str(r["entity"])))
        return ranked[:limit]


def related_by_kind(table: Cooccurrence, entity: tuple[str, str], names: dict, limit: int = 10,
                    min_support: int = MIN_SUPPORT, statistic: str = "llr") -> dict[str, list[dict]]:
    """The entity page's "related": {"person": [{"key", "name", "count", "score"}], "org": [...]}, for
    entities given as (kind, key) with names[(kind, key)] their shown names; count: shared documents."""
    related = table.related(entity, limit=len(table.counts), min_support=min_support, statistic=statistic)
    out: dict[str, list[dict]] = {"person": [], "org": []}
    for row in related:
        kind, key = row["entity"]
        if len(out.setdefault(kind, [])) < limit:
            out[kind].append({"key": key, "name": names.get((kind, key), key), "count": row["together"],
                              "score": row["score"]})
    return out


def related_entities(documents: Iterable[Iterable[Hashable]], entity: Hashable, limit: int = 10,
                     min_support: int = MIN_SUPPORT, statistic: str = "llr") -> list[dict]:
    """Cooccurrence.from_documents(documents).related(entity, ...) in one call."""
    return Cooccurrence.from_documents(documents).related(entity, limit, min_support, statistic)


def timeline(dates: Iterable[str | None]) -> list[dict]:
    """Documents per month, [{"period": "YYYY-MM", "count"}] in order, undated ones last under
    period None, so the counts add up to the number of dates given."""
    months = Counter(date[:7] if date else None for date in dates)
    dated = sorted((period, n) for period, n in months.items() if period is not None)
    out = [{"period": period, "count": n} for period, n in dated]
    if None in months:
        out.append({"period": None, "count": months[None]})
    return out
