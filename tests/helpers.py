"""Small helpers the service-level tests share: run a use case, make a person, count rows, read the log."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from PIL import Image
from sqlalchemy import func
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo import clients as demo_clients
from roi_tracker.services.people import users

SYSTEM = audit.Actor("test", "system")
PASSWORD = "correct horse battery staple"


def call(runtime: Runtime, use_case: Callable[..., Any], *args: object, **kwargs: object) -> Any:
    """Run one use case in its own session, as a request would."""
    with runtime.sessions() as session:
        return use_case(session, runtime.env, *args, **kwargs)


def person(runtime: Runtime, username: str, role: str) -> audit.Actor:
    """Create an account and return the actor it acts as."""
    with runtime.sessions() as session:
        view = users.create_user(
            session,
            runtime.env,
            SYSTEM,
            username=username,
            display_name=username.title(),
            role=role,
            password=PASSWORD,
        )
    return audit.Actor(str(view.id), role)


def count(runtime: Runtime, model: type[models.Base]) -> int:
    """Count the rows of one table."""
    with runtime.sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def head_seq(runtime: Runtime) -> int:
    """Return the sequence number of the newest access-log entry."""
    with runtime.sessions() as session:
        return audit.head(session)[0]


def entries_after(runtime: Runtime, seq: int, action: Action | None = None) -> list[models.AuditEntry]:
    """Return the access-log entries newer than `seq` (with `action`, when given), oldest first."""
    with runtime.sessions() as session:
        stmt = select(models.AuditEntry).where(models.AuditEntry.seq > seq)
        if action is not None:
            stmt = stmt.where(models.AuditEntry.action == action.value)
        return list(session.execute(stmt.order_by(models.AuditEntry.seq)).scalars())


def pdf(*lines: str) -> bytes:
    """Return a valid one-page PDF whose content stream shows `lines` uncompressed."""
    return demo_clients.tiny_pdf(list(lines) or ["synthetic test document"])


def pdf_of_size(size: int) -> bytes:
    """Return a valid PDF of exactly `size` bytes (one long line of text)."""
    width = max(0, size - len(pdf("")))
    for _ in range(10):
        content = pdf("x" * width)
        if len(content) == size:
            return content
        width += size - len(content)
    raise AssertionError(f"no PDF of exactly {size} bytes")


def image(kind: str, size: tuple[int, int] = (8, 8)) -> bytes:
    """Return a valid white image encoded as `kind` ("PNG" or "JPEG")."""
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, kind)
    return out.getvalue()


def clear_of_the_hour(margin_seconds: int = 20) -> None:
    """Wait out an hour's last seconds: a bulk access is counted per clock hour of the log's own time."""
    now = datetime.now(UTC)
    if (now + timedelta(seconds=margin_seconds)).hour != now.hour:
        time.sleep(margin_seconds + 1)
