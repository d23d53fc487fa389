"""Interface language: an explicit switch (kept in a cookie), else Accept-Language, else English."""
from __future__ import annotations

import re

from flask import current_app, request
from flask_babel import Babel, format_decimal, get_locale, gettext

LANGUAGES = ("en", "fr")
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def select_locale() -> str:
    """The interface locale for this request."""
    chosen = request.args.get("ui") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    return request.accept_languages.best_match(LANGUAGES) or (default if default in LANGUAGES else "en")


def remember_choice(response):
    """Keep an explicit `?ui=` choice in the `lang` cookie for the next pages."""
    chosen = request.args.get("ui")
    if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


# The service speaks English; these are the notices it gives, with their translations.
_NOTICES = [
    (re.compile(r"The query syntax could not be read; it was searched as plain words\.$"),
     lambda m: gettext("The query syntax could not be read; it was searched as plain words.")),
    (re.compile(r"The query has no searchable words\.$"),
     lambda m: gettext("The query has no searchable words.")),
    (re.compile(r"There is no index yet: run `flask reindex`\.$"),
     lambda m: gettext("There is no index yet: run `flask reindex`.")),
    (re.compile(r"The search took too long and was stopped"),
     lambda m: gettext("The search took too long and was stopped: results may be incomplete. "
                       "Try more specific words.")),
    (re.compile(r"The query was cut to its first (\d+) characters\.$"),
     lambda m: gettext("The query was cut to its first %(count)s characters.", count=m.group(1))),
    (re.compile(r"A quote was not closed: (.+) was read as a phrase\.$"),
     lambda m: gettext("A quote was not closed: %(phrase)s was read as a phrase.", phrase=m.group(1))),
    (re.compile(r"A closing bracket had no opening one: it was ignored\.$"),
     lambda m: gettext("A closing bracket had no opening one: it was ignored.")),
    (re.compile(r"A bracket was not closed: it was closed at the end of the query\.$"),
     lambda m: gettext("A bracket was not closed: it was closed at the end of the query.")),
    (re.compile(r'In "(.+)", (.+) must appear as written: inside quotes every word counts\.$'),
     lambda m: gettext('In "%(phrase)s", %(words)s must appear as written: inside quotes every word counts.',
                       phrase=m.group(1), words=m.group(2))),
    (re.compile(r"«(.+)» matches ([\d,]+) words: the ([\d,]+) most frequent were searched\. "
                r"Type more letters to search the others\.$"),
     lambda m: gettext("«%(pattern)s» matches %(count)s words: the %(kept)s most frequent were searched. "
                       "Type more letters to search the others.", pattern=m.group(1), count=m.group(2), kept=m.group(3))),
    (re.compile(r"Unknown field\(s\) (.+) searched as words; fields are (.+)\.$"),
     lambda m: gettext("Unknown field(s) %(unknown)s searched as words; fields are %(known)s.",
                       unknown=m.group(1), known=m.group(2))),
    # Batch search (search/query/batch.py): a line's error, or why a list was refused.
    (re.compile(r"A query must be text\.$"), lambda m: gettext("A query must be text.")),
    (re.compile(r"Empty line: nothing to search"),
     lambda m: gettext("Empty line: nothing to search (* searches every document).")),
    (re.compile(r"The search of this line took too long"),
     lambda m: gettext("The search of this line took too long and was stopped: its counts may be incomplete.")),
    (re.compile(r"Not searched: the batch ran past its time limit of ([\d.]+) s\."),
     lambda m: gettext("Not searched: the batch ran past its time limit of %(seconds)s s. Search the remaining "
                       "lines again.", seconds=m.group(1))),
    (re.compile(r"This line could not be searched because of an internal error"),
     lambda m: gettext("This line could not be searched because of an internal error (it was logged).")),
    (re.compile(r"A batch holds at most ([\d,]+) queries, not ([\d,]+): split the list\.$"),
     lambda m: gettext("A batch holds at most %(max)s queries, not %(count)s: split the list.",
                       max=_number(m.group(1)), count=_number(m.group(2)))),
    (re.compile(r"The list is empty"), lambda m: gettext("The list is empty: type or upload one query a line.")),
    (re.compile(r"The file could not be read as text"),
     lambda m: gettext("The file could not be read as text: send a plain text list, one query a line.")),
]


def _number(text: str) -> str:
    """A number the service wrote in English (`1,000`) in the interface's format."""
    return format_decimal(int(text.replace(",", "")))


def translate_notice(text: str) -> str:
    """A service notice in the interface language (unchanged when it is not a known one)."""
    for pattern, render in _NOTICES:
        match = pattern.match(text)
        if match:
            return render(match)
    return text


def init_app(app) -> None:
    """Set up Flask-Babel with our locale selector and the cookie of an explicit choice."""
    from . import formatting

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["languages"] = LANGUAGES
    app.add_template_filter(translate_notice, "notice")
    app.after_request(remember_choice)
    formatting.init_app(app)
