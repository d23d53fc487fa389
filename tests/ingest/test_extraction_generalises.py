"""Extraction on kinds of pages and phrases rather than on pages of one site, in French and English.

Every text here is written for the test: a kind of page (an encyclopedia entry, a news article) or
a kind of phrase, never a copy of a corpus page.
"""
import pytest

from search.ingest.cleaning import clean_text
from search.ingest.documents import content_hash
from search.ingest.extract import ExtractionContext, extract_documents
from search.ingest.kinds import is_reference_page
from search.ingest.titles import extract_title

ENCYCLOPEDIA_FR = """Aller au contenu

Conseil régional des bibliothèques du Sahel

Un article de Wikipédia, l'encyclopédie libre.

Conseil régional des bibliothèques du Sahel
Création 12 mars 1984
Type Organisation intergouvernementale
Siège Niamey, Niger
Langue Français
Membres 9

Le Conseil régional des bibliothèques du Sahel est une organisation intergouvernementale dont le siège est à Niamey[1]. Il coordonne depuis 1984 la conservation des manuscrits de la région.

Histoire

[modifier | modifier le code]

Le conseil est fondé le 12 mars 1984 à Bamako par sept États de la région[2].
"""

ENCYCLOPEDIA_EN = """Sahel Regional Library Council

From Wikipedia, the free encyclopedia

Formation 12 March 1984
Type Intergovernmental organization
Headquarters Niamey, Niger
Official language French

The Sahel Regional Library Council is an intergovernmental organization headquartered in Niamey.[1] It has coordinated the conservation of the region's manuscripts since 1984.

History

[edit]

The council was founded on 12 March 1984 in Bamako by seven states of the region.[2]
"""

# No chrome and no infobox: only the definition under the title tells the kind of page.
ENTRY_EN = """Sahel Regional Library Council

The Sahel Regional Library Council is an intergovernmental body that coordinates the conservation of manuscripts across the region, founded on 12 March 1984 in Bamako by seven states.
"""

ARTICLE_FR = """Le Conseil régional des bibliothèques du Sahel signe un accord avec l'université de Niamey

Niamey, le 14 mai 2024

Le Conseil régional des bibliothèques du Sahel a signé mardi un accord avec l'université de Niamey pour la numérisation de manuscrits anciens, en présence des ministres de la Culture de la région.
"""

ARTICLE_EN = """Sahel Regional Library Council signs an agreement with the University of Niamey

Niamey, May 14, 2024

The Sahel Regional Library Council is a partner of the University of Niamey, which signed an agreement on Tuesday for the digitisation of ancient manuscripts, in the presence of the region's ministers of culture.
"""


def _extract(tmp_path, text: str):
    path = tmp_path / "page.txt"
    data = text.encode("utf-8")
    path.write_bytes(data)
    return extract_documents("page.txt", path, data, ExtractionContext(), content_hash(data))[0]


@pytest.mark.parametrize("text, reference", [
    (ENCYCLOPEDIA_FR, True),
    (ENCYCLOPEDIA_EN, True),
    (ENTRY_EN, True),
    (ARTICLE_FR, False),
    (ARTICLE_EN, False),
])
def test_encyclopedia_entries_are_told_from_articles_by_general_signals(text, reference):
    cleaned = clean_text(text)
    assert is_reference_page(text, cleaned, extract_title(cleaned)) is reference


@pytest.mark.parametrize("text, title, date", [
    (ENCYCLOPEDIA_FR, "Conseil régional des bibliothèques du Sahel", None),
    (ENCYCLOPEDIA_EN, "Sahel Regional Library Council", None),
    (ENTRY_EN, "Sahel Regional Library Council", None),
    (ARTICLE_FR, "Le Conseil régional des bibliothèques du Sahel signe un accord avec l'université de Niamey", "2024-05-14"),
    (ARTICLE_EN, "Sahel Regional Library Council signs an agreement with the University of Niamey", "2024-05-14"),
])
def test_an_encyclopedia_entry_has_no_publication_date(tmp_path, text, title, date):
    doc = _extract(tmp_path, text)
    assert (doc.title, doc.date) == (title, date)
    assert doc.year == (int(date[:4]) if date else None)


@pytest.mark.parametrize("text, chrome", [
    (ENCYCLOPEDIA_FR, ["[modifier", "Un article de Wikipédia", "l'encyclopédie libre", "Niamey[1]", "région[2]"]),
    (ENCYCLOPEDIA_EN, ["[edit]", "From Wikipedia", "Niamey.[1]"]),
])
def test_encyclopedia_chrome_is_removed(text, chrome):
    cleaned = clean_text(text)
    for piece in chrome:
        assert piece not in cleaned
    assert "intergouvernementale" in cleaned or "intergovernmental" in cleaned


BODY_EN = ("The delegation reviewed the programmes of cooperation in education, culture and science, and the two "
           "sides agreed to prepare a joint plan of action for the coming two years with their national partners.")
BODY_FR = ("La délégation a passé en revue les programmes de coopération dans l'éducation, la culture et les sciences, "
           "et les deux parties sont convenues de préparer un plan d'action commun pour les deux prochaines années.")


@pytest.mark.parametrize("text, expected", [
    # A title bar's separators left at the end or the start of the headline.
    (f"Regional forum on manuscripts opens in Niamey | |\n\n{BODY_EN}", "Regional forum on manuscripts opens in Niamey"),
    (f"– Ouverture à Niamey du forum régional sur les manuscrits –\n\n{BODY_FR}",
     "Ouverture à Niamey du forum régional sur les manuscrits"),
    # The site's own name (an organisation's) above the headline: a masthead.
    (f"Ministry of Higher Education and Scientific Research\nMinister receives the delegation of the regional council\n{BODY_EN}",
     "Minister receives the delegation of the regional council"),
    (f"Université nationale de Niamey\nLe recteur reçoit la délégation du conseil régional\n{BODY_FR}",
     "Le recteur reçoit la délégation du conseil régional"),
    # A one-sentence headline with its full stop, over a press release's dateline.
    (f"The regional council approves a plan to protect manuscripts in conflict areas.\nNIAMEY, Niger, May 17, 2024 /Agency/ — {BODY_EN}",
     "The regional council approves a plan to protect manuscripts in conflict areas."),
    (f"Le conseil régional adopte un plan de protection des manuscrits.\nNIAMEY (Agence) - {BODY_FR}",
     "Le conseil régional adopte un plan de protection des manuscrits."),
    # The lede's first sentence (it names the weekday) is no headline.
    (f"The Sahel Regional Library Council entered into a partnership with the University of Niamey on Wednesday in the presence of ministers\n{BODY_EN}",
     None),
    (f"Le Conseil régional des bibliothèques du Sahel a conclu mercredi un partenariat avec l'université de Niamey en présence des ministres\n{BODY_FR}",
     None),
])
def test_headline_kinds(text, expected):
    assert extract_title(clean_text(text)) == expected


def _pages(tmp_path, pages: dict[str, str]) -> dict[str, object]:
    from search.ingest.extract import find_common_lines

    for name, text in pages.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    context = ExtractionContext(common_lines=find_common_lines(list(pages.values()), len(pages)))
    return {name: extract_documents(name, tmp_path / name, text.encode(), context, "x")[0] for name, text in pages.items()}


@pytest.mark.parametrize("masthead, articles", [
    ("Sahel Chronicle Online", {
        "Manuscripts of Timbuktu digitised": BODY_EN,
        "New museum opens its doors in Agadez": "The museum of Agadez opened its doors to the public with an "
                                                "exhibition of jewellery, saddles and textiles lent by families of the city.",
    }),
    ("Le Courrier du Sahel", {
        "Les manuscrits de Tombouctou numérisés": BODY_FR,
        "Un nouveau musée ouvre ses portes à Agadez": "Le musée d'Agadez a ouvert ses portes au public avec une "
                                                      "exposition de bijoux, de selles et de tissus prêtés par les familles.",
    }),
])
def test_a_sites_own_name_is_learned_from_the_tops_of_its_pages(tmp_path, masthead, articles):
    pages = {f"p{i}.txt": f"{masthead}\n{headline}\n{body}" for i, (headline, body) in enumerate(articles.items())}
    docs = _pages(tmp_path, pages)
    assert [docs[f"p{i}.txt"].title for i in range(len(articles))] == list(articles)


def test_copies_of_one_article_keep_their_shared_headline(tmp_path):
    headline = "Manuscripts of Timbuktu digitised by the regional council"
    docs = _pages(tmp_path, {"a.txt": f"{headline}\n{BODY_EN}", "b.txt": f"{headline}\nNiamey –\n{BODY_EN}"})
    assert docs["a.txt"].title == docs["b.txt"].title == headline


from search.ingest.entities import credited_outlets, extract_entities, is_state_name  # noqa: E402


@pytest.mark.parametrize("text, lang, person", [
    # Subjects of verbs of speech and sources of quotes, with no title or role near them.
    ("Amina Diallo said the programme would reach every school of the region.", "en", "Amina Diallo"),
    ("According to Amina Diallo, the programme will reach every school.", "en", "Amina Diallo"),
    ("Amina Diallo a souligné l'importance du programme pour les écoles.", "fr", "Amina Diallo"),
    ("Selon Amina Diallo, le programme touchera toutes les écoles.", "fr", "Amina Diallo"),
    ("The session was chaired by Amina Diallo of the regional council.", "en", "Amina Diallo"),
    ("La séance était présidée par Amina Diallo, au nom du conseil régional.", "fr", "Amina Diallo"),
    # Words glued across markup: the title and the name put apart again.
    ("The session was opened by MsAminaDiallo, Director of the Centre.", "en", "Amina Diallo"),
])
def test_people_named_without_title_or_role(text, lang, person):
    assert person in extract_entities(text, lang)[0]


@pytest.mark.parametrize("text, lang", [
    ("The delegation visited Ahmad Jaam’s Mausoleum and the old town.", "en"),
    ("The forum was held at King Abdullah Economic City, which said it welcomed the guests.", "en"),
    ("La délégation a visité le Mausolée Mohammed V, qui a souligné son histoire.", "fr"),
    ("The meeting was hosted by Saudi Arabia and attended by Côte d’Ivoire.", "en"),
    ("La réunion a été accueillie par Arabie Saoudite et la Côte d’Ivoire.", "fr"),
])
def test_places_and_projects_built_like_names_are_no_people(text, lang):
    assert extract_entities(text, lang)[0] == []


@pytest.mark.parametrize("text, outlets", [
    ("RABAT (MAP) - Le ministre a reçu la délégation.", ["MAP"]),
    ("Dakar (APS) – La conférence s'est ouverte lundi.", ["APS"]),
    ("(WIRE- Sahel Times) The conference opened on Monday.", ["WIRE", "Sahel Times"]),
    ("NIAMEY, Niger, May 17, 2024 /SahelWire/ — The conference opened.", ["SahelWire"]),
    ("The post Forum opens appeared first on Sahel Monitor.", ["Sahel Monitor"]),
    ("L’article Le forum s’ouvre est apparu en premier sur Le Courrier du Sahel.", ["Le Courrier du Sahel"]),
    ("S.L. (avec APS)", ["APS"]),
    ("Niamey, le 27 mai 2019 - Le Premier ministre se rendra à Dakar.", []),
])
def test_agencies_and_outlets_credited_in_datelines_and_footers(text, outlets):
    assert credited_outlets(text) == outlets


@pytest.mark.parametrize("name, state", [
    ("Union of the Comoros", True),
    ("Russian Federation", True),
    ("Royaume du Maroc", True),
    ("African Union", False),
    ("Union africaine", False),
    ("Arab League", False),
    ("International Federation of Library Associations", False),
])
def test_states_are_not_organisations(name, state):
    assert is_state_name(name) is state


@pytest.mark.parametrize("text, lang, organisation", [
    ("The Ministry of Communication of Côte d’Ivoire signed the agreement.", "en", "Ministry of Communication of Côte d’Ivoire"),
    ("Les étudiants de l’Université Mohammed V de Rabat ont participé.", "fr", "Université Mohammed V de Rabat"),
    ("L’Institut supérieur des beaux-arts de Tunis a accueilli l’exposition.", "fr", "Institut supérieur des beaux-arts de Tunis"),
])
def test_organisation_names_are_read_whole(text, lang, organisation):
    assert organisation in extract_entities(text, lang)[1]


from search.ingest.entities import learn_from_corpus  # noqa: E402
from search.ingest.knowledge import cross_key  # noqa: E402


@pytest.mark.parametrize("french, english", [
    ("Bureau de l’UNESCO pour le Maghreb", "UNESCO Maghreb Office"),
    ("Centre du patrimoine du Sahel", "Sahel Heritage Centre"),
    ("Organisation islamique pour l’éducation, la science et la culture",
     "Islamic Organisation for Education, Sciences and Culture"),
])
def test_french_and_english_names_of_one_organisation_share_a_key(french, english):
    assert cross_key(french) is not None and cross_key(french) == cross_key(english)


@pytest.mark.parametrize("name", ["Ministry of Education", "Ministère de l’Éducation", "Bureau régional"])
def test_generic_names_of_different_bodies_do_not_meet(name):
    assert cross_key(name) is None


def test_an_archive_names_one_organisation_once_in_both_languages():
    texts = [
        "Le Bureau de l’UNESCO pour le Maghreb a organisé un atelier à Rabat avec les commissions nationales.",
        "The UNESCO Maghreb Office organised a workshop in Rabat with the national commissions.",
        "The UNESCO Maghreb Office also published its annual report on the region.",
    ]
    knowledge = learn_from_corpus(texts)
    found = [extract_entities(text, "fr" if i == 0 else "en", knowledge)[1] for i, text in enumerate(texts)]
    assert found[0] == found[1] == found[2] == ["UNESCO Maghreb Office"]


@pytest.mark.parametrize("text, lang, organisation", [
    ("The Sahel Manuscripts Conservation Programme (SMCP) trained forty archivists.", "en", "SMCP"),
    ("Le Réseau sahélien des archives nationales (RSAN) a formé quarante archivistes.", "fr", "RSAN"),
])
def test_an_acronym_defined_in_the_document_names_its_organisation(text, lang, organisation):
    assert extract_entities(text, lang)[1] == [organisation]


@pytest.mark.parametrize("text, expected", [
    # A teaser of another article, with its own date, stands above the article's headline and date.
    ("Forum on manuscripts closes in Bamako\n12 March 2024\n"
     "Sahel Regional Library Council signs an agreement with the University of Niamey\n14 May 2024\n"
     f"{BODY_EN}", "2024-05-14"),
    ("Le forum sur les manuscrits se clôt à Bamako\n12 mars 2024\n"
     "Le Conseil régional des bibliothèques du Sahel signe un accord avec l'université de Niamey\n14 mai 2024\n"
     f"{BODY_FR}", "2024-05-14"),
])
def test_the_date_under_the_headline_is_the_articles(tmp_path, text, expected):
    doc = _extract(tmp_path, text)
    assert doc.date == expected


@pytest.mark.parametrize("text, lang, expected", [
    # In a language the name grammar does not read, only names the gazetteer knows count.
    ("Die Islamischen Organisation Sitzung der Regionalen Kommission fand in Rabat statt, mit der ICESCO.", "de", ["ICESCO"]),
    ("La Organización Regional del Sahel se reunió en Niamey con la ICESCO.", "es", ["ICESCO"]),
])
def test_name_grammar_is_not_applied_to_other_languages(text, lang, expected):
    assert extract_entities(text, lang)[1] == expected


from search.ingest.entities import signature_names  # noqa: E402


@pytest.mark.parametrize("text, people, outlets", [
    (f"{BODY_EN}\nSahel24.com", [], ["Sahel24.com"]),
    (f"{BODY_FR}\nAPS", [], ["APS"]),
    (f"{BODY_FR} Noël Ndong", ["Noël Ndong"], []),
    (f"{BODY_EN} Amina Diallo |", ["Amina Diallo"], []),
    # A closing place, body or word of chrome signs nothing.
    (f"{BODY_EN}\nSaudi Arabia", [], []),
    (f"{BODY_EN} Islamic Development Bank", [], []),
    (f"{BODY_FR}\nFin", [], []),
    (f"{BODY_EN}\nRead more", [], []),
])
def test_a_signature_closing_the_text_names_its_writer_or_outlet(text, people, outlets):
    assert signature_names(text) == (people, outlets)


@pytest.mark.parametrize("archive, text, lang, person", [
    (["Dr Irina Petrova, directrice du centre, a ouvert la session."],
     "La réunion a rassemblé Irina Bokova et les ministres de la région.", "fr", "Irina Bokova"),
    (["Mr Khaled Osman, Director of the Centre, opened the session."],
     "The meeting brought together Khaled Fateh and the ministers of the region.", "en", "Khaled Fateh"),
])
def test_a_given_name_the_archive_gives_to_titled_people_marks_a_person(archive, text, lang, person):
    knowledge = learn_from_corpus(archive)
    assert person in extract_entities(text, lang, knowledge)[0]
    assert person not in extract_entities(text, lang)[0]  # without the archive, nothing marks it


def test_a_given_name_does_not_make_a_place_or_a_thing_a_person():
    knowledge = learn_from_corpus(["Mr Jordan Hill, Director of the Centre, opened the session."])
    found = extract_entities("The delegation visited Jordan and the Jordan Museum with its partners.", "en", knowledge)[0]
    assert found == []
