"""The one place that chooses HTTP statuses for errors, as a generic page or the API's JSON shape."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from roi_tracker import db
from roi_tracker.domain import errors

log = logging.getLogger(__name__)

STATUS: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Forbidden: 403,
    errors.AuthenticationFailed: 401,
    errors.Throttled: 429,
    errors.AuditUnavailable: 503,
    errors.Gone: 410,
    errors.TooLarge: 413,
    errors.UnsupportedType: 415,
    errors.IntegrityFailure: 500,
    errors.Defective: 422,
    errors.DisclosureRefused: 403,
}

TITLES = {
    400: "The request could not be understood",
    401: "Please sign in",
    403: "Not permitted",
    404: "Not found",
    405: "Not allowed here",
    409: "Conflict",
    410: "No longer held",
    413: "Too large",
    415: "Unsupported file type",
    422: "Please check what you entered",
    429: "Too many attempts",
    503: "Temporarily unavailable",
    500: "Something went wrong",
}


def status_of(exc: errors.DomainError) -> int:
    """Return the HTTP status for a domain error."""
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400


def wants_json() -> bool:
    """Tell whether the caller is the JSON API."""
    return request.path.startswith("/api/")


def respond(status: int, code: str, message: str, problems: list[dict[str, str]] | None = None) -> Any:
    """Answer an error as JSON on the API and as a generic page elsewhere."""
    if wants_json():
        body: dict[str, Any] = {"code": code, "message": message}
        if problems:
            body["problems"] = problems
        return jsonify({"error": body}), status
    title = TITLES.get(status, "Error")
    return render_template("error.html", status=status, title=title, message=message), status


def _domain(exc: errors.DomainError) -> Any:
    status = status_of(exc)
    field = getattr(exc, "field", None)
    problems = getattr(exc, "problems", None) or ([{"field": field, "message": str(exc)}] if field else None)
    response = respond(status, exc.code, str(exc), problems)
    if isinstance(exc, errors.Throttled):
        body, code = response
        return body, code, {"Retry-After": str(exc.retry_after)}
    return response


def _http(exc: HTTPException) -> Any:
    original = getattr(exc, "original_exception", None)
    # Raised outside a view (the session store saving a session): Flask wraps it in a 500, which must be
    # answered as the same error from a view would be (a database outage is a 503, issue 15 item 7).
    if isinstance(original, errors.DomainError):
        return _domain(original)
    if isinstance(original, Exception):
        return _unexpected(original)
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    message = exc.description or TITLES.get(status, "Error")
    return respond(status, code, message)


def _csrf(exc: CSRFError) -> Any:
    return respond(
        400, "csrf_failed", "The form expired or was not sent from this site. Reload the page and try again."
    )


def _unexpected(exc: Exception) -> Any:
    if db.unavailable(exc):
        # The database is down, cut off, locked or full: nothing was stored or shown; the client may retry.
        log.warning("database unavailable: %s", type(exc).__name__)
        # The error page must not touch the database again: the session store skips its save (issue 15/7).
        g.skip_session_save = True
        body, status = respond(
            503, "database_unavailable", "The service is temporarily unavailable. Please try again shortly."
        )
        return body, status, {"Retry-After": "5"}
    # Generic page, no details (ASVS 16.5.1); the log names the type and request id only, never values.
    log.error("unexpected error %s", type(exc).__name__, exc_info=False)
    return respond(500, "internal_error", "The request failed. It has been recorded; please try again.")


def log_unhandled(exc_info: Any) -> None:
    """Log an exception Flask caught outside a view by its type: no traceback, no values (ASVS 16.5.1)."""
    kind = exc_info[0].__name__ if exc_info and exc_info[0] else "error"
    # The error handler that answers next logs it as from a view; this line says where it came from.
    log.info("%s raised outside a view on %s", kind, request.path)


def install(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(errors.DomainError, _domain)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)
