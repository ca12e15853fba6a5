"""Breaches in the accounting (H-B9): a breach that was a disclosure is listed for every affected client.

The disclosure's own client has it flagged impermissible when it is assessed (assessment._accountable); other
clients the incident names get an entry of their own here, naming the recipient and the date, never what
the other client's record held.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import models
from roi_tracker.domain import accounting as rules
from roi_tracker.domain import incidents as incident_rules
from roi_tracker.services.context import Env
from roi_tracker.services.releases import recipients


def for_other_clients(session: Session, env: Env, client_id: uuid.UUID) -> list[rules.Disclosed]:
    """The breaches linked to another client's disclosure that also concern this client."""
    i, ic, d = models.Incident, models.IncidentClient, models.Disclosure
    stmt = (
        select(i, d)
        .join(ic, ic.incident_id == i.id)
        .join(d, d.id == i.disclosure_id)
        .where(ic.client_id == client_id, d.client_id != client_id)
        .where(i.determination == incident_rules.Determination.BREACH.value)
    )
    rows = session.execute(stmt).all()
    names = recipients.get_many(session, env, {made.recipient_id for _, made in rows if made.recipient_id})
    out = []
    for incident, made in rows:
        who = names.get(made.recipient_id) if made.recipient_id else None
        out.append(
            rules.Disclosed(
                id=f"{incident.id}:{client_id}",
                on=incident.occurred_on or made.disclosed_at.date(),
                recipient=who.display if who else "",
                address=who.address if who else "",
                categories=(),
                purpose=f"breach {incident.reference}",
                basis=made.basis,
                under_authorization=False,
                part2=False,
                impermissible="H-B9",
            )
        )
    return out
