"""The entity API (DESIGN.md, Entities): the list, an entity, the network of a search, curation."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from search.index.curation import CurationError
from search.query.entities import KINDS, SORTS
from search.query.entity_service import EntityError
from search.query.network import GRAPH_NODES, MAX_NODES, gexf

from .editing import api_refusal
from .params import ParameterError, int_param, search_request
from .services import get_entities

bp = Blueprint("entity_api", __name__, url_prefix="/api")
MAX_ENTITIES_PER_PAGE = 500


@bp.errorhandler(ParameterError)
def _bad_parameter(exc):
    return jsonify(error=str(exc)), 400


def entity_query(args) -> dict:
    """The list's parameters: kind, q, sort, page, per_page, checked."""
    kind = args.get("kind") or "person"
    if kind not in KINDS:
        raise ParameterError(f"'kind' must be person or org, not {kind[:40]!r}.")
    sort = args.get("sort") or "count"
    if sort not in SORTS:
        raise ParameterError(f"'sort' must be one of {', '.join(SORTS)}, not {sort[:40]!r}.")
    return {"kind": kind, "q": (args.get("q") or "")[:200], "sort": sort,
            "page": int_param(args, "page", 1, 1, 10_000),
            "per_page": int_param(args, "per_page", 50, 1, MAX_ENTITIES_PER_PAGE)}


@bp.get("/entities")
def entities():
    """People or organisations with counts and first and last dates."""
    return jsonify(get_entities().entities(**entity_query(request.args)))


@bp.get("/entities/<kind>/<key>")
def entity(kind: str, key: str):
    """One person or organisation: name, variants, roles, timeline, related, meetings."""
    page = get_entities().entity(kind, key)
    if page is None:
        return jsonify(error=f"No {kind[:20]} with key {key[:200]!r}."), 404
    return jsonify(page)


def graph_of_request():
    """The network of the request's search (its filters applied), `limit` entities at most."""
    limit = int_param(request.args, "limit", GRAPH_NODES, 1, MAX_NODES)
    return get_entities().graph(search_request(request.args), limit)


@bp.get("/graph")
def graph():
    """The co-mention network of a search: {"nodes", "edges"}."""
    return jsonify(graph_of_request())


@bp.get("/graph.gexf")
def graph_gexf():
    """The same network as GEXF, for Gephi."""
    response = Response(gexf(graph_of_request()), mimetype="application/xml")
    response.headers["Content-Disposition"] = 'attachment; filename="search-network.gexf"'
    return response


def _curate(kind: str, key: str, do):
    refusal = api_refusal()
    if refusal is not None:
        return refusal
    try:
        action = do(get_entities())
    except EntityError as exc:
        status = 404 if str(exc).startswith("No ") else 400
        return jsonify(error=str(exc)), status
    except CurationError as exc:
        return jsonify(error=str(exc)), 409
    current_app.logger.info("curation: %s %s %s at %s", action.action, kind, key, action.at)
    return jsonify(get_entities().describe(action)), 201


def _body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else request.form.to_dict()


@bp.post("/entities/<kind>/<key>/merge")
def merge(kind: str, key: str):
    """Merge this entity into another: {"into": KEY}."""
    into = str(_body().get("into") or "")
    return _curate(kind, key, lambda service: service.merge(kind, key, into) if into else _missing("into"))


@bp.post("/entities/<kind>/<key>/rename")
def rename(kind: str, key: str):
    """Show this entity under another name: {"name": NAME}."""
    name = str(_body().get("name") or "")
    return _curate(kind, key, lambda service: service.rename(kind, key, name) if name else _missing("name"))


@bp.post("/entities/<kind>/<key>/suppress")
def suppress(kind: str, key: str):
    """Take a false entity out of facets, filters, pages and the network."""
    return _curate(kind, key, lambda service: service.suppress(kind, key))


def _missing(name: str):
    raise EntityError(f"The request needs {name!r} in its JSON body.")


@bp.get("/curation")
def curation():
    """Every curation action in the order they apply."""
    return jsonify(get_entities().actions())


@bp.delete("/curation/<int:ident>")
def undo(ident: int):
    """Undo one action."""
    refusal = api_refusal()
    if refusal is not None:
        return refusal
    action = get_entities().undo(ident)
    if action is None:
        return jsonify(error=f"No curation action {ident}."), 404
    current_app.logger.info("curation: undid %s (%s %s)", ident, action.action, action.kind)
    return jsonify({"undone": action.as_dict()})
