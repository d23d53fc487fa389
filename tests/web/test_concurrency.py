"""The site keeps answering while `flask reindex` runs and switches, and serves the new index after."""
from __future__ import annotations

import threading
import time

import pytest

from test_reindex_cli import run_reindex, start_paused_reindex
from webui import create_app


@pytest.mark.slow
def test_the_site_answers_during_a_reindex_and_follows_the_switch(docs_dir, index_dir):
    app = create_app({"DOCS_DIR": str(docs_dir), "INDEX_DIR": str(index_dir)})
    client = app.test_client()
    baseline = client.get("/api/search?q=ICESCO").get_json()["total"]
    (docs_dir / "capybara.txt").write_text(
        "Capybara report\n\nICESCO published its capybara study in Rabat on 8 August 2024.\n", encoding="utf-8")
    failures: list[str] = []
    totals: list[int] = []
    stop = threading.Event()

    def hammer():
        local = app.test_client()
        while not stop.is_set():
            for url in ("/api/search?q=ICESCO", "/?q=ICESCO", "/api/search?q="):
                response = local.get(url)
                if response.status_code != 200:
                    failures.append(f"{url} {response.status_code}")
                elif url == "/api/search?q=ICESCO":
                    totals.append(response.get_json()["total"])

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        paused = start_paused_reindex(docs_dir, index_dir, "switching", "--full", seconds=1)
        paused.wait(timeout=60)  # it resumes, switches and exits while the threads keep asking
        assert paused.returncode == 0, paused.stderr.read()
        time.sleep(0.3)
        second = run_reindex(docs_dir, index_dir, "--full")  # a second switch: the first gen is deleted
        assert second.returncode == 0, second.stderr
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert failures == []
    assert totals and set(totals) <= {baseline, baseline + 1}
    assert totals[-1] == baseline + 1
    assert [hit["source"] for hit in client.get("/api/search?q=capybara").get_json()["results"]] == ["capybara.txt"]


def test_a_request_keeps_its_generation_open_across_two_switches(docs_dir, index_dir):
    """A request still running on a generation two reindexes old reads it to the end; the
    generation closes when that request ends, and one nobody uses closes at once."""
    from search.index.indexer import reindex
    from search.query.service import SearchRequest, SearchService

    service = SearchService(index_dir)
    with service._using() as first:
        reindex(docs_dir, index_dir, full=True)
        middle = service._current()
        reindex(docs_dir, index_dir, full=True)
        latest = service.search(SearchRequest(q="ICESCO"))
        assert latest.total > 0 and service.stats()["generation"] not in (first.token, middle.token)
        assert middle._closed  # retired with no request on it
        assert not first._closed and first.view().stored_fields(0)["id"]
    assert first._closed
