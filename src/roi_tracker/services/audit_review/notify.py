"""Notifications to auditors: in-app rows in the caller's transaction; email after commit when SMTP is set."""

from __future__ import annotations

import logging
import smtplib
import uuid
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import models
from roi_tracker.services.context import Env

log = logging.getLogger(__name__)


def auditors(session: Session) -> list[models.User]:
    """Every active auditor."""
    stmt = select(models.User).where(models.User.role == "auditor", models.User.active.is_(True))
    return list(session.execute(stmt).scalars())


def tell_auditors(session: Session, env: Env, kind: str, subject_id: uuid.UUID, client_id: uuid.UUID) -> int:
    """Add an in-app notification for every auditor (in the caller's transaction); return how many."""
    people = auditors(session)
    for person in people:
        session.add(
            models.Notification(
                user_id=person.id,
                kind=kind,
                subject_id=subject_id,
                client_id=client_id,
                created_at=env.clock(),
            )
        )
    return len(people)


def email_auditors(session: Session, env: Env, subject: str) -> None:
    """Email the auditors a short, PHI-free alert when SMTP is configured; failures are logged only."""
    settings = env.settings
    if not settings.smtp_host or not settings.smtp_from:
        return
    # Usernames are the addresses' local parts only when configured so; the message carries no client data.
    recipients = [u.username for u in auditors(session) if "@" in u.username]
    if not recipients:
        return
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(
        f"{subject}\n\nSign in to roi-tracker to review it. No client information is sent by email."
    )
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("could not email the auditors: %s", type(exc).__name__)


def unread(session: Session, user_id: uuid.UUID) -> list[models.Notification]:
    """A person's unread notifications, newest first."""
    stmt = select(models.Notification).where(
        models.Notification.user_id == user_id, models.Notification.read_at.is_(None)
    )
    return list(session.execute(stmt.order_by(models.Notification.created_at.desc())).scalars())
