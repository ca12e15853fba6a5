"""The JSON API for disclosures made earlier (on paper): judged at their date, flagged when impermissible."""

from __future__ import annotations

from typing import Any

from roi_tracker.api import answer
from roi_tracker.api import body_of
from roi_tracker.api import bp
from roi_tracker.api.registry import operation
from roi_tracker.api.releases import question_of
from roi_tracker.api.schemas import disclosures as disclosures_schemas
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.services.disclosures import past


@operation(
    bp,
    "/clients/<client_id>/past-disclosures",
    "POST",
    summary="Record a disclosure made earlier (judged at its date; flagged when impermissible; no packet)",
    need=Permission.DISCLOSURE_RECORD_PAST,
    body=disclosures_schemas.PastDisclosureCreate,
    responses={201: disclosures_schemas.PastDisclosureOut},
)
def record_past_disclosure(client_id: str) -> Any:
    """Record it; one the gate would have refused that day is recorded, flagged and accountable."""
    data = body_of(disclosures_schemas.PastDisclosureCreate)
    recorded = past.record_past(
        context.db_session(),
        context.env(),
        context.actor(),
        question_of(client_id, data, data.on),
        channel=data.channel,
        requester_verification=data.requester_verification,
        authorization_id=data.authorization_id,
    )
    out = disclosures_schemas.PastDisclosureOut(
        id=str(recorded.id),
        on=recorded.disclosed_at.date(),
        basis=recorded.basis,
        permissible=recorded.permissible,
        reasons=[
            disclosures_schemas.PastReasonOut(category=c, rule=r.rule, message=r.message)
            for c, r in recorded.reasons
        ],
    )
    return answer(out, 201)
