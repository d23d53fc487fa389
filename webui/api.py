"""The JSON API (DESIGN.md): /api/search, /api/documents/<id>, and exports of a result set."""
from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import get_locale

from search.query.labels import display_name

from .params import ParameterError, search_request, valid_id
from .services import get_service

bp = Blueprint("api", __name__, url_prefix="/api")

EXPORT_COLUMNS = ("id", "title", "date", "lang", "organisations", "people", "source")
RESULT_FIELDS = ("id", "title", "lang", "date", "year", "organisations", "people", "source", "snippet")


@bp.errorhandler(ParameterError)
def _bad_parameter(exc):
    return jsonify(error=str(exc)), 400


def results_json(results) -> dict:
    """The API's search answer: one rendering of the service's SearchResults."""
    return {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "results": [{name: getattr(hit, name) for name in RESULT_FIELDS} for hit in results.hits],
        "facets": {
            name: [{"value": fv.value, "count": fv.count, **({"key": fv.key} if fv.key else {})} for fv in values]
            for name, values in results.facets.items()
        },
        "suggestion": results.suggestion,
        "notices": results.notices,
        "also": results.also,
        "timed_out": results.timed_out,
    }


@bp.get("/search")
def search():
    """Search with facets: parameters q, org, person, year, lang, sort, page, per_page."""
    results = get_service().search(search_request(request.args))
    return jsonify(results_json(results))


@bp.get("/documents/<path:doc_id>")
def document(doc_id: str):
    """One document's fields and cleaned text; 404 JSON for an unknown id."""
    view = get_service().document(doc_id, similar=0) if valid_id(doc_id) else None
    if view is None:
        return jsonify(error=f"No document with id {doc_id[:200]!r}."), 404
    return jsonify({**view.fields, "related": view.related})


@bp.get("/export.<fmt>")
def export(fmt: str):
    """The whole result set (capped) as CSV or JSON: id, title, date, lang, entities, source."""
    if fmt not in ("csv", "json"):
        return jsonify(error="Export format must be csv or json."), 404
    limit = int(current_app.config["EXPORT_LIMIT"])
    rows, total, truncated = get_service().export(search_request(request.args), limit=limit)
    locale = str(get_locale() or "en")  # organisations under the interface language's names
    for row in rows:
        row["organisations"] = [display_name("org", name, locale) for name in row["organisations"]]
    note = f"Export cut at {limit} of {total} results." if truncated else None
    if fmt == "json":
        body = json.dumps({"total": total, "exported": len(rows), "note": note, "results": rows}, ensure_ascii=False)
        response = Response(body, mimetype="application/json")
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow([_csv_cell(row[c]) for c in EXPORT_COLUMNS])
        if note:
            writer.writerow([f"# {note}"])
        response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="search-results.{fmt}"'
    return response


def _csv_cell(value) -> str:
    if isinstance(value, list):
        value = "; ".join(value)
    value = "" if value is None else str(value)
    # Spreadsheets execute cells that start with these characters: neutralise them.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
