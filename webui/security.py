"""Response headers that keep a crafted document or URL from running script in a researcher's browser,
and a 500 answer that reveals nothing about the server."""
from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import InternalServerError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

# Plain HTML with no template: an error inside the templates must not stop the error page.
ERROR_PAGE = (
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>Server error</title></head><body>"
    "<h1>Server error</h1><p>Something went wrong on our side; the error was logged. "
    "Please try again, or <a href=\"/\">start a new search</a>.</p></body></html>"
)


def init_app(app) -> None:
    """Add the security headers to every response and answer internal errors without details."""

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.errorhandler(InternalServerError)
    def _server_error(exc):
        # Flask has logged the exception with its traceback; the client learns only that it failed.
        if request.path.startswith("/api/"):
            return jsonify(error="Internal server error; it was logged. Please try again."), 500
        return ERROR_PAGE, 500, {"Content-Type": "text/html; charset=utf-8"}
