"""Serving under gunicorn, with the periodic and shutdown checkpoints of the access log (security.md B7)."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from gunicorn.app.base import BaseApplication
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.config import Settings
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import open_instance

log = logging.getLogger(__name__)


def checkpoint_if_due(rt: Runtime, *, force: bool = False) -> None:
    """Write a checkpoint when the head moved and the last one is older than the interval (or when forced)."""
    with rt.sessions() as session:
        seq, _ = audit.head(session)
        last = session.execute(
            select(models.AuditCheckpoint).order_by(models.AuditCheckpoint.id.desc()).limit(1)
        ).scalar_one_or_none()
        session.rollback()
        if last is not None and last.head_seq == seq:
            return
        interval = timedelta(minutes=rt.env.settings.checkpoint_minutes)
        if not force and last is not None and rt.env.clock() - last.at < interval:
            return
        checkpoints.write(session, rt.env.keyring, rt.env.settings.checkpoint_dir)


def _timer(settings: Settings, stop: threading.Event) -> None:
    # Wait before opening the instance: gunicorn forks its workers right after when_ready, and a worker forked
    # while this thread holds a lock (connecting to the database, say) inherits it held and hangs at boot.
    if stop.wait(60):
        return
    rt = open_instance(settings)
    try:
        while True:
            try:
                checkpoint_if_due(rt)
            except Exception as exc:  # noqa: BLE001 - keep the timer alive; the next tick tries again
                log.warning("periodic checkpoint failed: %s", type(exc).__name__)
            if stop.wait(60):
                return
    finally:
        rt.close()


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from roi_tracker.web import create_app

        return create_app(open_instance(self.settings))


def run(settings: Settings, *, host: str, port: int, workers: int | None) -> None:
    """Serve until stopped; a checkpoint is written at shutdown."""
    stop = threading.Event()

    def when_ready(_server: Any) -> None:
        threading.Thread(target=_timer, args=(settings, stop), daemon=True, name="checkpoints").start()

    def on_exit(_server: Any) -> None:
        stop.set()
        rt = open_instance(settings)
        try:
            checkpoint_if_due(rt, force=True)
        finally:
            rt.close()

    options = {
        "bind": f"{host}:{port}",
        "workers": workers or 2,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        # The access line names method, path and status only: paths never carry PHI (POST search).
        "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        "when_ready": when_ready,
        "on_exit": on_exit,
    }
    _Gunicorn(settings, options).run()
