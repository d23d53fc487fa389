"""Headlines: the seeds' exact titles, and chrome, datelines and sentences never taken for one."""

import pytest

from search.ingest.cleaning import clean_text
from search.ingest.decoding import decode_bytes
from search.ingest.titles import extract_title
from conftest import SEEDS


SEED_TITLES = {
    "000": "Signature d’un accord de coopération entre l’ICESCO et l’AICTO",
    "001": None,
    "002": "Madame la Ministre se réunit avec le Directeur général de l’Organisation du Monde Islamique "
    "pour l’Éducation, les Sciences et la Culture (ICESCO)",
    "003": "ICESCO Director-General receives former Director-General of ALECSO",
    "004": "Examen des perspectives de coopération entre l’ICESCO et l’Azerbaïdjan en matière de technologie",
}


def seed_text(prefix: str) -> str:
    """The cleaned text of the seed whose name starts with prefix."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return clean_text(decode_bytes(path.read_bytes()))


@pytest.mark.parametrize("prefix, title", sorted(SEED_TITLES.items()))
def test_seed_titles(prefix, title):
    assert extract_title(seed_text(prefix)) == title


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Nouvelles perspectives de coopération\n\n15 janvier 2021\n\nDr AlMalik a reçu M. Karimov.",
         "Nouvelles perspectives de coopération"),
        ("Bakou, 26 décembre, AZERTAC\n\nLa République d’Azerbaïdjan et l’ICESCO ont signé un plan d’action.", None),
        ("Rabat: 03/05/2018\nISESCO Director General chairs a ceremony\nThe Director General spoke.",
         "ISESCO Director General chairs a ceremony"),
        ("Lancement officiel de l’Année de l’ICESCO pour les femmes 16/03/2021\nLe lancement a eu lieu.",
         "Lancement officiel de l’Année de l’ICESCO pour les femmes"),
        ("Francophonie : lancement du programme « 100 000 professeurs »À l’occasion de la Journée, le ministre a parlé.",
         "Francophonie : lancement du programme « 100 000 professeurs »"),
        ("“Towards a Unified Arab digital society based on creativity”\nStrategic Goals", None),
        ("Egypt’s Abouleish among the Most Influential Africans\nEgypt’s Helmy Abouleish, known for ...\n"
         "Two teams were named among the winners of the competition this year.", None),
        ("The agreement was signed on Tuesday by the two parties in Rabat.", None),
    ],
)
def test_title_rules(text, expected):
    assert extract_title(text) == expected


def test_title_under_a_lede_paragraph():
    lede = " ".join(["L’intelligence artificielle est un ensemble de techniques"] * 6) + "."
    text = f"{lede}\nUn panel d’experts de l’intelligence artificielle, à Abidjan\nComment l’Afrique se prépare-t-elle ?"
    assert extract_title(text) == "Un panel d’experts de l’intelligence artificielle, à Abidjan"
