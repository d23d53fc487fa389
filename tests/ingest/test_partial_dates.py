"""Dates at the precision the text gives (YYYY-MM-DD, YYYY-MM, YYYY): extraction, sorting, ranges, facets, pages."""
import csv
import io

import pytest

from search.ingest.cleaning import clean_text
from search.ingest.documents import document_id
from search.ingest.dates import date_precision, extract_date, extract_year
from search.index.indexer import reindex
from search.query.daterange import rewrite_dates
from search.index.schema import date_number
from webui import create_app


@pytest.mark.parametrize("text, expected", [
    # A crawler's month stamp above the article, in either language.
    ("date 2023-11 La Tunisie se prépare à une transformation numérique d'envergure.", "2023-11"),
    ("date 2019-05 The King sent a message of congratulations to the new Director-General.", "2019-05"),
    # A publication line that gives a month and a year only.
    ("Publié en mars 2021\nLe forum régional s'est tenu à Tunis avec les ministres de la région.", "2021-03"),
    ("Published March 2021\nThe regional forum was held in Tunis with the ministers of the region.", "2021-03"),
    ("Rabat, mars 2021 — La conférence annuelle a réuni les commissions nationales.", "2021-03"),
    ("Tunis, March, 2021 - The annual conference brought the national commissions together.", "2021-03"),
    # A year alone on a line, or a single edition year in the first lines.
    ("Laureates of the Prize\n\n2023\n\nFirst edition", "2023"),
    ("Lauréats du prix\n\n2023\n\nPremière édition", "2023"),
    ("The two-day conference (ICAN 2026) opened in Riyadh with the Director-General.", "2026"),
    ("Le Salon international de l’édition et du livre (SIEL 2022) s’est ouvert à Rabat.", "2022"),
    # A full date still wins over a month or year.
    ("2024-05\nLe Président participera au sommet.\nBanjul, le 3 mai 2024, la réunion a commencé.", "2024-05-03"),
    ("March 2021\nThe forum, held on 17 March 2021, gathered the ministers.", "2021-03-17"),
])
def test_month_and_year_dates_at_the_precision_the_text_gives(text, expected):
    cleaned = clean_text(text)
    assert extract_date(cleaned) == expected
    assert extract_year(cleaned) == int(expected[:4])


@pytest.mark.parametrize("text", [
    # History and plans named in sentences date nothing.
    "L’OCI, fondée en 1969 après l’incendie de la mosquée, compte 57 États membres.",
    "The organisation, founded in 1969, has 57 member states across four continents.",
    "Deux Tunisiens avaient occupé ce poste successivement de 2001 à 2012.",
    "The festival is set to take place in November 2025, with broad participation of universities.",
    "L'organisation a lancé, en janvier 2021, sa première unité de recherche avec ses partenaires.",
    # Several years at the top: none of them is the article's.
    "The 2019 and 2023 editions of the prize were awarded to researchers from five regions.",
])
def test_a_year_met_as_history_or_plan_is_no_date(text):
    assert extract_date(clean_text(text)) is None


@pytest.mark.parametrize("value, precision, number", [
    ("2021-03-17", "day", 20210317),
    ("2021-03", "month", 20210300),
    ("2021", "year", 20210000),
    (None, None, 0),
])
def test_partial_dates_sort_before_the_days_they_hold(value, precision, number):
    assert date_precision(value) == precision
    assert date_number(value) == number


@pytest.mark.parametrize("query, low, high", [
    ("date:2021-03", "20210300", "20210331"),
    ("date:2021", "20210000", "20211231"),
    ("date:[2021-01 TO 2021-06]", "20210100", "20210631"),
])
def test_month_and_year_queries_include_documents_dated_by_month_or_year(query, low, high):
    rewritten = rewrite_dates(query)
    assert low in rewritten and high in rewritten


ARTICLES = {
    "mois-fr.txt": "date 2021-03 La commission nationale lance un programme régional\n\n"
                   "La commission nationale a lancé un programme régional de formation des enseignants "
                   "avec ses partenaires de la région, en présence des ministres et des experts invités.",
    "month-en.txt": "date 2019-05 The national commission launches a regional programme\n\n"
                    "The national commission launched a regional teacher training programme with its "
                    "partners in the region, in the presence of ministers and invited experts.",
    "year-en.txt": "Laureates of the regional programme\n\n2023\n\nThe laureates of the regional programme "
                   "were chosen by the national commission among teachers of the whole region and its partners.",
    "day-fr.txt": "La commission nationale signe un accord régional\n\nRabat, le 17 mars 2021\n\n"
                  "La commission nationale a signé un accord régional avec ses partenaires de la région.",
}


@pytest.fixture
def dated_client(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in ARTICLES.items():
        (docs / name).write_text(text, encoding="utf-8")
    reindex(docs, tmp_path / "index")
    app = create_app({"TESTING": True, "DOCS_DIR": str(docs), "INDEX_DIR": str(tmp_path / "index")})
    return app.test_client()


def test_api_sorts_facets_and_filters_month_and_year_dates(dated_client):
    body = dated_client.get("/api/search", query_string={"sort": "-date", "per_page": 10}).get_json()
    dates = [(r["source"], r["date"], r["year"]) for r in body["results"]]
    assert dates == [("year-en.txt", "2023", 2023), ("day-fr.txt", "2021-03-17", 2021),
                     ("mois-fr.txt", "2021-03", 2021), ("month-en.txt", "2019-05", 2019)]
    years = {f["value"]: f["count"] for f in body["facets"]["year"]}
    assert years == {"2023": 1, "2021": 2, "2019": 1}
    march = dated_client.get("/api/search", query_string={"q": "date:2021-03"}).get_json()
    assert sorted(r["source"] for r in march["results"]) == ["day-fr.txt", "mois-fr.txt"]
    by_year = dated_client.get("/api/search", query_string={"year": "2019"}).get_json()
    assert [r["date"] for r in by_year["results"]] == ["2019-05"]


def test_export_keeps_the_precision_of_each_date(dated_client):
    text = dated_client.get("/api/export.csv", query_string={"sort": "date"}).get_data(as_text=True)
    rows = {row["source"]: row["date"] for row in csv.DictReader(io.StringIO(text))}
    assert rows == {"month-en.txt": "2019-05", "mois-fr.txt": "2021-03", "day-fr.txt": "2021-03-17", "year-en.txt": "2023"}


@pytest.mark.parametrize("lang, source, shown", [
    ("fr", "mois-fr.txt", "mars 2021"),
    ("en", "mois-fr.txt", "March 2021"),
    ("fr", "month-en.txt", "mai 2019"),
    ("en", "month-en.txt", "May 2019"),
    ("fr", "year-en.txt", "2023"),
    ("en", "day-fr.txt", "March 17, 2021"),
])
def test_pages_show_a_month_in_the_interface_language(dated_client, lang, source, shown):
    doc_id = document_id(source)
    page = dated_client.get(f"/doc/{doc_id}", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert f">{shown}</time>" in page
