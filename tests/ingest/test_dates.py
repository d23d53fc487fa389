"""Dates in French and English: written forms, datelines, stamps, and no date when none is given."""
import pytest

from search.ingest.dates import extract_date, extract_year, find_dates, is_date_line


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Publié le 29 mai 2024", "2024-05-29"),
        ("L’accord a été signé mardi 28 mai 2024, à Marrakech.", "2024-05-28"),
        ("La réunion s’est tenue le 1er juillet 2021 à Rabat.", "2021-07-01"),
        ("held on Friday July 26, 2024, at ICESCO headquarters", "2024-07-26"),
        ("24 September 2022", "2022-09-24"),
        ("On 30 November 2022 the council met.", "2022-11-30"),
        ("Rabat: 17/05/2019", "2019-05-17"),
        ("POLITICS 22:24 / 30.05.2024 1640", "2024-05-30"),
        ("2022-10-05", "2022-10-05"),
        ("ISLAMABAD, (UrduPoint - 10th Jan, 2025) The Secretary General", "2025-01-10"),
        ("Deadline: 15th of September, 2022", "2022-09-15"),
        ("JEDDAH, Saudi ArabiaMay 17, 2024 /PRNewswire/ — The Council", "2024-05-17"),
        ("Réunie au Caire les 19 et 20 janvier 2026, l’Organisation a frappé fort.", "2026-01-19"),
        ("Dr. Bouchenaki visited on August 13-16, 2018 the Comoros.", "2018-08-13"),
        ("January 13, 2021 0", "2021-01-13"),
    ],
)
def test_written_date_forms(text, expected):
    assert extract_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ouvert ce jeudi 16 décembre à l’amphithéâtre, ce colloque international vise à présenter.",
        "The meeting was held on Monday at the headquarters.",
        "Créée il y a longtemps, l’organisation est basée à Rabat.",
        "",
    ],
)
def test_no_full_date_gives_none(text):
    assert extract_date(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        # A dateline without its year takes it from the site's partial stamp...
        ("2022-12\nBakou, 26 décembre, AZERTAC\n\nLe plan d’action a été signé.", "2022-12-26"),
        # ...or from the dates the article gives.
        ("Le Caire, 21 novembre, AZERTAC\n\nLa rencontre, tenue le 20 novembre 2022, a réuni.", "2022-11-21"),
        ("Cairo, 9 February, AZERTAC\n\nThe meeting, held on 8 February 2023, was attended.", "2023-02-09"),
    ],
)
def test_dateline_year_completed(text, expected):
    assert extract_date(text) == expected


def test_publication_line_beats_event_date_in_body():
    text = "Signature d’un accord\n\n29 mai 2024\n\nL’accord a été signé mardi 28 mai 2024."
    assert extract_date(text) == "2024-05-29"


def test_written_publication_line_beats_crawler_stamp():
    text = "2021-12-07\nEgypt: Session Kicks Off in Cairo\n6 December 2021\nThe session opened on Monday."
    assert extract_date(text) == "2021-12-06"


@pytest.mark.parametrize(
    "text, year, expected",
    [
        ("2023-11\nLa Tunisie se prépare à une transformation numérique.", 2023, "2023-11"),
        ("Laureates of the Prize\n\n2023\n\nFirst edition", 2023, "2023"),
        ("Le 29 mai 2024, l’accord a été signé.", 2024, "2024-05-29"),
        ("No year is given here at all.", None, None),
    ],
)
def test_extract_year_from_partial_dates(text, year, expected):
    assert extract_year(text) == year
    assert extract_date(text) == expected  # a month or a year alone is kept at its precision


@pytest.mark.parametrize(
    "line, weekday, expected",
    [
        ("Wednesday, June 3, 2026", True, True),
        ("mercredi 3 juin 2026", True, True),
        ("3 juin 2026", True, False),
        ("3 juin 2026", False, True),
        ("Le 3 juin 2026, la réunion", False, False),
    ],
)
def test_is_date_line(line, weekday, expected):
    assert is_date_line(line, with_weekday=weekday) is expected


def test_find_dates_in_order():
    found = find_dates("Le 2 mars 2020 puis le 1er février 2021")
    assert [d.isoformat() for _pos, d in found] == ["2020-03-02", "2021-02-01"]


def test_fold_drops_every_combining_mark_and_lowercases():
    import unicodedata

    from search.ingest.folding import fold

    text = "".join(chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c < 0xE000) + "Élève ÇA ﻹ Ḱ"
    expected = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))
    assert fold(text) == expected
    assert fold("Décembre") == "decembre" and fold("ICESCO") == "icesco"
