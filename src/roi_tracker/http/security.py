"""Deny by default: every route declares what it needs, and one hook enforces it; plus security headers."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from typing import TypeVar

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request

from roi_tracker.domain.roles import Access
from roi_tracker.domain.roles import Permission

F = TypeVar("F", bound=Callable[..., Any])
ATTRIBUTE = "roi_access"


def requires(need: Permission | Access) -> Callable[[F], F]:
    """Declare what a route needs; the enforcing hook reads the declaration (no decorator stacking order)."""

    def mark(view: F) -> F:
        setattr(view, ATTRIBUTE, need)
        return view

    return mark


def declared(endpoint: str | None) -> Permission | Access | None:
    """Return what the view behind `endpoint` declared, or None when it declared nothing."""
    if endpoint is None:
        return None
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ATTRIBUTE, None) if view is not None else None


def csp_nonce() -> str:
    """Return this response's CSP nonce for inline scripts and styles."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = secrets.token_urlsafe(16)
        g.csp_nonce = nonce
    return str(nonce)


def add_headers(response: Response) -> Response:
    """Set the security headers on every response (security.md C; ASVS 3.4)."""
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: over HTTPS Flask-WTF refuses a POST whose Referer is missing or foreign
    # (WTF_CSRF_SSL_STRICT), so browsers must send it to us; other sites still get none.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure or current_app.config.get("ROI_SECURE_COOKIES"):
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.endpoint != "static":
        # Authenticated pages may carry PHI: never cache them (security.md A13).
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response


def install(app: Flask) -> None:
    """Register the header hook."""
    app.after_request(add_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
