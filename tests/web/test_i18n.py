"""The interface in French and English: switch, cookie, Accept-Language, catalogue, dates and numbers."""
from __future__ import annotations
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from search.index.schema import build_schema
from search.query.parse import FRIENDLY_FIELDS, parse_query
from webui.formatting import language_name, localized_date, localized_number, text_direction
from conftest import PROJECT

CATALOGUE = PROJECT / "webui" / "translations" / "fr" / "LC_MESSAGES"
DOC = "000_f63f00728d386dc6.txt"


def html(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_english_by_default(client):
    page = html(client.get("/"))
    assert '<html lang="en">' in page and "Search the archive" in page


@pytest.mark.parametrize("header, lang", [
    ("fr-FR,fr;q=0.9,en;q=0.5", "fr"),
    ("fr-CA", "fr"),
    ("en-GB,en;q=0.8", "en"),
    ("de-DE,de;q=0.9", "en"),
    ("de,fr;q=0.5", "fr"),
])
def test_accept_language_picks_the_interface(client, header, lang):
    page = html(client.get("/", headers={"Accept-Language": header}))
    assert f'<html lang="{lang}">' in page


def test_french_interface_shows_french_labels_and_dates(client):
    page = html(client.get("/", query_string={"q": "AICTO"}, headers={"Accept-Language": "fr"}))
    for label in ("Rechercher dans les archives", "Organisations", "Personnes", "Année", "Langue",
                  "Trier par", "Pertinence", "Exporter ces résultats", "Aide"):
        assert label in page, label
    assert '<time datetime="2024-05-29">29 mai 2024</time>' in page
    assert "documents" in page and "Search the archive" not in page


def test_switch_sets_a_cookie_that_later_pages_follow(client):
    page = html(client.get("/", query_string={"ui": "fr"}, headers={"Accept-Language": "en"}))
    assert '<html lang="fr">' in page
    assert client.get_cookie("lang").value == "fr"
    later = html(client.get(f"/doc/{DOC}", headers={"Accept-Language": "en"}))
    assert '<html lang="fr">' in later and "29 mai 2024" in later and "Texte d’origine" in later
    back = html(client.get("/help", query_string={"ui": "en"}))
    assert '<html lang="en">' in back and client.get_cookie("lang").value == "en"


def test_unknown_switch_value_is_ignored(client):
    page = html(client.get("/", query_string={"ui": "xx"}, headers={"Accept-Language": "fr"}))
    assert '<html lang="fr">' in page and client.get_cookie("lang") is None


def test_switch_links_keep_the_page_and_its_search(client):
    page = html(client.get("/", query_string=[("q", "AICTO"), ("org", "ICESCO")]))
    assert 'href="/?q=AICTO&amp;org=ICESCO&amp;ui=fr"' in page
    assert 'href="/?q=AICTO&amp;org=ICESCO&amp;ui=en"' in page


def test_notices_are_translated(client):
    service_notice = "The query syntax could not be read; it was searched as plain words."
    with client.application.test_request_context(headers={"Accept-Language": "fr"}):
        from webui.i18n import translate_notice
        assert translate_notice(service_notice).startswith("La syntaxe de la requête")
        assert "xyz:" in translate_notice("Unknown field(s) xyz: searched as words; fields are title:, org:.")
        assert translate_notice("Something new.") == "Something new."
        shard = "Shard 10.0.0.7:7000 did not answer: these results come from the other shards only."
        assert translate_notice(shard).startswith("Le fragment 10.0.0.7:7000 n’a pas répondu")
    page = html(client.get("/", query_string={"q": "xyz:AICTO", "ui": "fr"}))
    assert "Champ(s) inconnu(s) xyz:" in page


@pytest.mark.parametrize("lang, date, number, name", [
    ("en", "May 28, 2024", "1,234", "French"),
    ("fr", "28 mai 2024", "1\u202f234", "Français"),
])
def test_dates_numbers_and_language_names_follow_the_locale(app, lang, date, number, name):
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert localized_date("2024-05-28") == date
        assert localized_number(1234) == number
        assert language_name("fr") == name
        assert localized_date(None) == "" and localized_date("2024") == "2024"
        assert language_name("und") == "" and language_name("zz-not-a-code!") == "zz-not-a-code!"
        assert language_name("fuv") == "fuv"  # detected by the language model, unknown to Babel
        assert text_direction("fuv") == "ltr" and text_direction("ar") == "rtl"


def test_result_count_is_formatted_for_the_locale(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        from flask import render_template_string
        text = render_template_string('{{ ngettext("%(num)s document", "%(num)s documents", 1234, num=1234|number) }}')
        assert text == "1\u202f234 documents"


def test_every_interface_string_has_a_french_translation():
    extracted = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(PROJECT), method_map=_method_map(), options_map={})
        if message[0].startswith("webui")
    }
    with open(CATALOGUE / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue if m.id}
    missing = sorted(extracted - set(translated))
    assert not missing, f"not in messages.po (run pybabel extract/update): {missing}"
    for message in translated.values():
        assert message.string and all(message.string if isinstance(message.string, tuple) else [message.string])
        assert "fuzzy" not in message.flags, message.id


def test_compiled_catalogue_is_up_to_date():
    mo = CATALOGUE / "messages.mo"
    assert mo.exists(), "compile the catalogue: make translations"
    with open(CATALOGUE / "messages.po", "rb") as handle:
        po_ids = {_key(m.id) for m in read_po(handle) if m.id}
    with open(mo, "rb") as handle:
        mo_ids = {_key(m.id) for m in read_mo(handle) if m.id}
    assert po_ids == mo_ids, "messages.mo is stale: make translations"


def _key(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _method_map():
    with open(PROJECT / "babel.cfg", encoding="utf-8") as handle:
        from babel.messages.frontend import parse_mapping_cfg
        method_map, _options = parse_mapping_cfg(handle)
    return method_map


def test_french_chips_have_a_non_breaking_space_before_the_colon(client):
    page = html(client.get("/", query_string={"q": "ICESCO", "year": "2024", "org": "ICESCO", "ui": "fr"}))
    chips = re.findall(r'<span class="chip-facet">([^<]*)</span>', page)
    assert sorted(chips) == ["Année\u00a0:", "Organisations\u00a0:"]
    english = html(client.get("/", query_string={"q": "ICESCO", "year": "2024", "ui": "en"}))
    assert re.findall(r'<span class="chip-facet">([^<]*)</span>', english) == ["Year:"]


def test_french_placeholder_shows_french_field_names_the_parser_reads(client):
    page = html(client.get("/", query_string={"ui": "fr"}))
    placeholder = re.search(r'<input id="q"[^>]*placeholder="([^"]*)"', page, re.S).group(1)
    names = re.findall(r"([^\s,]+):", placeholder)
    assert {"personne", "année"} <= set(names)
    assert all(name in FRIENDLY_FIELDS for name in names), names
    schema = build_schema()
    for french, english in (("personne:AlMalik", "person:AlMalik"), ("année:2024", "year:2024")):
        assert parse_query(french, schema).query == parse_query(english, schema).query


def test_more_summary_carries_its_count_template_for_the_filter_box(client, docs_dir, app):
    for i in range(14):
        (docs_dir / f"extra_{i:02d}.txt").write_text(
            f"Visite officielle\n\nLe 3 mars 2023, M. Invité{chr(65 + i)} Numéro{i} a été reçu au siège de "
            f"l'ICESCO à Rabat.\n", encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    page = html(client.get("/", query_string={"ui": "fr"}))
    section = page[page.index('data-facet="person"'):]
    summary = re.search(r'<summary data-template="([^"]*)">([^<]*)</summary>', section)
    assert summary.group(1) == "{count} de plus"
    assert summary.group(2).endswith(" de plus") and summary.group(2)[0].isdigit()
