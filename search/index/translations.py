"""Translations among an archive's documents, from their signatures: pairs in two languages or
scripts that share dates, numbers, names, entities and shape, or enough rare anchors; the evidence
may be gathered in a forked process while the copies are found."""
from __future__ import annotations

import math
import multiprocessing
from collections import defaultdict

import numpy as np

from search.index.copies import MAX_HASH_DOCS, _group_pairs, _Holders, _pairs_sharing

# Translations: weights of the signals (they sum to 1) and the score a pair must reach.
TRANSLATION_WEIGHTS = {"dates": 0.25, "numbers": 0.2, "names": 0.25, "entities": 0.1, "concepts": 0.1, "paragraphs": 0.1}
TRANSLATION_THRESHOLD = 0.4
# Translated text is about as long as its original (French runs longer than English).
LENGTH_RATIO_RANGE = (0.55, 1.8)
# Among a document's translation candidates, those close to its best one are kept.
TRANSLATION_BEST_SHARE = 0.8
# Translations into any script share rare anchors (name keys, entities, numbers, dates): their
# idf weights, each scaled to 0..1 by log(archive size), must add up to this, and each document
# must be the other's best match in another language.
TRANSLATION_EVIDENCE = 3.3


class EvidenceInChild:
    """`translation_evidence` computed in a forked process (it inherits the signatures); None
    from `result` when that process failed, and the caller computes it itself."""

    def __init__(self, sigs: dict[str, dict]):
        context = multiprocessing.get_context("fork")
        self._outcome, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_evidence, args=(sender, sigs), daemon=True)
        self._process.start()
        sender.close()

    def result(self) -> tuple[dict, dict] | None:
        try:
            return self._outcome.recv()
        except (EOFError, OSError):
            return None
        finally:
            self._outcome.close()
            self._process.join()


def _send_evidence(sender, sigs: dict[str, dict]) -> None:
    try:
        evidence = translation_evidence(sigs)
    except Exception:  # the parent computes it again and meets the error itself
        evidence = None
    try:
        sender.send(evidence)
    except OSError:  # the parent is gone (its reindex was stopped)
        pass
    sender.close()


def translation_evidence(sigs: dict[str, dict]) -> tuple[dict, dict]:
    """(translation scores of the candidate pairs, summed weights of the rare anchors of pairs):
    what `find_translations` ranks, the copies aside."""
    known = [s for s in sigs.values() if s["lang"] not in ("und", "")]
    # Each document's anchors are worked out where they are used, not kept: as sets of new strings
    # they held 430 MB at 100,000 documents, for 15,000 distinct anchors.
    weights = _idf(known)
    anchors = _Holders({sig["id"]: sig for sig in known}, _anchor_keys)
    candidates = _pairs_sharing(anchors, MAX_HASH_DOCS, differ=("lang", "source"))
    weighted = _WeightedAnchors(weights)
    scores = {pair: translation_score(sigs[pair[0]], sigs[pair[1]], weighted) for pair in candidates}
    # Each document's weighted anchors (275 MB at 100,000 documents) go before the
    # rare anchors are gathered.
    del anchors, candidates, weighted
    return scores, _anchor_evidence(known)


def find_translations(sigs: dict[str, dict], group: dict[str, str], evidence: tuple[dict, dict]):
    """Pairs in two languages that are one release: the same dates, numbers, names, entities, shape."""
    scores, anchored = evidence
    best: dict[str, float] = defaultdict(float)
    for (a, b), score in scores.items():
        best[a] = max(best[a], score)
        best[b] = max(best[b], score)
    for (a, b), score in sorted(scores.items()):
        if score >= max(TRANSLATION_THRESHOLD, TRANSLATION_BEST_SHARE * max(best[a], best[b])):
            yield a, b
    yield from _anchored_translations([s for s in sigs.values() if s["lang"] not in ("und", "")], group, anchored)


def _translation_anchors(sig: dict) -> set[str]:
    return ({f"k:{k}" for k in sig.get("keys", [])} | {f"e:{e}" for e in sig["entities"]}
            | {f"n:{n}" for n in sig["numbers"]} | {f"d:{d}" for d in sig["dates"]})


def _anchored_translations(known: list[dict], group: dict[str, str], evidence: dict[tuple[str, str], float]):
    """Pairs in two languages, any scripts, whose rare anchors coincide clearly more than with others.

    Each document keeps its best match in each other language, unless a rival that is no copy of
    that match comes close (then the anchors are those of a topic, not of one text).
    """
    langs = {sig["id"]: sig["lang"] for sig in known}
    dated = {sig["id"]: sig.get("date") for sig in known}
    lengths = {sig["id"]: sig["length"] for sig in known}
    candidates: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for (a, b), score in evidence.items():
        candidates[(a, langs[b])].append((score, b))
        candidates[(b, langs[a])].append((score, a))
    chosen: dict[tuple[str, str], set[str]] = {}
    for key, ranked in candidates.items():
        # Copies of one text tie: the dated, longer copy stands for them (the others link to it as copies).
        ranked.sort(key=lambda item: (item[0], bool(dated.get(item[1])), lengths.get(item[1], 0), item[1]), reverse=True)
        top_score, top = ranked[0]
        rivals = [score for score, other in ranked if group.get(other, other) != group.get(top, top)]
        if top_score < TRANSLATION_EVIDENCE or (rivals and rivals[0] > TRANSLATION_BEST_SHARE * top_score):
            continue
        chosen[key] = {top}
    for a, b in sorted(evidence):
        if b in chosen.get((a, langs[b]), ()) and a in chosen.get((b, langs[a]), ()):
            yield a, b


def _anchor_evidence(known: list[dict]) -> dict[tuple[str, str], float]:
    """Summed weights of the rare anchors each pair in two languages shares (blocked on them)."""
    anchors = _Holders({sig["id"]: sig for sig in known}, _translation_anchors)
    values, flat, sizes = anchors.groups(MAX_HASH_DOCS)
    if not len(sizes):
        return {}
    total = max(len(known), 2)
    weight = np.array([math.log(total / size) / math.log(total) for size in sizes.tolist()])
    entity = np.fromiter((anchors.values[v].startswith("e:") for v in values.tolist()), dtype=bool, count=len(values))
    langs, sources, scripts = anchors.field("lang"), anchors.field("source"), anchors.field("script", "latin")
    n = len(anchors.names)
    codes, weights = [], []
    for groups, a, b in _group_pairs(flat, sizes):
        # In one script an entity's name already counts through its name keys.
        keep = (langs[a] != langs[b]) & (sources[a] != sources[b]) & ~(entity[groups] & (scripts[a] == scripts[b]))
        codes.append(np.minimum(a, b)[keep] * n + np.maximum(a, b)[keep])
        weights.append(weight[groups][keep])
    pairs, inverse = np.unique(np.concatenate(codes), return_inverse=True)
    sums = np.bincount(inverse, weights=np.concatenate(weights), minlength=len(pairs))
    low, high = np.divmod(pairs, n)
    names = anchors.names
    return {(names[a], names[b]): w for a, b, w in zip(low.tolist(), high.tolist(), sums.tolist())}


def _anchor_keys(sig: dict) -> set[str]:
    return {f"d:{d}" for d in sig["dates"]} | {f"n:{n}" for n in sig["numbers"]} | {f"a:{n}" for n in sig["names"]}


def _idf(sigs: list[dict]) -> dict[str, float]:
    """Inverse document frequency of every anchor (`_anchor_keys` and entities): a name on every
    page says little."""
    counts: dict[str, int] = defaultdict(int)
    for sig in sigs:
        for key in _anchor_keys(sig) | {f"e:{e}" for e in sig["entities"]}:
            counts[key] += 1
    total = max(len(sigs), 1)
    return {key: math.log(1 + total / n) for key, n in counts.items()}


class _WeightedAnchors:
    """Each document's anchors of every kind with their weights, and their total, worked out once
    per document rather than once per pair it is in (at 100,000 documents a few hundred thousand)."""

    KINDS = (("dates", "d:"), ("numbers", "n:"), ("names", "a:"), ("entities", "e:"), ("concepts", None))

    def __init__(self, weights: dict[str, float]):
        self.weights = weights
        self._known: dict[str, list[tuple[dict[str, float], float]]] = {}

    def of(self, sig: dict) -> list[tuple[dict[str, float], float]]:
        found = self._known.get(sig["id"])
        if found is None:
            found = []
            for fieldname, prefix in self.KINDS:
                if prefix is None:  # unweighted
                    held = dict.fromkeys(sig[fieldname], 1.0)
                else:
                    held = {x: self.weights.get(prefix + x, 1.0) for x in sig[fieldname]}
                found.append((held, sum(held.values())))
            self._known[sig["id"]] = found
        return found


def _weighted_overlap(a: tuple[dict[str, float], float], b: tuple[dict[str, float], float]) -> float:
    """Weighted Jaccard of two documents' anchors of one kind (`_WeightedAnchors`); 0 when both have none."""
    (held_a, total_a), (held_b, total_b) = a, b
    shared = sum(held_a[x] for x in held_a.keys() & held_b.keys())
    union = total_a + total_b - shared
    return shared / union if union > 0 else 0.0


def _paragraph_alignment(a: list[int], b: list[int]) -> float:
    """How well the paragraph lengths of two texts line up, one for one (1 = same shape)."""
    if not a or not b:
        return 0.0
    ratio = sum(a) / sum(b)
    pairs = sum(min(x, y * ratio) / max(x, y * ratio) for x, y in zip(a, b))
    return pairs / max(len(a), len(b))


def translation_score(a: dict, b: dict, anchors: _WeightedAnchors) -> float:
    """0 to 1: how likely two documents in different languages are translations of each other."""
    if not b["length"] or not LENGTH_RATIO_RANGE[0] <= a["length"] / b["length"] <= LENGTH_RATIO_RANGE[1]:
        return 0.0
    overlaps = map(_weighted_overlap, anchors.of(a), anchors.of(b))
    signals = dict(zip([fieldname for fieldname, _prefix in _WeightedAnchors.KINDS], overlaps))
    signals["paragraphs"] = _paragraph_alignment(a["paragraphs"], b["paragraphs"])
    return sum(TRANSLATION_WEIGHTS[name] * value for name, value in signals.items())
