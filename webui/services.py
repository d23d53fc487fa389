"""The search service that requests share: one per process, following index switches."""
from __future__ import annotations

from flask import current_app

from search.index.backends import engine_for
from search.query.entity_service import EntityService
from search.query.service import SearchService


def init_app(app) -> None:
    """Attach one SearchService to the app (it opens the index lazily, on first use)."""
    app.extensions["search_service"] = SearchService(
        app.config["INDEX_DIR"],
        time_limit=float(app.config["SEARCH_TIME_LIMIT"]),
        docs_dir=app.config["DOCS_DIR"],
        engine=configured_engine(app.config),
    )
    app.extensions["entity_service"] = EntityService(app.extensions["search_service"])


def configured_engine(config):
    """The engine SEARCH_BACKEND names (with XAPIAN_SHARDS for `xapian`)."""
    return engine_for(str(config["SEARCH_BACKEND"]).strip().lower(), str(config["XAPIAN_SHARDS"]))


def get_service() -> SearchService:
    """The app's SearchService."""
    return current_app.extensions["search_service"]


def get_entities() -> EntityService:
    """The app's EntityService (people and organisations, the network, curation)."""
    return current_app.extensions["entity_service"]
