"""Extraction on kinds of pages and phrases rather than on pages of one site, in French and English.

Every text here is written for the test: a kind of page (an encyclopedia entry, a news article) or
a kind of phrase, never a copy of a corpus page.
"""
import pytest

from search.cleaning import clean_text
from search.documents import content_hash
from search.extract import ExtractionContext, extract_documents
from search.kinds import is_reference_page
from search.titles import extract_title

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
