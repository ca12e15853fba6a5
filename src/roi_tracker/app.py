"""The app factory: one Flask app around an open instance, with web/ and api/ mounted side by side."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from roi_tracker import config
from roi_tracker import resources
from roi_tracker.domain.roles import Access
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import open_instance


class _App(Flask):
    """Flask, logging what it catches outside a view as the error handlers do: the type, no traceback."""

    def log_exception(self, exc_info: Any) -> None:
        """Log an exception raised outside a view (the session store) without its traceback or values."""
        from roi_tracker.http import errors

        errors.log_unhandled(exc_info)


def create_app(runtime: Runtime | None = None) -> Flask:
    """Build the app around an open instance (opening one from the environment when none is given)."""
    from roi_tracker import api
    from roi_tracker.http import context
    from roi_tracker.http import errors
    from roi_tracker.http import guard
    from roi_tracker.http import login
    from roi_tracker.http import security
    from roi_tracker.http import session_store
    from roi_tracker.http.session_store import DatabaseSessionInterface
    from roi_tracker.web import accounting
    from roi_tracker.web import admin
    from roi_tracker.web import audit_views
    from roi_tracker.web import auth
    from roi_tracker.web import authorization
    from roi_tracker.web import clients
    from roi_tracker.web import exceptions
    from roi_tracker.web import filters
    from roi_tracker.web import form_templates
    from roi_tracker.web import home
    from roi_tracker.web import incidents
    from roi_tracker.web import minors
    from roi_tracker.web import recipients
    from roi_tracker.web import releases
    from roi_tracker.web import reminders
    from roi_tracker.web import requests
    from roi_tracker.web import signing

    runtime = runtime or open_instance(config.load())
    settings = runtime.env.settings
    app = _App(
        __name__,
        template_folder=str(resources.folder("templates")),
        static_folder=str(resources.folder("static")),
    )
    app.config.update(
        SECRET_KEY=runtime.env.keyring.session_key,
        ROI_SECURE_COOKIES=settings.secure_cookies,
        ROI_SESSION_IDLE_MINUTES=settings.session_idle_minutes,
        ROI_EXPIRING_DAYS=settings.expiring_days,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the server-side session
        # Werkzeug answers 413 past this; the service checks the exact limit (ROI_MAX_UPLOAD_MB).
        MAX_CONTENT_LENGTH=(settings.max_upload_mb + 1) * 1024 * 1024,
        # A form field that is not a file: the largest is a drawn signature's JSON part (450,000 characters,
        # up to 4 bytes each), which the schema refuses past its limit with 422, not Werkzeug's 500 kB 413.
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions["roi_runtime"] = runtime
    app.session_interface = DatabaseSessionInterface()
    app.url_map.strict_slashes = False

    csrf = CSRFProtect(app)
    login.install(app)
    app.before_request(context.new_request_id)
    app.before_request(session_store.raise_open_failure)
    app.before_request(guard.enforce)
    app.after_request(context.log_request)
    app.before_request(context.refuse_nul_characters)
    app.teardown_appcontext(context.close_db_session)
    security.install(app)
    errors.install(app)
    filters.install(app)

    app.register_blueprint(auth.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(clients.bp)
    app.register_blueprint(releases.bp)
    app.register_blueprint(authorization.bp)
    app.register_blueprint(exceptions.bp)
    app.register_blueprint(accounting.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(reminders.bp)
    app.register_blueprint(signing.bp)
    app.register_blueprint(form_templates.bp)
    app.register_blueprint(incidents.bp)
    app.register_blueprint(recipients.bp)
    app.register_blueprint(minors.bp)
    app.register_blueprint(requests.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # bearer tokens, no cookies: nothing for a forged cross-site request to ride on

    static_view = app.view_functions["static"]
    security.requires(Access.PUBLIC)(static_view)
    logging.getLogger("roi_tracker").setLevel(logging.INFO)
    return app
