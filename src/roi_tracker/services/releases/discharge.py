"""Discharge: every release expiring at end of treatment or discharge ends that day (H-C5)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker.domain import expiry
from roi_tracker.domain import inputs
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.context import Env
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations


def discharge(
    session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, *, discharged_on: date
) -> None:
    """Discharge the client and record the expiry event of each release it ends, each one logged."""
    if inputs.plausible(discharged_on, "discharged_on") and discharged_on > env.today():
        raise InvalidInput("the discharge cannot be in the future", field="discharged_on")
    clients.discharge(session, env, actor, client_id)
    for view in authorizations.list_for(session, env, actor, client_id):
        ended = view.revoked_on is not None or view.expiry_event_on is not None
        if ended or not expiry.ended_by_discharge(view.expiry_event_kind):
            continue
        if view.effective_on > discharged_on or (view.expires_on and view.expires_on < discharged_on):
            continue  # not yet in force, or already expired by its date: the discharge changes nothing
        authorizations.record_expiry_event(
            session, env, actor, view.id, occurred_on=discharged_on, client_id=client_id
        )


def discharge_and_read(
    session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, *, discharged_on: date
) -> clients.ClientView:
    """Discharge as above, then read the client back (the API answers with it; the read is logged)."""
    discharge(session, env, actor, client_id, discharged_on=discharged_on)
    return clients.get(session, env, actor, client_id)
