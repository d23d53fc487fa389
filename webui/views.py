"""HTML pages: the search page and the document page (same parameters as the API)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from .params import ParameterError, search_request, valid_id
from .services import get_service

bp = Blueprint("views", __name__)


@bp.get("/")
def index():
    """The search page."""
    try:
        search = search_request(request.args)
    except ParameterError as exc:
        return render_template("error.html", message=str(exc)), 400
    results = get_service().search(search)
    return render_template("search.html", results=results, search=search)


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str):
    """A document page with the query's words highlighted."""
    view = get_service().document(doc_id, q=request.args.get("q", "")) if valid_id(doc_id) else None
    if view is None:
        abort(404)
    return render_template("document.html", view=view, doc=view.fields)
