"""Query parameters shared by the pages and the API, checked early with a message that says why."""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from search.query.results import MAX_PER_PAGE, SORTS, SearchRequest

MAX_PAGE = 10_000
MAX_VALUES = 50
_ID = re.compile(r"^[A-Za-z0-9._-]{1,200}$")


class ParameterError(ValueError):
    """A query parameter outside what is allowed; the message tells what is."""


def _int(args, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ParameterError(f"'{name}' must be a whole number from {low} to {high}, not {raw[:40]!r}.") from None
    if not low <= value <= high:
        raise ParameterError(f"'{name}' must be from {low} to {high}, not {value}.")
    return value


def int_param(args, name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter from low to high (default when absent), else ParameterError."""
    return _int(args, name, default, low, high)


def search_request(args, default_per_page: int = 10, fold: bool = False) -> SearchRequest:
    """A SearchRequest from request args (q, org, person, year, lang, sort, page, per_page, fold)."""
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise ParameterError(f"'sort' must be one of {', '.join(SORTS)}, not {sort[:40]!r}.")
    lists = {}
    for name in ("org", "person", "year", "lang"):
        values = [v.strip() for v in args.getlist(name) if v and v.strip()]
        if len(values) > MAX_VALUES:
            raise ParameterError(f"At most {MAX_VALUES} values of '{name}' at once.")
        lists[name] = list(dict.fromkeys(v[:200] for v in values))
    for value in lists["year"]:
        if not value.isdigit() or len(value) != 4:
            raise ParameterError(f"'year' must be a four-digit year, not {value[:40]!r}.")
    fold_arg = args.get("fold")
    if fold_arg not in (None, ""):
        if fold_arg not in ("0", "1"):
            raise ParameterError(f"'fold' must be 1 (copies shown as one result) or 0, not {fold_arg[:40]!r}.")
        fold = fold_arg == "1"
    return SearchRequest(
        fold=fold,
        q=(args.get("q") or "")[:10_000],
        sort=sort,
        page=_int(args, "page", 1, 1, MAX_PAGE),
        per_page=_int(args, "per_page", default_per_page, 1, MAX_PER_PAGE),
        **lists,
    )


def valid_id(doc_id: str) -> bool:
    """Ids are URL-safe slugs; anything else (slashes, dots-only paths) is not an id."""
    return bool(_ID.match(doc_id)) and doc_id not in (".", "..")


def batch_request(body: dict) -> SearchRequest:
    """The filters a batch shares, from its JSON body: org, person, year, lang (a value or a list), fold."""
    args = MultiDict()
    for name in ("org", "person", "year", "lang"):
        value = body.get(name)
        values = value if isinstance(value, list) else [] if value is None else [value]
        for item in values:
            if not isinstance(item, (str, int)) or isinstance(item, bool):
                raise ParameterError(f"'{name}' must be text or a list of texts.")
            args.add(name, str(item))
    fold = body.get("fold", False)
    if not isinstance(fold, bool):
        raise ParameterError("'fold' must be true (copies of one article counted once) or false.")
    return search_request(args, fold=fold)
