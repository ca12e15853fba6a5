"""Flask-Login wiring: a session user from the server-side store, a token user on the JSON API."""

from __future__ import annotations

import uuid

from flask import Flask
from flask import Request
from flask_login import LoginManager
from flask_login import UserMixin

from roi_tracker import db
from roi_tracker.domain.errors import NotFound
from roi_tracker.http import context
from roi_tracker.services.people import users


class LoginUser(UserMixin):
    """The signed-in person as views see them."""

    def __init__(self, view: users.UserView, *, via_token: bool = False) -> None:
        self.view = view
        self.id = str(view.id)
        self.role = view.role
        self.username = view.username
        self.display_name = view.display_name
        self.via_token = via_token

    @property
    def is_active(self) -> bool:
        return self.view.active


def _load_user(user_id: str) -> LoginUser | None:
    try:
        view = users.get_user(context.db_session(), uuid.UUID(user_id))
    except (ValueError, NotFound):
        return None
    return LoginUser(view) if view.active else None


def _load_from_request(request: Request) -> LoginUser | None:
    if not request.path.startswith("/api/"):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    session = context.db_session()
    db.begin_read(session)
    view = users.user_for_token(session, context.env(), token.strip())
    db.end_read(session)  # the token lookup only read: release it before the request's own transaction
    return LoginUser(view, via_token=True) if view is not None else None


def install(app: Flask) -> None:
    """Register Flask-Login with this app's loaders."""
    manager = LoginManager()
    manager.session_protection = None  # the server-side store rotates ids itself
    manager.user_loader(_load_user)
    manager.request_loader(_load_from_request)
    manager.init_app(app)
