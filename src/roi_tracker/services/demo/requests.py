"""Demo requests for records: one at day 25 of its 30 (due in five days), one that came in today."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.services.context import Env
from roi_tracker.services.requests import intake


def seed_requests(session: Session, env: Env, clinician: audit.Actor) -> int:
    """Log two access requests for the clinician's first client, so the queue and its clock show (H-A2)."""
    client_id = session.execute(
        select(models.CaseloadAssignment.client_id)
        .where(models.CaseloadAssignment.user_id == uuid.UUID(clinician.user_id))
        .limit(1)
    ).scalar()
    if client_id is None:
        return 0
    today = env.today()
    for received, channel, fmt in (
        (today - timedelta(days=25), "mail", "paper"),
        (today, "email", "electronic"),
    ):
        intake.receive(
            session,
            env,
            clinician,
            intake.Intake(
                client_id=client_id,
                kind="access",
                channel=channel,
                requester={"name": "The client (synthetic)"},
                requester_is="client",
                categories=["diagnosis", "treatment_plan"],
                format=fmt,
                received_on=received,
            ),
        )
    return 2
