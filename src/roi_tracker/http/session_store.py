"""Flask's session, kept server-side in the database (services/sessions.py) behind a random cookie id."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask import Request
from flask import Response
from flask import g
from flask.sessions import SessionInterface
from flask.sessions import SessionMixin
from werkzeug.datastructures import CallbackDict

from roi_tracker.http import context
from roi_tracker.services.people import sessions


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """Session data with the bookkeeping the store needs: its id, rotation and ending."""

    def __init__(
        self,
        data: dict[str, Any] | None = None,
        sid: str | None = None,
        *,
        expired_user: uuid.UUID | None = None,
    ) -> None:
        def on_update(_self: Any) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.sid = sid
        self.modified = False
        self.expired_user = expired_user
        self.rotate_requested = False
        self.end_requested = False

    def rotate(self) -> None:
        """Give the session a new id at the next save, deleting the old one (ASVS 7.2.4)."""
        self.rotate_requested = True
        self.modified = True

    def end(self) -> None:
        """Delete the session at the next save and clear the cookie."""
        self.clear()
        self.end_requested = True


def _cookie_name(app: Flask) -> str:
    return "__Host-roi_session" if app.config.get("ROI_SECURE_COOKIES") else "roi_session"


def raise_open_failure() -> None:
    """Raise, before any view runs, what failed while the session was opened (first `before_request`)."""
    failure = g.pop("session_open_failure", None)
    if failure is not None:
        g.skip_session_save = True  # the session was never loaded: saving it would replace it
        raise failure


class DatabaseSessionInterface(SessionInterface):
    """Store sessions in the database; the API and static files get no session at all."""

    def _stateless(self, request: Request) -> bool:
        return request.path.startswith("/api/") or request.path.startswith("/static/")

    def open_session(self, app: Flask, request: Request) -> ServerSession | None:
        if self._stateless(request):
            return None
        sid = request.cookies.get(_cookie_name(app))
        if not sid:
            return ServerSession()
        try:
            loaded = sessions.load(context.db_session(), context.env(), sid)
        except Exception as exc:
            # Raised here, Flask would answer with no session to render the error page with (a 500 whatever
            # the cause); kept for `raise_open_failure` to raise in front of the view instead (issue 15/7).
            g.session_open_failure = exc
            return ServerSession()
        if loaded is None:
            return ServerSession()
        if loaded.expired:
            return ServerSession(expired_user=loaded.user_id)
        return ServerSession(loaded.data, sid)

    def make_null_session(self, app: Flask) -> Any:
        return super().make_null_session(app)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ServerSession):
            return
        if g.get("skip_session_save"):
            return  # the database failed this request: the error page goes out without a session write
        name = _cookie_name(app)
        secure = bool(app.config.get("ROI_SECURE_COOKIES"))
        store = context.db_session()
        if session.end_requested:
            if session.sid:
                sessions.end(store, session.sid)
            response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="Lax")
            return
        if not session and session.sid is None:
            return  # nothing to keep: no cookie, no row
        if session.rotate_requested and session.sid:
            sessions.end(store, session.sid)
            session.sid = None
        is_new = session.sid is None
        sid = session.sid or sessions.new_id()
        session.sid = sid
        raw_user = session.get("_user_id")
        user_id = uuid.UUID(raw_user) if raw_user else None
        sessions.save(store, context.env(), sid, dict(session), user_id, changed=session.modified or is_new)
        if is_new:
            response.set_cookie(name, sid, path="/", secure=secure, httponly=True, samesite="Lax")
