"""Who may edit: `EDITOR_TOKEN` as a bearer token for the API, a session (signed cookie) with a CSRF
token for the browser's forms. Without EDITOR_TOKEN the site is read-only."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import abort, current_app, jsonify, request, session


def init_app(app) -> None:
    """Sign sessions with SECRET_KEY, or with a key derived from EDITOR_TOKEN when it is unset."""
    token = app.config.get("EDITOR_TOKEN")
    if not app.config.get("SECRET_KEY") and token:
        app.config["SECRET_KEY"] = hashlib.sha256(b"archive-search session\0" + str(token).encode()).hexdigest()
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.jinja_env.globals["is_editor"] = is_editor
    app.jinja_env.globals["editing_enabled"] = editing_enabled
    app.jinja_env.globals["csrf_token"] = csrf_token


def editing_enabled() -> bool:
    """True when EDITOR_TOKEN is set."""
    return bool(current_app.config.get("EDITOR_TOKEN"))


def token_matches(given: str | None) -> bool:
    """The given token is EDITOR_TOKEN (compared in constant time)."""
    token = current_app.config.get("EDITOR_TOKEN")
    return bool(token and given) and hmac.compare_digest(str(given).encode(), str(token).encode())


def api_refusal():
    """None when the request carries the editor's bearer token; else the JSON answer: 403 when
    editing is disabled, 401 when the token is missing or wrong."""
    if not editing_enabled():
        return jsonify(error="Editing is disabled on this site: set EDITOR_TOKEN to enable it."), 403
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else None
    if not token_matches(given):
        response = jsonify(error="Editing needs 'Authorization: Bearer <EDITOR_TOKEN>' with the right token.")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response, 401
    return None


def is_editor() -> bool:
    """The browser's session is an editor's."""
    return editing_enabled() and session.get("editor") == _fingerprint()


def _fingerprint() -> str:
    # A session stays an editor's only while EDITOR_TOKEN is the token it logged in with.
    return hashlib.sha256(str(current_app.config.get("EDITOR_TOKEN")).encode()).hexdigest()[:16]


def log_in(given: str) -> bool:
    """Start an editor's session when the token is right."""
    if not token_matches(given):
        return False
    session.clear()
    session["editor"] = _fingerprint()
    session["csrf"] = secrets.token_urlsafe(24)
    return True


def log_out() -> None:
    """End the editor's session."""
    session.clear()


def csrf_token() -> str:
    """The session's CSRF token, for the forms of an editor's pages."""
    return session.get("csrf", "")


def require_editor_form() -> None:
    """A form post from an editor's session with its CSRF token, or 403."""
    if not editing_enabled():
        abort(403)
    given = request.form.get("csrf_token", "")
    if not is_editor() or not session.get("csrf") or not hmac.compare_digest(given.encode(), session["csrf"].encode()):
        abort(403)
