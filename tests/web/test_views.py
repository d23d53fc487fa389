"""The pages: search, document, raw text, help and errors, rendered from a real index of the seeds."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest

from webui.views import display_title, page_numbers

XSS = "<script>alert(1)</script>"


class Links(HTMLParser):
    """Every <a href> with its text, inline scripts and style attributes of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.inline_scripts, self.styles, self._a = [], 0, 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs or tag == "style":
            self.styles += 1
        if tag == "script" and not attrs.get("src"):
            self.inline_scripts += 1
        if any(name.startswith("on") for name in attrs):
            self.inline_scripts += 1
        if tag == "a" and "href" in attrs:
            self._a = [attrs["href"], "", attrs.get("class") or ""]
            self.links.append(self._a)

    def handle_data(self, data):
        if self._a is not None:
            self._a[1] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._a = None


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def page(client, url="/", status=200, **params) -> str:
    response = client.get(url, query_string=params, headers={"Accept-Language": "en"})
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def api(client, **params) -> dict:
    return client.get("/api/search", query_string=params).get_json()


def doc_links(html: str) -> list[str]:
    return [href for href, _text, _cls in parse(html).links if urlsplit(href).path.startswith("/doc/")
            and not urlsplit(href).path.endswith("/raw")]


def test_search_page_has_landmarks_label_and_count(client):
    html = page(client, q="AICTO")
    for landmark in ("<header", "<nav", "<main", "<aside"):
        assert landmark in html
    assert '<label for="q"' in html and 'id="q"' in html
    total = api(client, q="AICTO", fold="1")["total"]  # the page folds copies of one article
    assert f"{total} documents" in html


def test_results_link_to_documents_carrying_the_query(client):
    html = page(client, q="AICTO", org="ICESCO")
    links = doc_links(html)
    assert links
    for href in links:
        params = parse_qsl(urlsplit(href).query)
        assert ("q", "AICTO") in params and ("org", "ICESCO") in params


def test_result_shows_date_language_source_and_snippet(client):
    html = page(client, q="AICTO")
    assert '<time datetime="2024-05-29">May 29, 2024</time>' in html
    assert 'class="lang-badge" title="French">FR</abbr>' in html
    assert "000_f63f00728d386dc6.txt" in html
    assert "<mark>AICTO</mark>" in html


def test_entity_links_add_their_filter(client):
    html = page(client, q="AICTO", year="2024")
    entity = [href for href, text, cls in parse(html).links if "entity-org" in cls and text.strip() == "AICTO"]
    assert entity
    params = parse_qsl(urlsplit(entity[0]).query)
    assert ("org", "AICTO") in params and ("year", "2024") in params and ("q", "AICTO") in params


def test_facet_links_toggle_and_chips_remove(client):
    html = page(client, org="AICTO")
    links = parse(html).links
    chip = [href for href, _t, cls in links if cls == "chip"]
    assert len(chip) == 1 and "org=" not in chip[0]
    year_links = [href for href, _t, cls in links if "facet-link" in cls and "year=2024" in href]
    assert year_links and "org=AICTO" in year_links[0]
    narrowed = page(client, org="AICTO", year="2024")
    assert len([1 for _h, _t, cls in parse(narrowed).links if cls == "chip"]) == 2
    assert api(client, org="AICTO", year="2024")["total"] <= api(client, org="AICTO")["total"]


def test_years_are_chronological_with_a_bar_each(client):
    html = page(client)
    years = re.findall(r'<li data-value="(\d{4})">', html)
    assert years and years == sorted(years)
    assert len(re.findall(r'class="bar bar-\d+"', html)) == len(years)


def test_long_facet_lists_show_ten_and_the_rest_behind_more(client, docs_dir, app):
    guests = ["Karim Benali", "Youssef Amrani", "Nadia Fassi", "Omar Kettani", "Leila Bennani", "Samir Tazi",
              "Rachid Alaoui", "Hind Berrada", "Mehdi Sqalli", "Salma Chraibi", "Tarik Lahlou", "Imane Idrissi",
              "Hamza Filali", "Zineb Sebti"]
    for i, guest in enumerate(guests):
        (docs_dir / f"extra_{i:02d}.txt").write_text(
            f"Visite officielle\n\nLe 3 mars 2023, M. {guest} a été reçu au siège de l'ICESCO à Rabat "
            f"pour parler de coopération numérique.\n", encoding="utf-8")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reindex"]).exit_code == 0
    html = page(client)
    people = api(client)["facets"]["person"]
    assert len(people) > 12
    section = html[html.index('data-facet="person"'):]
    section = section[: section.index("</section>")]
    first_list = section[: section.index("<details")]
    assert first_list.count("<li ") == 10
    assert 'class="facet-filter" hidden' in section
    assert f"{len(people) - 10} more" in section


def test_empty_query_lists_newest_first(client):
    html = page(client)
    dates = re.findall(r'<time datetime="(\d{4}-\d{2}-\d{2})">', html)
    assert dates and dates == sorted(dates, reverse=True)


def test_sort_and_pagination_are_links_with_all_state(client):
    html = page(client, per_page="2", sort="date")
    assert '<option value="date" selected>' in html
    pages = [href for href, text, _cls in parse(html).links if text.strip() == "2"]
    assert pages
    params = dict(parse_qsl(urlsplit(pages[0]).query))
    assert params == {"sort": "date", "per_page": "2", "page": "2"}
    second = page(client, per_page="2", sort="date", page="2")
    assert 'rel="prev"' in second and 'rel="next"' in second
    assert 'aria-current="page" href="/?sort=date&amp;per_page=2&amp;page=2"' in second


def test_suggestion_is_a_link(client):
    answer = api(client, q="AICTTO")
    if not answer["suggestion"]:
        pytest.skip("no suggestion for this misspelling on this index")
    html = page(client, q="AICTTO")
    assert "Did you mean" in html
    assert any(text == answer["suggestion"] for _h, text, _c in parse(html).links)


def test_export_links_carry_the_search(client):
    html = page(client, q="AICTO", org="ICESCO", page="1")
    exports = [href for href, _t, _c in parse(html).links if href.startswith("/api/export.")]
    assert sorted(urlsplit(h).path for h in exports) == ["/api/export.csv", "/api/export.json"]
    assert all(dict(parse_qsl(urlsplit(h).query)) == {"q": "AICTO", "org": "ICESCO"} for h in exports)


def test_untitled_results_are_marked_with_their_first_words(client):
    untitled = [hit for hit in api(client, per_page=100)["results"] if not hit["title"]]
    html = page(client)
    for hit in untitled:
        link = [text for href, text, cls in parse(html).links if cls == "untitled" and hit["id"] in href]
        assert link and "Untitled" in link[0]
    assert display_title(None, "one two three") == ("one two three", True)
    assert display_title("A title", "text") == ("A title", False)
    assert display_title(None, " ".join(["w"] * 20))[0].endswith("…")


@pytest.mark.parametrize("params", [
    {"q": XSS},
    {"q": XSS + " AICTTO"},
    {"org": XSS},
    {"person": XSS, "q": "ICESCO"},
    {"lang": XSS},
])
def test_script_is_escaped_everywhere(client, params):
    html = page(client, **params)
    assert XSS not in html
    assert "&lt;script&gt;" in html
    assert parse(html).inline_scripts == 0


def test_script_query_is_escaped_on_the_document_page(client):
    doc_id = api(client, q="AICTO")["results"][0]["id"]
    html = page(client, f"/doc/{doc_id}", q=XSS + " AICTO")
    assert XSS not in html and "q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E" in html


def test_bad_parameter_gets_a_400_page(client):
    html = page(client, status=400, page="abc")
    assert "Bad request" in html and "&#39;page&#39; must be a whole number" in html
    assert page(client, "/doc/000_f63f00728d386dc6.txt", status=400, per_page="0")


def test_pages_have_no_inline_script_or_style_and_a_csp(client):
    doc_id = api(client)["results"][0]["id"]
    for url in ("/", "/?q=AICTO", f"/doc/{doc_id}", "/help", "/doc/nope"):
        response = client.get(url)
        links = parse(response.get_data(as_text=True))
        assert links.inline_scripts == 0 and links.styles == 0, url
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        for target in re.findall(r'(?:src|href)="([^"]*)"', response.get_data(as_text=True)):
            assert target.startswith(("/", "#", "?")) and not target.startswith("//"), (url, target)


def test_static_assets_are_served(client):
    for name in ("app.css", "app.js", "favicon.svg"):
        assert client.get(f"/static/{name}").status_code == 200


def test_document_page_highlights_and_links(client):
    doc_id = "000_f63f00728d386dc6.txt"
    html = page(client, f"/doc/{doc_id}", q="AICTO", org="ICESCO")
    assert "<mark>AICTO</mark>" in html
    assert "Signature d’un accord de coopération" in html
    assert "May 29, 2024" in html and ">French<" in html and doc_id in html
    links = parse(html).links
    assert any(href == f"/doc/{doc_id}/raw" for href, _t, _c in links)
    back = [href for href, text, _c in links if "Back to the results" in text]
    assert back and dict(parse_qsl(urlsplit(back[0]).query)) == {"q": "AICTO", "org": "ICESCO"}
    entity = [href for href, text, cls in links if "entity-org" in cls and text.strip() == "AICTO"]
    assert entity and ("org", "AICTO") in parse_qsl(urlsplit(entity[0]).query)
    assert "More like this" in html
    similar = doc_links(html.split("More like this", 1)[1])
    assert similar and len(similar) <= 5


def test_document_page_shows_related_versions(client, app, monkeypatch):
    service = app.extensions["search_service"]
    real = service.document
    doc_id, other = "000_f63f00728d386dc6.txt", "001_2b910b306ed54871.txt"

    def with_related(the_id, *args, **kwargs):
        view = real(the_id, *args, **kwargs)
        if view is not None and the_id == doc_id:
            view.related = [{"id": other, "relation": "translation"}]
        return view

    monkeypatch.setattr(service, "document", with_related)
    html = page(client, f"/doc/{doc_id}")
    assert "Also in English" in html and f"/doc/{other}" in html


def test_raw_text_is_plain_utf8(client):
    doc_id = "000_f63f00728d386dc6.txt"
    response = client.get(f"/doc/{doc_id}/raw")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Signature d’un accord de coopération" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/doc/nope", "/doc/nope/raw", "/doc/..", "/nowhere"])
def test_unknown_pages_are_404_pages(client, url):
    html = page(client, url, status=404)
    assert "Not found" in html and "<main" in html


def test_help_documents_the_query_syntax(client):
    html = page(client, "/help")
    for example in ("AND", "OR", "NOT", "&#34;digital governance&#34;", "title:", "org:", "person:",
                    "year:", "lang:", "date:[2024-01 TO 2024-06]", "date:2024-05", "gouvernance~", "coop*"):
        assert example in html, example
    examples = [href for href, _t, cls in parse(html).links if cls == "example"]
    for href in examples:
        assert client.get(href).status_code == 200


@pytest.mark.parametrize("current, last, expected", [
    (1, 1, [1]),
    (1, 3, [1, 2, 3]),
    (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
    (10, 10, [1, None, 8, 9, 10]),
])
def test_page_numbers_keep_ends_and_a_window(current, last, expected):
    assert page_numbers(current, last) == expected


def test_folded_copies_are_linked_from_their_hit(client, app):
    from search.query.service import SearchRequest

    hits = app.extensions["search_service"].search(SearchRequest(per_page=100)).hits
    with_copies = [hit for hit in hits if getattr(hit, "copies", None)]
    if not with_copies:
        pytest.skip("no copies folded on this index")
    html = page(client, per_page="100")
    for hit in with_copies:
        for copy in hit.copies:
            assert f'href="/doc/{copy}?per_page=100"' in html


def test_first_tab_stops_skip_to_the_results_then_the_filters(client):
    html = page(client, q="ICESCO")
    links = parse(html).links
    assert [(href, text.strip()) for href, text, _c in links[:2]] == [
        ("#results", "Skip to results"), ("#filters", "Skip to filters")]
    results = html[html.index('id="results"'):]
    first_link = re.search(r'<a [^>]*href="([^"]+)"', results).group(1)
    assert urlsplit(first_link).path.startswith("/doc/"), "the next Tab after the skip reaches the first result"
    assert re.search(r'<aside id="filters" class="facets"[^>]*tabindex="-1"', html)
    assert re.search(r'id="results" [^>]*tabindex="-1"', html)


@pytest.mark.parametrize("url, status", [("/help", 200), ("/batch", 200), ("/doc/000_f63f00728d386dc6.txt", 200),
                                         ("/doc/nope", 404), ("/?page=abc", 400), ("/?q=AICTO", 200)])
def test_every_page_has_one_search_box_for_the_slash_key(client, url, status):
    html = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    boxes = re.findall(r'<input id="q" name="q" type="search"', html)
    assert len(boxes) == 1, url
    form = html[html.rindex("<form", 0, html.index('id="q"')):]
    assert re.match(r'<form [^>]*action="/" method="get"', form)


def test_document_page_box_holds_the_query_it_came_from(client):
    html = page(client, "/doc/000_f63f00728d386dc6.txt", q="AICTO")
    assert re.search(r'<input id="q" name="q" type="search" value="AICTO"', html)


def test_narrow_screens_get_a_filters_link_above_the_results(client):
    html = page(client, q="ICESCO", org="ICESCO", year="2024")
    toggle = re.search(r'<a class="filters-toggle" href="#filters">Filters <span class="count-badge">2</span></a>', html)
    assert toggle and toggle.start() < html.index('class="hit"')
    css = client.get("/static/app.css").get_data(as_text=True)
    narrow = css[css.index("@media (max-width: 56rem)"):]
    assert ".narrow-only { display: block; }" in narrow[: narrow.index("}\n}")]
    assert re.search(r"^\.narrow-only \{ display: none; \}", css, re.M)
    assert ".header-row { padding: 0.4rem 0; }" not in css, "the header keeps the side padding of .wrap"


def test_a_page_past_the_end_says_so_and_links_to_the_last_page(client):
    total = api(client, q="ICESCO", fold="1")["total"]
    last = -(-total // 2)
    html = page(client, q="ICESCO", per_page="2", page="99")
    assert f"{total} documents" in html
    assert last > 1 and f"Page 99 is past the end of these results: they fill {last} pages." in html
    assert "No document matches" not in html and 'class="pagination"' not in html
    links = {text.strip(): href for href, text, _c in parse(html).links}
    assert dict(parse_qsl(urlsplit(links[f"Go to the last page ({last})"]).query)) == {
        "q": "ICESCO", "per_page": "2", "page": str(last)}
    assert "Page 99" not in page(client, q="ICESCO", per_page="2", page=str(last))
    assert "No document matches" in page(client, q="zzzqqxnothing", page="2")
