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
