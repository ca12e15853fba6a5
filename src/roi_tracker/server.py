"""Serving under gunicorn, with the periodic and shutdown checkpoints of the access log (security.md B7)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from gunicorn.app.base import BaseApplication
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.config import Settings
from roi_tracker.runtime import DatabaseUnreachable
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import open_instance

log = logging.getLogger(__name__)

# Under gunicorn's 60-second worker timeout, which also covers a worker's boot.
WORKER_WAIT_SECONDS = 45


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


class Application(BaseApplication):  # type: ignore[misc]
    """gunicorn serving the app `load` returns, with `options` (the benchmark's floor app uses it too)."""

    def __init__(self, options: dict[str, Any], load: Callable[[], Any]) -> None:
        self.options = options
        self._load = load
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._load()


def open_for_worker(settings: Settings, wait_seconds: float = WORKER_WAIT_SECONDS) -> Runtime:
    """Open the instance for serving, waiting out a database that is briefly unreachable.

    A worker that fails to boot makes gunicorn halt every worker, so one started while the database is down
    would otherwise take the whole server with it. Wrong keys or schema still fail at once (fail closed).
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return open_instance(settings)
        except DatabaseUnreachable:
            if time.monotonic() >= deadline:
                raise
            log.warning("the database is unreachable; the worker waits for it")
            time.sleep(1)


def _app(settings: Settings, opened: list[Runtime]) -> Any:
    from roi_tracker.app import create_app

    rt = open_for_worker(settings)
    opened.append(rt)
    return create_app(rt)


def cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def sizing(database_url: str, cpu_count: int) -> tuple[int, int]:
    """Default (workers, threads) for the database in use; README "Sizing the server" explains them.

    SQLite takes one writer at a time for the whole file (BEGIN IMMEDIATE, db.py): more than one worker per
    CPU only adds waiters on that lock, and few threads per worker keep the queue short. PostgreSQL serializes
    only the log's append (an advisory lock held for the INSERT and COMMIT): a worker per CPU with more
    threads overlaps the waits on the database's round trips.
    """
    if database_url.startswith("sqlite"):
        return max(2, cpu_count), 2
    return max(2, cpu_count), 4


def options(
    settings: Settings, *, host: str, port: int, workers: int | None, threads: int | None
) -> dict[str, Any]:
    """The gunicorn settings `serve` uses (the benchmark's floor app serves with the same)."""
    default_workers, default_threads = sizing(settings.database_url, cpus())
    return {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers,
        "worker_class": "gthread",
        "threads": threads or default_threads,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        # The access line names method, path and status only: paths never carry PHI (POST search).
        "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
    }


def run(settings: Settings, *, host: str, port: int, workers: int | None, threads: int | None = None) -> None:
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

    opened: list[Runtime] = []

    def post_fork(_server: Any, _worker: Any) -> None:
        # The app was loaded once in the master (preload: workers start with everything imported); each
        # worker drops the master's pooled connections without closing them and opens its own.
        for rt in opened:
            rt.engine.dispose(close=False)

    hooks = {"when_ready": when_ready, "on_exit": on_exit, "post_fork": post_fork, "preload_app": True}
    config = options(settings, host=host, port=port, workers=workers, threads=threads)
    Application(config | hooks, lambda: _app(settings, opened)).run()
