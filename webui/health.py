"""`GET /healthz` (DESIGN.md): whether an index is served, and by a cluster, each shard's state."""
from __future__ import annotations

from flask import Blueprint, jsonify

from .services import get_service

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 with the backend, document count and generation when serving; 503 naming what fails."""
    service = get_service()
    stats = service.stats()
    body = {"status": "ok", "backend": service.engine.name, "documents": stats["documents"],
            "generation": stats["generation"]}
    status = getattr(service.engine, "status", None)
    if status is not None:
        body["shards"] = status()
        down = [shard["shard"] for shard in body["shards"] if shard["status"] == "down"]
        if down:
            body["status"] = "shard down: " + ", ".join(down)
    if stats["generation"] is None:
        body["status"] = "no index"
    return jsonify(body), 200 if body["status"] == "ok" else 503
