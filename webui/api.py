"""The JSON API (DESIGN.md): /api/search, /api/documents/<id>, exports of a result set, batch search."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import get_locale

from search.query.labels import display_name

from search.query.batch import BatchError, run_batch

from .params import ParameterError, batch_request, search_request, valid_id
from .services import get_service
from .tables import attachment, csv_response, download_name

bp = Blueprint("api", __name__, url_prefix="/api")

EXPORT_COLUMNS = ("id", "title", "date", "lang", "organisations", "people", "source", "url")
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
        "partial": results.partial,
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
    """The whole result set (capped) as CSV or JSON: id, title, date, lang, entities, source, url."""
    if fmt not in ("csv", "json"):
        return jsonify(error="Export format must be csv or json."), 404
    limit = int(current_app.config["EXPORT_LIMIT"])
    search_args = search_request(request.args)
    rows, total, truncated = get_service().export(search_args, limit=limit)
    locale = str(get_locale() or "en")  # organisations under the interface language's names
    for row in rows:
        row["url"] = url_for("views.document", doc_id=row["id"], _external=True)
        row["organisations"] = [display_name("org", name, locale) for name in row["organisations"]]
    note = f"Export cut at {limit} of {total} results." if truncated else None
    filename = download_name("search", search_args.q, fmt)
    if fmt == "json":
        body = json.dumps({"total": total, "exported": len(rows), "note": note, "results": rows}, ensure_ascii=False)
        return attachment(Response(body, mimetype="application/json"), filename)
    table = [[row[c] for c in EXPORT_COLUMNS] for row in rows]
    if note:
        table.append([f"# {note}"])
    return csv_response(EXPORT_COLUMNS, table, filename)


@bp.post("/batch")
def batch():
    """Batch search (DESIGN.md): {"queries": [...], "org", "person", "year", "lang"} → a count per query."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ParameterError('Send a JSON object: {"queries": ["...", ...], "org", "person", "year", "lang"}.')
    queries = body.get("queries")
    if not isinstance(queries, list):
        raise ParameterError('"queries" must be a list of queries (text), at most 1,000.')
    try:
        results = run_batch(get_service(), queries, batch_request(body),
                            float(current_app.config["BATCH_TIME_LIMIT"]))
    except BatchError as exc:
        raise ParameterError(str(exc)) from None
    return jsonify(results=[batch_line_json(line) for line in results.lines])


def batch_line_json(line) -> dict:
    """One line of the batch answer."""
    return {
        "query": line.query,
        "total": line.total,
        "year": [{"value": fv.value, "count": fv.count} for fv in line.year],
        "org": [{"value": fv.value, "count": fv.count, **({"key": fv.key} if fv.key else {})} for fv in line.org],
        "error": line.error,
        "notices": line.notices,
    }
