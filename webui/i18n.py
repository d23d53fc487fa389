"""Interface language: an explicit switch (kept in a cookie), else Accept-Language, else English."""
from __future__ import annotations

import re

from flask import current_app, request
from flask_babel import Babel, get_locale, gettext

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
    (re.compile(r"Shard (\S+) did not answer: these results come from the other shards only\.$"),
     lambda m: gettext("Shard %(shard)s did not answer: these results come from the other shards only.",
                       shard=m.group(1))),
    (re.compile(r"The query was cut to its first (\d+) characters\.$"),
     lambda m: gettext("The query was cut to its first %(count)s characters.", count=m.group(1))),
    (re.compile(r"Unknown field\(s\) (.+) searched as words; fields are (.+)\.$"),
     lambda m: gettext("Unknown field(s) %(unknown)s searched as words; fields are %(known)s.",
                       unknown=m.group(1), known=m.group(2))),
]


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
