"""Interface language: an explicit switch (kept in a cookie), else Accept-Language, else English."""
from __future__ import annotations

from flask import request
from flask_babel import Babel, get_locale

LANGUAGES = ("en", "fr")
COOKIE = "lang"


def select_locale() -> str:
    """The interface locale for this request."""
    chosen = request.args.get("ui") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


def init_app(app) -> None:
    """Set up Flask-Babel with our locale selector."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
