"""Cleaning removes each kind of site chrome and keeps the article's paragraphs."""
import pytest

from search.ingest.cleaning import clean_text

BODY_FR = (
    "Dr Salim M. AlMalik, Directeur général de l’ICESCO, a reçu le ministre de l’Éducation au siège "
    "de l’Organisation à Rabat, pour examiner les perspectives de coopération entre les deux parties."
)
BODY_EN = (
    "Dr. Salim M. AlMalik, Director-General of ICESCO, received the Minister of Education at the "
    "Organization’s headquarters in Rabat to review prospects for cooperation between the two parties."
)
BODY_EN_2 = (
    "The two parties agreed to launch joint academic and training programmes, organize scientific forums "
    "on artificial intelligence and support young researchers across the Member States of the Organization."
)


@pytest.mark.parametrize(
    "chrome, body",
    [
        ("Disclaimer: You are using Google Translate. The ICESCO is not responsible for the accuracy.", BODY_EN),
        ("your opinion\nUser Feedback\nOverall, how satisfied are you about the website?\n"
         "Extremely Dissatisfied Extremely Satisfied", BODY_EN),
        ("votre avis\nCommentaires des utilisateurs\nDans l’ensemble, dans quelle mesure êtes-vous satisfait du site Web ?\n"
         "Extrêmement insatisfait Extrêmement satisfait", BODY_FR),
        ("Skip to content", BODY_EN),
        ("Aller au contenu principal", BODY_FR),
        ("  • Accueil\n  • Actualités\n  • Madame La Ministre Se Réunit Avec Le Directeur Général De L’Organisation Du Mond ...",
         BODY_FR),
        ("  • Home\n  • News\n  • Events", BODY_EN),
        ("date icon", BODY_FR),
        ("We use cookies to improve your experience. Accept all", BODY_EN),
        ("Nous utilisons des cookies pour améliorer votre expérience.", BODY_FR),
        ("Share on Facebook", BODY_EN),
        ("Partager sur Twitter", BODY_FR),
        ("Lese-Ansicht\nEs gibt neue verfügbare Artikel. Klicken Sie, um die Seite zu aktualisieren.", BODY_FR),
        ("Wednesday, June 3, 2026", BODY_EN),
        ("Egypt’s Abouleish among the Most Influential Africans\nEgypt’s Helmy Abouleish, known for ...", BODY_EN),
    ],
)
def test_chrome_above_the_article_is_removed(chrome, body):
    cleaned = clean_text(f"{chrome}\n\n{body}")
    assert cleaned == body


@pytest.mark.parametrize(
    "body, tail",
    [
        (BODY_FR, "Articles les plus récents\nUn autre article sur un autre sujet"),
        (BODY_FR, "Vous pouvez être intéressés par\n\nS'inscrire à nos newsletter"),
        (BODY_EN, "Latest articles\nAnother story"),
        (BODY_EN, "Also Read: WHO voices hope\nPrevious Story\nAnother story"),
        (BODY_EN, "More news:\nAnother story about something else"),
        (BODY_FR, "AllAfrica publie environ 400 articles par jour provenant de plus de 100 organes de presse.\n"
                  "Les articles et documents identifiant AllAfrica comme source sont produits par AllAfrica."),
        (f"{BODY_EN}\n\n{BODY_EN_2}", "ICESCO and the Arab Information Technologies Organization Sign Cooperation Agreement\n\n"
                                     "The Islamic World Organization signed a cooperation agreement."),
    ],
)
def test_chrome_and_teasers_after_the_article_are_removed(body, tail):
    assert clean_text(f"{body}\n\n{tail}") == body


def test_article_paragraphs_and_content_lists_are_kept():
    text = (
        "Signature d’un accord de coopération entre l’ICESCO et l’AICTO\n\n29 mai 2024\n\n"
        f"{BODY_FR}\n\nLes bénéficiaires :\n• Universities\n• UNESCO Chairs\n• Category 2 Centres\n\n{BODY_FR.replace('Rabat', 'Tunis')}"
    )
    assert clean_text(text) == text


def test_stamp_is_split_from_the_headline():
    cleaned = clean_text(f"date 2024-05 Le Président participera au sommet de l’OCI à Banjul\n\n{BODY_FR}")
    assert cleaned.split("\n")[:2] == ["2024-05", "Le Président participera au sommet de l’OCI à Banjul"]


def test_feed_footer_gives_back_the_headline():
    raw = f"{BODY_FR}\n\nCet article Le cas du Mali étudié par un groupe de contact est apparu en premier sur Le Site."
    cleaned = clean_text(raw)
    assert cleaned == f"Le cas du Mali étudié par un groupe de contact\n\n{BODY_FR}"


def test_repeated_lines_are_kept_once_and_common_lines_dropped():
    caption = "La photo de famille après la remise des parchemins."
    raw = f"{caption}\n{caption}\nsite banner line\n{BODY_FR}"
    assert clean_text(raw, common_lines=frozenset({"site banner line"})) == f"{caption}\n{BODY_FR}"


def test_lone_year_is_kept():
    assert clean_text(f"Laureates of the Prize\n\n2023\n\n{BODY_EN}").split("\n")[2] == "2023"
