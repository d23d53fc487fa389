"""Accents never decide a match: a word typed without its accents finds what the accented word finds."""
from __future__ import annotations

import pytest

from search.index.analysis import analyze
from search.query.service import SearchRequest, SearchService
from conftest import service_of_texts

DOCUMENTS = {
    "fr-cyber.txt": (
        "Atelier régional sur la cybersécurité à Tunis\n\n"
        "Tunis, 5 mai 2023. Les experts ont discuté de l’élaboration d’une stratégie de cybersécurité "
        "lors d’une réunion consacrée à la sécurité des données et aux activités numériques."
    ),
    "fr-education.txt": (
        "Réunions du comité de l’éducation\n\n"
        "Rabat, 3 juin 2024. Le ministère a présenté les priorités de l’éducation et du développement "
        "durable ; les réunions ont porté sur la première phase du programme et sur les créations d’écoles."
    ),
    "fr-other.txt": (
        "Le patrimoine du monde islamique\n\n"
        "Bakou, 2 avril 2024. Des spécialistes ont visité des musées et des sites historiques."
    ),
    "en-cyber.txt": (
        "Cybersecurity workshop in Tunis\n\n"
        "Tunis, 5 May 2023. Experts met at the Café Réunion to discuss the protégé programme, a naïve "
        "threat model and the rôle of the Ministère in the elaboration of a security strategy."
    ),
    "en-heritage.txt": (
        "Heritage experts meet in Baku\n\n"
        "Baku, 2 April 2024. Experts on cultural heritage gathered to discuss the safeguarding of museums."
    ),
}

# (typed without accents, typed with them): each pair finds the same documents.
PAIRS_FR = [
    ("cybersecurite", "cybersécurité"),
    ("elaboration", "élaboration"),
    ("reunion", "réunion"),
    ("reunions", "réunions"),
    ("education", "éducation"),
    ("securite", "sécurité"),
    ("activites", "activités"),
    ("developpement", "développement"),
    ("ministere", "ministère"),
    ("premiere phase", "première phase"),
    ("creations d'ecoles", "créations d’écoles"),
]
PAIRS_EN = [
    ("cafe", "café"),
    ("protege", "protégé"),
    ("naive", "naïve"),
    ("role", "rôle"),
    ("elaboration", "élaboration"),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> SearchService:
    return service_of_texts(tmp_path_factory, DOCUMENTS)


def found(service: SearchService, query: str) -> set[str]:
    return {hit.source for hit in service.search(SearchRequest(q=query, per_page=50)).hits}


@pytest.mark.parametrize("plain, accented", PAIRS_FR + PAIRS_EN)
def test_a_word_without_its_accents_finds_what_the_accented_word_finds(service, plain, accented):
    with_accents = found(service, accented)
    assert with_accents, f"{accented!r} should find a document"
    assert found(service, plain) == with_accents


@pytest.mark.parametrize("lang, plain, accented", [("fr", p, a) for p, a in PAIRS_FR] + [("en", p, a) for p, a in PAIRS_EN])
def test_both_spellings_get_one_stem(lang, plain, accented):
    assert analyze(plain, lang) == analyze(accented, lang)


@pytest.mark.parametrize("lang, words, stem_of", [
    ("fr", "réunions réunion", "reunion"),
    ("fr", "sécurité sécurités", "securit"),
    ("en", "elaborations elaboration", "elabor"),
])
def test_stemming_is_kept_after_folding(lang, words, stem_of):
    assert set(analyze(words, lang)) == {stem_of}


@pytest.mark.parametrize("lang, stop_word", [("fr", "ete"), ("fr", "été"), ("fr", "meme"), ("fr", "ou"), ("en", "the")])
def test_stop_words_are_stopped_with_or_without_accents(lang, stop_word):
    assert analyze(stop_word, lang) == []
