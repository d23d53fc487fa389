"""The Flask application: a thin web face over the `search` package."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Every setting: name → (default, help). The README documents each one (a test checks it).
SETTINGS = {
    "DOCS_DIR": (str(PROJECT_ROOT / "seeds"), "Folder of documents to index (recursively)."),
    "INDEX_DIR": (str(PROJECT_ROOT / "index_data"), "Folder where the index generations are written."),
    "SEARCH_TIME_LIMIT": (2.0, "Seconds a search may run before it answers with what it has."),
    "EXPORT_LIMIT": (10_000, "Most results one CSV/JSON export holds."),
    "EXTRACT_TIME_LIMIT": (60.0, "Seconds `flask reindex` may spend extracting one file before it stops that file's "
                                 "worker and retries it without entity extraction (then skips it)."),
    "EXTRACT_MEMORY_LIMIT": (1024, "Megabytes one file's extraction may take beyond its worker's start; past it the "
                                   "file is retried without entity extraction (then skipped)."),
    "BATCH_TIME_LIMIT": (25.0, "Seconds one batch request may run; lines still waiting then answer an error."),
    "BABEL_DEFAULT_LOCALE": ("en", "Interface language when the browser states no preference."),
    "SEARCH_BACKEND": ("whoosh", "The engine: `whoosh` (embedded in INDEX_DIR) or `xapian` (shards of XAPIAN_SHARDS)."),
    "XAPIAN_SHARDS": ("", "The xapian-tcpsrv shards, host:port comma-separated; a shard's replicas after its primary, |-separated."),
    "DASK_SCHEDULER": ("", "Address of a Dask scheduler: flask reindex then reads and extracts files on its workers."),
    "EDITOR_TOKEN": (None, "Token that lets editors curate people and organisations; unset: read-only."),
    "SECRET_KEY": (None, "Signs the editor's session cookie; derived from EDITOR_TOKEN when unset."),
}


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: defaults, then FLASK_* environment variables, then test_config."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping({name: default for name, (default, _help) in SETTINGS.items()})
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    for key in ("DOCS_DIR", "INDEX_DIR"):
        app.config[key] = os.path.abspath(os.fspath(app.config[key]))

    from . import api, batch, cli, editing, entity_api, entity_views, health, i18n, security, services, views

    services.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    editing.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(batch.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(entity_views.bp)
    app.register_blueprint(entity_api.bp)
    return app
