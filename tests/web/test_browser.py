"""A researcher's path through the site in a real headless Chromium (Debian's), over a real server."""
from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def serve(app):
    """The app served on a free port of 127.0.0.1 until the generator is closed."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def server(app):
    """The app served on a free port of 127.0.0.1 for the length of a test."""
    yield from serve(app)


@pytest.fixture
def browser_page():
    """A page of a headless Chromium; skipped when Chromium is not installed."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian package `chromium`; `make browser` installs it as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed in this environment")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_researcher_searches_filters_reads_and_switches_to_french(server, browser_page):
    page = browser_page
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q", "the / key focuses the search box"

    page.fill("#q", "AICTO")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=AICTO"))
    assert "<mark>AICTO</mark>" in page.inner_html(".results")

    before = page.locator(".results .hit").count()
    page.locator('.facet[data-facet="year"] .facet-link', has_text="2024").first.click()
    page.wait_for_url(re.compile(r"year=2024"))
    assert page.locator(".chip", has_text="2024").is_visible()
    assert 0 < page.locator(".results .hit").count() <= before

    page.select_option("#sort", "-date")
    page.wait_for_url(re.compile(r"sort=-date"))
    assert page.locator(".chip", has_text="2024").is_visible(), "changing the order keeps the filters"

    page.locator(".results .hit-title a").first.click()
    page.wait_for_url(re.compile(r"/doc/.+\?q=AICTO&year=2024&sort=-date"))
    assert page.locator(".doc-text mark").first.inner_text() == "AICTO"
    english_date = page.locator(".doc-meta time").inner_text()
    assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}", english_date), english_date

    page.click("text=Français")
    page.wait_for_url(re.compile(r"ui=fr"))
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator(".doc-meta dt").first.inner_text().strip().lower() == "date"
    assert page.locator(".doc-meta").inner_text().lower().count("langue") == 1
    assert "Retour aux résultats" in page.locator(".back").inner_text()
    french_date = page.locator(".doc-meta time").inner_text()
    assert re.fullmatch(r"\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}",
                        french_date), french_date

    page.click(".back a")
    page.wait_for_url(re.compile(r"/\?q=AICTO"))
    assert "Rechercher dans les archives" in page.inner_text("body"), "the cookie keeps the interface in French"
    assert not problems, problems


@pytest.fixture
def editor_server(docs_dir, index_dir):
    """The app with an editor's token, served on a free port of 127.0.0.1."""
    from webui import create_app

    app = create_app({"TESTING": True, "DOCS_DIR": str(docs_dir), "INDEX_DIR": str(index_dir), "EDITOR_TOKEN": "browser-token"})
    yield from serve(app)


def test_researcher_follows_a_meeting_and_an_editor_merges_two_people(editor_server, browser_page):
    page = browser_page
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    server = editor_server

    page.goto(server + "/")
    page.locator('.facet[data-facet="person"] li', has_text="Salim M. AlMalik").locator(".facet-entity").click()
    page.wait_for_url(re.compile(r"/entity/person/"))
    assert page.locator("h1").inner_text() == "Salim M. AlMalik"
    assert page.locator(".timeline-svg rect").count() >= 3
    meeting = page.locator(".meeting", has_text="Saud Al-Harbi")
    assert meeting.locator("time").get_attribute("datetime") == "2024-07-26"
    page.locator(".network-svg .node").first.hover()
    assert page.locator(".network-svg .is-dim").count() + page.locator(".network-svg .is-lit").count() > 0, "hover lights the network"
    meeting.locator(".meeting-sentence a").click()
    page.wait_for_url(re.compile(r"/doc/003.+sentence="))
    assert "received Dr. Saud Al-Harbi" in page.locator("mark.sentence").inner_text()

    def facet_count(name: str) -> int | None:
        item = page.locator('.facet[data-facet="person"] li', has_text=name)
        return int(item.locator(".facet-count").inner_text()) if item.count() else None

    page.goto(server + "/")
    sally, omar = facet_count("Sally Mabrouk"), facet_count("Mohamed Ben Omar")
    assert sally and omar
    page.goto(server + "/editor")
    page.fill("#token", "browser-token")
    page.click(".editor-login button")
    page.wait_for_url(re.compile(r"/curation"))
    page.goto(server + "/")
    page.locator('.facet[data-facet="person"] li', has_text="Sally Mabrouk").locator(".facet-entity").click()
    page.wait_for_url(re.compile(r"/entity/person/"))
    page.fill("#merge-into", "Mohamed Ben Omar")
    with page.expect_navigation():
        page.click("form.merge-form button")
    assert page.locator("h1").inner_text() == "Mohamed Ben Omar"
    page.goto(server + "/")
    assert facet_count("Sally Mabrouk") is None
    assert facet_count("Mohamed Ben Omar") >= omar
    page.goto(server + "/curation")
    with page.expect_navigation():
        page.click(".curation-table button")
    page.goto(server + "/")
    assert facet_count("Sally Mabrouk") == sally
    assert not problems, problems


GUESTS = ["Karim Benali", "Youssef Amrani", "Nadia Fassi", "Omar Kettani", "Leila Bennani", "Samir Tazi",
          "Rachid Alaoui", "Hind Berrada", "Mehdi Sqalli", "Salma Chraibi", "Tarik Lahlou", "Imane Idrissi",
          "Hamza Filali", "Zineb Sebti"]


def _until(page, expression: str, seconds: float = 10) -> None:
    """Wait until a page expression is true (wait_for_function evaluates strings, which the CSP forbids)."""
    end = time.monotonic() + seconds
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < end, f"still false after {seconds} s: {expression}"
        page.wait_for_timeout(50)


def _active(page, expression: str):
    return page.evaluate(f"(() => {{ const e = document.activeElement; return {expression}; }})()")


def test_phone_width_has_a_filters_control_at_the_top_and_a_padded_header(server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/?q=ICESCO&org=ICESCO")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"
    assert page.locator(".brand").bounding_box()["x"] >= 8, "the site name keeps off the screen's edge"
    toggle = page.locator(".filters-toggle")
    assert toggle.is_visible() and toggle.inner_text().split() == ["Filters", "1"]
    top = toggle.bounding_box()
    assert top["y"] + top["height"] <= 844, "the control is on the first screen"
    assert top["y"] < page.locator(".results .hit").first.bounding_box()["y"]
    assert page.locator("#filters").bounding_box()["y"] > 844, "the filters themselves follow the results"
    toggle.click()
    page.wait_for_url(re.compile(r"#filters$"))
    _until(page, "Math.abs(document.getElementById('filters').getBoundingClientRect().top) < 60")
    assert page.locator('.facet[data-facet="org"] .facet-link').first.is_visible()
    page.locator("#filters .narrow-only a").click()
    _until(page, "Math.abs(document.getElementById('results').getBoundingClientRect().top) < 60")

    page.set_viewport_size({"width": 1280, "height": 900})
    assert not toggle.is_visible(), "wide screens show the filters beside the results, without the control"


def test_keyboard_skips_to_the_results_and_slash_focuses_the_box_on_every_page(server, browser_page):
    page = browser_page
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(server + "/?q=ICESCO")
    page.keyboard.press("Tab")
    assert _active(page, "e.textContent.trim()") == "Skip to results"
    assert page.locator(".skip-link").first.bounding_box()["x"] >= 0, "the skip link shows when focused"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first = page.locator(".results .hit-title a").first.get_attribute("href")
    assert _active(page, "e.getAttribute('href')") == first, "three key presses reach the first result"
    page.goto(server + "/?q=ICESCO")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _active(page, "e.textContent.trim()") == "Skip to filters"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _active(page, "!!e.closest('#filters')"), "the next Tab is in the filters"

    for url in ("/help", first, "/batch", "/doc/nope"):
        page.goto(server + url)
        page.keyboard.press("/")
        assert _active(page, "e.id") == "q", url
    page.goto(server + "/batch")
    page.click("#queries")
    page.keyboard.type("a/b")
    assert page.input_value("#queries") == "a/b", "typing / in a field types it"
    assert not problems, problems


def test_batch_page_shows_progress_and_downloads_the_table(server, browser_page, tmp_path):
    page = browser_page
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(server + "/batch")
    lines = ["ICESCO", "AICTO", "!!!"] + [f"coopération {i}" for i in range(27)]
    page.fill("#queries", "\n".join(lines) + "\n\n")
    page.click("text=Search every line")
    _until(page, "document.querySelectorAll('#batch-rows tr').length === 30", 60)
    assert page.locator("#batch-progress-text").inner_text() == "30 of 30 lines searched"
    assert page.locator("#batch-progress").get_attribute("value") == "30"
    rows = page.locator("#batch-rows tr")
    assert rows.nth(0).locator("td").nth(0).inner_text() == "1" and rows.nth(29).locator("td").nth(0).inner_text() == "30"
    assert rows.nth(0).locator(".batch-query a").get_attribute("href") == "/?q=ICESCO"
    assert "no searchable words" in rows.nth(2).inner_text()
    icesco = page.request.get(server + "/api/search?q=ICESCO&fold=1").json()["total"]
    assert rows.nth(0).locator(".batch-total").inner_text() == str(icesco)

    with page.expect_download() as download:
        page.click("text=Download the table (CSV)")
    saved = tmp_path / "batch.csv"
    download.value.save_as(saved)
    assert re.fullmatch(r"batch-\d{4}-\d{2}-\d{2}\.csv", download.value.suggested_filename)
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfline,query,total,") and data.decode("utf-8-sig").count("\n") == 31

    page.fill("#queries", "\n".join(["ICESCO"] * 1001))
    page.click("text=Search every line")
    assert "at most 1,000 queries, not 1,001" in page.locator("#batch-error").inner_text()
    assert not problems, problems


def test_more_count_follows_the_facet_filter_box(server, browser_page, app, docs_dir):
    for i, guest in enumerate(GUESTS):
        (docs_dir / f"extra_{i:02d}.txt").write_text(
            f"Visite officielle\n\nLe 3 mars 2023, M. {guest} a été reçu au siège de l'ICESCO à Rabat "
            f"pour parler de coopération numérique.\n", encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    page = browser_page
    page.goto(server + "/")
    facet = page.locator('.facet[data-facet="person"]')
    summary = facet.locator("details summary")
    before = summary.inner_text()
    hidden = facet.locator("details .facet-list li")
    assert before == f"{hidden.count()} more"
    needle = hidden.first.get_attribute("data-value")
    facet.locator(".facet-filter").fill(needle)
    left = facet.locator("details .facet-list li:not(.is-filtered-out)").count()
    assert 1 <= left < hidden.count() and summary.inner_text() == f"{left} more"
    facet.locator(".facet-filter").fill("zzzz-nobody")
    assert not facet.locator("details").is_visible(), "nothing more to show: the control goes"
    facet.locator(".facet-filter").fill("")
    assert summary.inner_text() == before and facet.locator("details").is_visible()
