"""Demo incidents: a fax sent to the wrong number, waiting for the privacy officer, and a lost laptop."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.services.context import Env
from roi_tracker.services.incidents import assessment
from roi_tracker.services.incidents import reporting


def seed_incidents(session: Session, env: Env, reporter: audit.Actor, auditor: audit.Actor) -> int:
    """Report a misdirected fax of the first demo disclosure and a lost laptop assessed as secured (H-B2)."""
    made = session.execute(
        select(models.Disclosure).order_by(models.Disclosure.disclosed_at).limit(1)
    ).scalar()
    if made is None:
        return 0
    today = env.today()
    reporting.report(
        session,
        env,
        reporter,
        kind="misdirected_disclosure",
        discovered_on=today,
        occurred_on=made.disclosed_at.date(),
        description="Fax sent to a mistyped number (synthetic): the recipient's office never received it.",
        disclosure_id=str(made.id),
    )
    laptop = reporting.report(
        session,
        env,
        reporter,
        kind="lost_or_stolen_device",
        discovered_on=today - timedelta(days=12),
        occurred_on=today - timedelta(days=13),
        description="Practice laptop left on a train (synthetic); disk encrypted, key file not on it.",
        client_ids=[str(made.client_id)],
    )
    assessment.assess(
        session,
        env,
        auditor,
        laptop.id,
        exclusion="none",
        secured=True,
        factors={"mitigation": "Remote wipe sent; disk encrypted and the key file was not on the laptop."},
        low_probability=False,
    )
    return 2
