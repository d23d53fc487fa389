"""Arabic documents display right to left, in results and on their page; the interface does not."""
from __future__ import annotations

import re

import pytest

from search.index.indexer import reindex
from webui import create_app

ARABIC = (
    "أكد المدير العام لمنظمة العالم الإسلامي للتربية والعلوم والثقافة، الدكتور سالم بن محمد المالك، حرص "
    "المنظمة الدائم على تطوير العلاقات مع جميع الدول الأعضاء ودعمها في النهوض بمجالات التربية والعلوم والثقافة."
)
FRENCH = "L’ICESCO et le patrimoine\n\nRabat, 3 juin 2024. Le Directeur général a présenté le programme du patrimoine."


@pytest.fixture
def client(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ar.txt").write_text(ARABIC, encoding="utf-8")
    (docs / "fr.txt").write_text(FRENCH, encoding="utf-8")
    reindex(docs, tmp_path / "index")
    app = create_app({"TESTING": True, "DOCS_DIR": str(docs), "INDEX_DIR": str(tmp_path / "index")})
    return app.test_client()


@pytest.mark.parametrize("ui", ["fr", "en"])
def test_arabic_snippets_are_right_to_left_and_others_are_not(client, ui):
    html = client.get(f"/?q=التربية+patrimoine&ui={ui}").get_data(as_text=True)
    snippets = re.findall(r'<p class="snippet"([^>]*)>', html)
    assert ' lang="ar" dir="rtl"' in snippets
    assert "" in snippets  # the French one has no direction of its own
    assert '<html lang="%s">' % ui in html


def test_an_arabic_document_page_is_right_to_left(client):
    answer = client.get("/api/search?q=التربية").get_json()
    doc_id = answer["results"][0]["id"]
    assert answer["results"][0]["lang"] == "ar"
    html = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    assert '<div class="doc-text" dir="rtl">' in html
