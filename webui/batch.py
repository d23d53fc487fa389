"""The batch search page: paste or upload a list of queries, get a table (and its CSV) of counts.

Without JavaScript the form posts the whole list and the page comes back with the table; with it,
static/batch.js posts the list in chunks to /batch/rows and shows the rows as they come.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from search.query.batch import MAX_LINES, BatchError, check_size, read_lines, run_batch
from search.query.results import SearchRequest

from .i18n import translate_notice
from .params import ParameterError, search_request
from .services import get_service
from .tables import csv_response, download_name
from .views import PageState

bp = Blueprint("batch", __name__)

ROWS_SHOWN_ORGS = 10
CHUNK = 25  # lines per request of static/batch.js: the table fills in steps of this size


def _filters() -> SearchRequest:
    """The filters the form (or the address) sets; the page folds copies as the search page does."""
    source = request.form if request.method == "POST" else request.args
    return search_request(source, fold=True)


def _queries() -> list[str]:
    """The form's list: the uploaded file when one was sent, else the text box."""
    upload = request.files.get("file")
    data = upload.read() if upload and upload.filename else None
    return read_lines(data if data else request.form.get("queries", ""))


def _page(status: int = 200, **context):
    """The page with its form (filled as posted) and whatever the context adds: results, an error."""
    try:
        filters = context.pop("filters", None) or _filters()
    except ParameterError:
        filters = SearchRequest(fold=True)
    context.setdefault("text", request.form.get("queries", ""))
    return render_template("batch.html", filters=filters, max_lines=MAX_LINES, chunk=CHUNK,
                           orgs_shown=ROWS_SHOWN_ORGS, **context), status


def _run():
    """The posted list's results, or raise ParameterError / BatchError with what is wrong."""
    filters = _filters()
    queries = _queries()
    check_size(queries)
    if not queries:
        raise BatchError("The list is empty: type or upload one query a line.")
    return run_batch(get_service(), queries, filters, float(current_app.config["BATCH_TIME_LIMIT"]))


@bp.get("/batch")
def page():
    """The batch search form."""
    try:
        return _page(filters=_filters())
    except ParameterError as exc:
        return _page(400, error=str(exc))


@bp.post("/batch")
def post():
    """The form posted: the page with the table, or its CSV when `format=csv`."""
    try:
        results = _run()
    except (ParameterError, BatchError) as exc:
        return _page(400, error=str(exc))
    if request.form.get("format") == "csv":
        return batch_csv(results)
    text = "\n".join(line.query for line in results.lines)
    return _page(results=results, text=text, links=_links(results), filters=results.request)


@bp.post("/batch/rows")
def rows():
    """Rows of the table for a chunk of the list (static/batch.js); `start` numbers its first line."""
    try:
        start = int(request.form.get("start", "0"))
        results = _run()
    except ValueError as exc:  # ParameterError and BatchError are ValueErrors too
        message = str(exc) if isinstance(exc, (ParameterError, BatchError)) else "'start' must be a whole number."
        return translate_notice(message), 400, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("batch_rows.html", results=results, start=max(start, 0),
                           links=_links(results), orgs_shown=ROWS_SHOWN_ORGS)


def _links(results) -> list[str]:
    """Each line's search page (same filters), or '' for a line that is not text."""
    state = PageState(results.request)
    return [state.query_url(line.query) if isinstance(line.query, str) else "" for line in results.lines]


def batch_csv(results):
    """The table as CSV: line, query, total, one column per year, organisations, notices, error, link."""
    years = results.years
    header = ["line", "query", "total", *years, "organisations", "notices", "error", "link"]
    root = url_for("views.index", _external=True).rstrip("/")
    table = []
    for number, (line, link) in enumerate(zip(results.lines, _links(results)), start=1):
        counts = {fv.value: fv.count for fv in line.year}
        per_year = [counts.get(y, 0) if line.total is not None else None for y in years]
        table.append([number, line.query, line.total, *per_year, [f"{fv.value} ({fv.count})" for fv in line.org],
                      line.notices, line.error, root + link if link else ""])
    return csv_response(header, table, download_name("batch", "", "csv"))
