"""Headers and exposure: CSP, no stack traces, no way to trigger a reindex over HTTP."""
from __future__ import annotations

import pytest

from search.index import indexer
from search.index import store
from webui import create_app


@pytest.mark.parametrize("url", ["/", "/?q=ICESCO", "/api/search?q=x", "/api/documents/nope", "/doc/nope",
                                 "/api/search?page=abc"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client):
    for url in ("/", "/?q=ICESCO"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " on" + "click=" not in html
        assert "javascript:" not in html


def test_production_app_is_not_in_debug_mode(docs_dir, index_dir, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app({"DOCS_DIR": str(docs_dir), "INDEX_DIR": str(index_dir)})
    assert not app.debug and not app.testing


@pytest.fixture
def production_client(docs_dir, index_dir, monkeypatch):
    """A non-testing app whose search raises an internal error naming a secret path."""
    app = create_app({"DOCS_DIR": str(docs_dir), "INDEX_DIR": str(index_dir)})

    def broken(*args, **kwargs):
        raise RuntimeError("boom in /srv/secret/config.py")

    service = app.extensions["search_service"]
    monkeypatch.setattr(service, "search", broken)
    monkeypatch.setattr(service, "document", broken)
    return app.test_client()


@pytest.mark.parametrize("url", ["/?q=x", "/doc/abc"])
def test_an_internal_error_page_reveals_nothing(production_client, url):
    response = production_client.get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "secret" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("url", ["/api/search?q=x", "/api/documents/abc"])
def test_an_internal_error_in_the_api_is_json_that_reveals_nothing(production_client, url):
    response = production_client.get(url)
    assert response.status_code == 500
    assert response.get_json() == {"error": "Internal server error; it was logged. Please try again."}


CURATION_ROUTES = {
    "/api/entities/<kind>/<key>/merge", "/api/entities/<kind>/<key>/rename", "/api/entities/<kind>/<key>/suppress",
    "/api/curation/<int:ident>", "/entity/<kind>/<key>/edit", "/curation/<int:ident>/undo", "/editor", "/editor/logout",
}


def test_no_route_can_trigger_a_reindex(app, client, monkeypatch):
    calls = []
    monkeypatch.setattr(indexer, "_run", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(store.ReindexLock, "acquire", lambda self: calls.append("lock") or self)
    rules = [rule for rule in app.url_map.iter_rules() if "reindex" in rule.rule.lower()]
    assert rules == []
    for rule in app.url_map.iter_rules():
        values = {name: 1 if name == "ident" else "reindex" for name in rule.arguments}  # /curation/<int:ident>
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in ("GET", "POST", "PUT", "DELETE"):
            client.open(url, method=method)
            client.open(url + "?reindex=1&full=1", method=method)
    for path in ("/reindex", "/api/reindex", "/admin/reindex"):
        assert client.post(path).status_code in (404, 405)
    assert calls == []
    # Only batch search (a list too long for an address) and the editors' curation (issue 18) take a
    # POST or DELETE; batch search reads, curation writes only DOCS_DIR/curation.toml; none reindexes.
    writers = {rule.rule for rule in app.url_map.iter_rules() if rule.methods - {"GET", "HEAD", "OPTIONS"}}
    assert writers == {"/batch", "/batch/rows", "/api/batch"} | CURATION_ROUTES
