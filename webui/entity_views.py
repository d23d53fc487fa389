"""Entity pages: /entities (the list), /entity/<kind>/<key> (one person or organisation), the
editor's log-in and the curation list with its undo buttons."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale

from search.index.curation import CurationError
from search.query.entity_service import EntityError
from search.query.labels import display_name
from search.query.results import SearchRequest

from .charts import network_drawing, timeline_bars
from .editing import editing_enabled, is_editor, log_in, log_out, require_editor_form
from .entity_api import entity_query
from .params import ParameterError
from .services import get_entities

bp = Blueprint("entities", __name__)
DATALIST_SIZE = 300  # names offered as you type in the merge form
MEETINGS_SHOWN, VARIANTS_SHOWN = 50, 30  # on the page; the API gives them all


@bp.app_template_global()
def entity_name(kind: str, name: str) -> str:
    """A person's or organisation's name as the interface's language shows it."""
    return display_name(kind, name, str(get_locale() or "en"))


@bp.app_template_global()
def entity_url(kind: str, key: str | None) -> str:
    """The page of a person or organisation (keys are URL-safe; written out: a page links hundreds)."""
    return f"{request.script_root}/entity/{quote(kind)}/{quote(key)}" if key else ""


@bp.app_template_global()
def search_url(**facets) -> str:
    """A search filtered by the given values ({"person": [...], "org": [...]})."""
    pairs = [(name, value) for name, values in facets.items() for value in values]
    return f"{request.script_root}/?" + urlencode(pairs)


@bp.app_template_global()
def both_url(kind: str, name: str, other_kind: str, other: str) -> str:
    """A search for the documents naming both (two values of one facet would be OR-ed: the second
    is then a required field clause of the query)."""
    if other_kind != kind:
        return search_url(**{kind: [name], other_kind: [other]})
    if other == name:
        return search_url(**{kind: [name]})
    field = "person" if kind == "person" else "org"
    return search_url(**{kind: [name]}) + "&" + urlencode({"q": f'{field}:"{other}"'})


@bp.get("/entities")
def entities():
    """Every person or organisation, filterable and sortable."""
    try:
        query = entity_query(request.args)
    except ParameterError as exc:
        return render_template("error.html", status=400, message=str(exc)), 400
    listing = get_entities().entities(**query)
    pages = max(1, -(-listing["total"] // query["per_page"]))
    return render_template("entities.html", listing=listing, query=query, pages=pages)


@bp.get("/entity/<kind>/<key>")
def entity(kind: str, key: str):
    """A person's or organisation's page: variants, roles, timeline, related, meetings, network."""
    service = get_entities()
    page = service.entity(kind, key)
    if page is None:
        abort(404)
    if page["key"] != key:  # merged into another, or a former key: the entity's own page
        return redirect(url_for("entities.entity", kind=kind, key=page["key"]), 302)
    network = service.graph(SearchRequest(), focus=(kind, key))
    names = service.entities(kind, per_page=DATALIST_SIZE)["results"] if is_editor() else []
    return render_template("entity.html", entity=page, chart=timeline_bars(page["timeline"]),
                           network=network_drawing(network), names=names,
                           meetings_shown=MEETINGS_SHOWN, variants_shown=VARIANTS_SHOWN,
                           error=request.args.get("error"))


@bp.post("/entity/<kind>/<key>/edit")
def edit(kind: str, key: str):
    """An editor's form: merge into another (`into`: key or name), rename (`name`) or suppress."""
    require_editor_form()
    service = get_entities()
    action = request.form.get("action")
    try:
        if action == "merge":
            into = _key_of(kind, request.form.get("into", ""))
            done = service.merge(kind, key, into)
            target = into
        elif action == "rename":
            done = service.rename(kind, key, request.form.get("name", ""))
            target = key
        elif action == "suppress":
            done = service.suppress(kind, key)
            target = None
        else:
            abort(400)
    except (EntityError, CurationError) as exc:
        return redirect(url_for("entities.entity", kind=kind, key=key, error=str(exc)[:300]))
    current_app.logger.info("curation (browser): %s %s %s at %s", done.action, kind, key, done.at)
    if target is None:
        return redirect(url_for("entities.curation"))
    return redirect(url_for("entities.entity", kind=kind, key=target))


def _key_of(kind: str, given: str) -> str:
    """A key typed or picked in the merge form: a key, or an entity's exact name."""
    given = " ".join(given.split())
    service = get_entities()
    if service.entity(kind, given) is not None:
        return given
    for row in service.entities(kind, q=given, per_page=50)["results"]:
        if row["name"].lower() == given.lower() or entity_name(kind, row["name"]).lower() == given.lower():
            return row["key"]
    raise EntityError(f"No {kind} named {given[:200]!r}.")


@bp.route("/editor", methods=["GET", "POST"])
def editor():
    """The editor's log-in: the EDITOR_TOKEN opens a session whose forms carry a CSRF token."""
    if not editing_enabled():
        return render_template("editor.html", disabled=True), 403
    if request.method == "POST":
        if not log_in(request.form.get("token", "")):
            return render_template("editor.html", wrong=True), 401
        current_app.logger.info("editor logged in from %s", request.remote_addr)
        return redirect(_local(request.form.get("next")) or url_for("entities.curation"))
    return render_template("editor.html", next=_local(request.args.get("next")))


def _local(url: str | None) -> str | None:
    """A redirect target on this site only."""
    return url if url and url.startswith("/") and not url.startswith("//") and "\\" not in url else None


@bp.post("/editor/logout")
def logout():
    """End the editor's session."""
    require_editor_form()
    log_out()
    return redirect(url_for("views.index"))


@bp.get("/curation")
def curation():
    """Every curation action, each with an undo button for editors."""
    service = get_entities()
    return render_template("curation.html", actions=service.actions(), error=service.error)


@bp.post("/curation/<int:ident>/undo")
def undo(ident: int):
    """Undo one curation action (an editor's form)."""
    require_editor_form()
    if get_entities().undo(ident) is None:
        abort(404)
    current_app.logger.info("curation (browser): undid %s", ident)
    return redirect(url_for("entities.curation"))
