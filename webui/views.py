"""HTML pages: search, document, raw text, help; every page is a permalink (state in query params)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from markupsafe import Markup

from search.query.lead import body_start
from search.query.results import SearchRequest

from .charts import network_drawing
from .params import ParameterError, search_request, valid_id
from .services import get_entities, get_service

bp = Blueprint("views", __name__)

FACETS = ("org", "person", "year", "lang")
FACETS_SHOWN = 10
FILTER_BOX_FROM = 12
TITLE_WORDS = 12
DEFAULT_PER_PAGE = 10


class PageState:
    """The search parameters a page was asked with, and the links that change one of them."""

    def __init__(self, search: SearchRequest):
        self.search = search

    def pairs(self, page: int | None = None, q: str | None = None, facets: dict | None = None,
              sort: str | None = None) -> list[tuple[str, str]]:
        """The query parameters of this state with the given changes, defaults left out."""
        s = self.search
        q = s.q if q is None else q
        facets = {name: getattr(s, name) for name in FACETS} if facets is None else facets
        sort = s.sort if sort is None else sort
        out = [("q", q)] if q else []
        for name in FACETS:
            out += [(name, value) for value in facets.get(name, [])]
        if sort != "relevance":
            out.append(("sort", sort))
        if s.per_page != DEFAULT_PER_PAGE:
            out.append(("per_page", str(s.per_page)))
        if not s.fold:
            out.append(("fold", "0"))
        page = s.page if page is None else page
        if page > 1:
            out.append(("page", str(page)))
        return out

    def url(self, endpoint: str = "views.index", pairs=None, **values) -> str:
        """An URL of the app with these (or the current) query parameters."""
        pairs = self.pairs() if pairs is None else pairs
        base = url_for(endpoint, **values)
        return base + ("?" + urlencode(pairs) if pairs else "")

    def _facets_with(self, facet: str, value: str, selected: bool) -> dict:
        facets = {name: list(getattr(self.search, name)) for name in FACETS}
        values = [v for v in facets[facet] if v != value]
        facets[facet] = values + [value] if selected else values
        return facets

    def add_url(self, facet: str, value) -> str:
        """This search with one more value of a facet (first page)."""
        return self.url(pairs=self.pairs(page=1, facets=self._facets_with(facet, str(value), True)))

    def remove_url(self, facet: str, value) -> str:
        """This search without one value of a facet (first page)."""
        return self.url(pairs=self.pairs(page=1, facets=self._facets_with(facet, str(value), False)))

    def toggle_url(self, facet: str, value) -> str:
        """Select a facet value, or unselect it when it is selected."""
        selected = str(value) in getattr(self.search, facet)
        return self.remove_url(facet, value) if selected else self.add_url(facet, value)

    def page_url(self, page: int) -> str:
        """This search on another page."""
        return self.url(pairs=self.pairs(page=page))

    def query_url(self, q: str) -> str:
        """Another query with the same filters (first page)."""
        return self.url(pairs=self.pairs(page=1, q=q))

    def doc_url(self, doc_id: str) -> str:
        """A document page carrying this search."""
        return self.url("views.document", doc_id=doc_id)

    def export_url(self, fmt: str) -> str:
        """The whole result set of this search as CSV or JSON."""
        return self.url("api.export", pairs=self.pairs(page=1), fmt=fmt)

    def chips(self) -> list[tuple[str, str, str]]:
        """Active filters as (facet, value, URL that removes it)."""
        return [(name, value, self.remove_url(name, value)) for name in FACETS for value in getattr(self.search, name)]

    def hidden_fields(self) -> list[tuple[str, str]]:
        """Parameters the search form keeps when the query changes (filters, page size)."""
        return [(k, v) for k, v in self.pairs(page=1, q="", sort="relevance")]


def ui_url(lang: str) -> str:
    """The current page in another interface language."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "ui"] + [("ui", lang)]
    return request.path + "?" + urlencode(args)


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """Pages to link: first, last and a window around the current one; None marks a gap."""
    wanted = {1, last} | set(range(max(1, current - around), min(last, current + around) + 1))
    out: list[int | None] = []
    for number in sorted(wanted):
        if out and number - (out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out


def display_title(title: str | None, text: str) -> tuple[str, bool]:
    """The title, or the first words of the text's reading (past date stamps and counters) when
    there is none; True when it is a stand-in."""
    if title:
        return title, False
    words = text[body_start(text):].split()
    if not words:
        return "", True
    return " ".join(words[:TITLE_WORDS]) + (" …" if len(words) > TITLE_WORDS else ""), True


def hit_titles(hits, service) -> dict[str, tuple[str, bool]]:
    """Each hit's title, or for an untitled one the first words of its text (else its source)."""
    titles = {}
    for hit in hits:
        text = ""
        if not hit.title:
            view = service.document(hit.id, similar=0)
            text = view.fields["text"] if view else Markup(hit.snippet).striptags()
        title, untitled = display_title(hit.title, text)
        titles[hit.id] = (title or hit.source, untitled)
    return titles


@bp.app_template_global()
def facet_bar(count: int, largest: int) -> int:
    """Width step (0 to 20) of a facet count's bar, drawn with a CSS class (the CSP forbids inline styles)."""
    if count <= 0 or largest <= 0:
        return 0
    return max(1, round(20 * count / largest))


@bp.app_errorhandler(404)
def not_found(exc):
    """A 404 page, or 404 JSON under /api."""
    if request.path.startswith("/api/"):
        return jsonify(error="Not found."), 404
    return render_template("error.html", status=404), 404


def _bad_request(exc: ParameterError):
    return render_template("error.html", status=400, message=str(exc)), 400


@bp.get("/")
def index():
    """The search page."""
    try:
        search = search_request(request.args, DEFAULT_PER_PAGE, fold=True)
    except ParameterError as exc:
        return _bad_request(exc)
    service = get_service()
    results = service.search(search)
    # The network of the results is drawn on demand (`network=1`): laying it out costs more than a search.
    network = network_drawing(get_entities().graph(search)) if request.args.get("network") == "1" else None
    return render_template(
        "search.html", results=results, search=search, state=PageState(search), network=network,
        titles=hit_titles(results.hits, service),
        pages=page_numbers(results.page, results.pages), shown=FACETS_SHOWN, filter_from=FILTER_BOX_FROM,
    )


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str):
    """A document page with the query's words highlighted, its neighbours and translations."""
    try:
        search = search_request(request.args, DEFAULT_PER_PAGE, fold=True)
    except ParameterError as exc:
        return _bad_request(exc)
    service = get_service()
    view = service.document(doc_id, q=search.q, sentence=_span(request.args.get("sentence"))) if valid_id(doc_id) else None
    if view is None:
        abort(404)
    related = []
    for item in view.related:
        other = service.document(item.get("id", ""), similar=0) if valid_id(str(item.get("id", ""))) else None
        if other is not None:
            related.append({**item, "title": display_title(other.fields["title"], other.fields["text"])[0],
                            "lang": other.fields["lang"]})
    title, untitled = display_title(view.fields["title"], view.fields["text"])
    return render_template(
        "document.html", view=view, doc=view.fields, state=PageState(search), related=related,
        title=title or view.fields["source"], untitled=untitled, titles=hit_titles(view.similar, service),
    )


def _span(value: str | None) -> tuple[int, int] | None:
    """`START-END` (a meeting's sentence in the document's text) as a pair, else None."""
    start, _, end = (value or "").partition("-")
    if start.isdigit() and end.isdigit() and int(start) < int(end):
        return int(start), int(end)
    return None


@bp.get("/doc/<path:doc_id>/raw")
def raw(doc_id: str):
    """The document's original text, as it was read from its file."""
    view = get_service().document(doc_id, similar=0) if valid_id(doc_id) else None
    if view is None:
        abort(404)
    return Response(view.raw, mimetype="text/plain")


@bp.get("/help")
def help_page():
    """How to write queries, with examples in both languages."""
    return render_template("help.html", state=PageState(SearchRequest()))


@bp.app_context_processor
def _globals():
    return {"ui_url": ui_url}
