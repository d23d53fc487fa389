"""A researcher's path through the site in a real headless Chromium (Debian's), over a real server."""
from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def server(app):
    """The app served on a free port of 127.0.0.1 for the length of a test."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


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
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


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
