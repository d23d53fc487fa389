"""The README documents every setting, command, URL and API field (it fails when one is missed)."""
from __future__ import annotations

import re

import pytest

from webui import SETTINGS, create_app
from webui.api import EXPORT_COLUMNS
from conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")
SEARCH_FIELDS = ("query", "total", "page", "per_page", "results", "facets", "suggestion", "notices", "timed_out", "partial")
RESULT_FIELDS = ("id", "title", "lang", "date", "year", "organisations", "people", "source", "snippet")
PARAMETERS = ("q", "org", "person", "year", "lang", "sort", "page", "per_page")
# DESIGN.md's Entities: the list, an entity's page, the network, curation.
ENTITY_FIELDS = ("kind", "key", "name", "count", "first", "last", "variants", "form", "roles", "role", "timeline",
                 "period", "related", "score", "meetings", "participants", "sentence", "document", "start", "end",
                 "nodes", "edges", "source", "target", "weight", "into", "action", "keys", "aliases", "at", "limit")
BATCH_FIELDS = ("queries", "fold", "results", "query", "total", "year", "org", "error", "notices")


def _app():
    return create_app({"TESTING": True})


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_every_setting_is_documented(setting):
    assert f"`{setting}`" in README
    assert f"`FLASK_{setting}`" in README


@pytest.mark.parametrize("command", sorted(_app().cli.list_commands(None)))
def test_every_command_is_documented(command):
    assert f"flask {command}" in README


def test_reindex_options_are_documented():
    assert "`flask reindex`" in README and "flask reindex --full" in README


ROUTES = sorted({(method, r.rule) for r in _app().url_map.iter_rules() if r.endpoint != "static"
                 for method in r.methods & {"GET", "POST"}})


@pytest.mark.parametrize("method, rule", ROUTES)
def test_every_url_is_documented(method, rule):
    documented = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "<id>" if m.group(1) == "doc_id" else f"<{m.group(1)}>", rule)
    documented = documented.replace("<fmt>", "csv")
    assert f"`{method} {documented}" in README or (method == "GET" and f"`{documented}`" in README), documented


@pytest.mark.parametrize("field", SEARCH_FIELDS + RESULT_FIELDS + EXPORT_COLUMNS + PARAMETERS + BATCH_FIELDS)
def test_every_api_field_and_parameter_is_documented(field):
    assert f'"{field}"' in README or f"`{field}`" in README, field


@pytest.mark.parametrize("field", ENTITY_FIELDS)
def test_every_entity_field_is_documented(field):
    assert f'"{field}"' in README or f"`{field}`" in README, field


@pytest.mark.parametrize("sort", ["relevance", "date", "-date"])
def test_every_sort_is_documented(sort):
    assert f"`{sort}`" in README
