"""Related entities by log-likelihood or PMI over per-document entity sets, and documents per month."""
import math

import pytest

from search.query.cooccurrence import (Cooccurrence, log_likelihood, pointwise_mutual_information, related_by_kind,
                                 related_entities, timeline)
from search.evaluation.meetings import extract_archive
from conftest import SHARED




def _entropy_g2(both, first, second, total):
    # G² as 2N times the mutual information of the 2x2 table: an independent formulation.
    cells = [both, first - both, second - both, total - first - second + both]
    rows, cols = [first, total - first], [second, total - second]
    h = lambda values: sum(v * math.log(v / total) for v in values if v)
    return 2 * (h(cells) - h(rows) - h(cols))


@pytest.mark.parametrize("both, first, second, total", [
    (10, 12, 15, 100), (3, 3, 3, 126), (50, 50, 78, 127), (1, 40, 40, 100), (5, 10, 50, 100),
])
def test_log_likelihood_is_dunnings_g2(both, first, second, total):
    assert abs(log_likelihood(both, first, second, total)) == pytest.approx(_entropy_g2(both, first, second, total))


@pytest.mark.parametrize("both, first, second, total, sign", [
    (10, 12, 15, 100, 1),   # together far more than chance
    (1, 40, 40, 100, -1),   # less than chance
    (5, 10, 50, 100, 0),    # exactly chance
])
def test_log_likelihood_is_signed_by_attraction(both, first, second, total, sign):
    value = log_likelihood(both, first, second, total)
    assert (value > 1e-9) - (value < -1e-9) == sign


@pytest.mark.parametrize("both, first, second, total, expected", [
    (2, 2, 4, 8, 1.0), (1, 2, 4, 8, 0.0), (4, 4, 4, 16, 2.0),
])
def test_pmi(both, first, second, total, expected):
    assert pointwise_mutual_information(both, first, second, total) == pytest.approx(expected)


# "ICESCO" is in every document; "Diallo" and "Weber" meet in three of them; "Rare" once.
DOCUMENTS = ([{"ICESCO", "Diallo", "Weber"}] * 3 + [{"ICESCO", "Diallo"}] * 2 + [{"ICESCO", "Other"}] * 10
             + [{"ICESCO", "Diallo", "Rare"}])


@pytest.mark.parametrize("statistic", ["llr", "pmi"])
def test_related_ranks_by_surprise_not_by_count(statistic):
    related = related_entities(DOCUMENTS, "Diallo", statistic=statistic)
    assert [r["entity"] for r in related] == ["Weber"]  # ICESCO is everywhere: no surprise; Rare: too few
    assert related[0]["together"] == 3 and related[0]["count"] == 3


def test_minimum_support_and_limit():
    table = Cooccurrence.from_documents(DOCUMENTS)
    assert [r["entity"] for r in table.related("Diallo", min_support=1)] == ["Weber", "Rare"]
    assert table.related("Diallo", limit=0) == []
    assert table.related("Unknown") == []


def test_related_by_kind_gives_the_entity_pages_shape():
    documents = [{("person", "diallo"), ("person", "weber"), ("org", "alecso")}] * 3 + [{("org", "unesco")}] * 5
    names = {("person", "weber"): "Karl Weber", ("org", "alecso"): "ALECSO"}
    related = related_by_kind(Cooccurrence.from_documents(documents), ("person", "diallo"), names)
    assert related["person"] == [{"key": "weber", "name": "Karl Weber", "count": 3, "score": related["person"][0]["score"]}]
    assert [r["name"] for r in related["org"]] == ["ALECSO"]
    assert related["person"][0]["score"] > 0


def test_an_unknown_statistic_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="llr, pmi"):
        related_entities(DOCUMENTS, "Diallo", statistic="chi2")


@pytest.mark.parametrize("dates, expected", [
    (["2024-05-28", "2024-05-01", None, "2023-12-31"],
     [{"period": "2023-12", "count": 1}, {"period": "2024-05", "count": 2}, {"period": None, "count": 1}]),
    ([None, None], [{"period": None, "count": 2}]),
    ([], []),
])
def test_timeline_counts_months_and_undated_documents(dates, expected):
    months = timeline(dates)
    assert months == expected
    assert sum(m["count"] for m in months) == len(dates)


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="needs ../shared/corpus")
def test_a_frequent_persons_related_entities_are_not_the_most_frequent_ones():
    documents, _knowledge = extract_archive(SHARED / "corpus")
    sets = [[("person", p) for p in d.people] + [("org", o) for o in d.organisations]
            for docs in documents.values() for d in docs]
    table = Cooccurrence.from_documents(sets)
    person = max((e for e in table.counts if e[0] == "person"), key=lambda e: table.counts[e])
    assert table.counts[person] >= 20
    related = [r["entity"] for r in table.related(person, limit=5)]
    by_count = [e for e, _n in table.counts.most_common() if e != person][:5]
    with_person = [e for e, _n in table.pairs[person].most_common(5)]
    assert len(related) == 5
    assert related != by_count and related != with_person
    # Entities frequent across the archive but not tied to this person drop out of the top five.
    assert set(by_count[1:3]) - set(related) == set(by_count[1:3])
