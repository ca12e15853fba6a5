"""FHIR R4 export: a client's authorizations as Consent resources (regulatory.md section 7), and disclosures
as AuditEvent resources. Plain dictionaries; tests validate them with the fhir.resources R4B models."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import consent
from roi_tracker.domain import expiry
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.services.accounting import accounting
from roi_tracker.services.context import Env
from roi_tracker.services.records import documents
from roi_tracker.services.records import vault
from roi_tracker.services.releases import recipients

EXPIRY_EVENT_URL = "https://roi-tracker.org/fhir/StructureDefinition/expiry-event"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PURPOSE_OF_USE = {
    "continuity_of_care": "TREAT",
    "at_request_of_client": "PATRQT",
    "family_involvement": "FAMRQT",
    "legal": "LEGAL",
    "insurance": "COVERAGE",
    "school": "PUBHLTH",
    "employment": "PATRQT",
    "disability_determination": "COVERAGE",
    "research": "HRESCH",
    "treatment_payment_operations": "TREAT",
    "other": "PATRQT",
}
HIPAA_POLICY = "https://www.ecfr.gov/current/title-45/section-164.508"
PART2_POLICY = "https://www.ecfr.gov/current/title-42/section-2.31"
STATUS = {"pending": "proposed", "active": "active", "expired": "inactive", "revoked": "inactive"}


def _labels(categories: list[str]) -> list[dict[str, str]]:
    out = []
    if "psychotherapy_notes" in categories:
        out.append({"system": ACT_CODE, "code": "PSY", "display": "psychiatry information sensitivity"})
    if {"sud_records", "sud_counseling_notes"} & set(categories):
        out.append({"system": ACT_CODE, "code": "ETH", "display": "substance abuse information sensitivity"})
        out.append({"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "42CFRPart2"})
    return out


def consents(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID) -> dict[str, Any]:
    """Return a Bundle of the client's Consent resources (logged as an export before anything is read)."""
    client = accounting.client_for(session, env, actor, client_id, Action.FHIR_EXPORTED)
    key = vault.key_of(session, env, actor, client)
    env.log.reveal(
        session,
        actor,
        Action.FHIR_EXPORTED,
        object_type="consent_bundle",
        object_id=str(client.id),
        client_id=str(client.id),
    )
    rows = list(
        session.execute(
            select(models.Authorization)
            .where(models.Authorization.client_id == client.id)
            .order_by(models.Authorization.recorded_at)
        ).scalars()
    )
    names = recipients.get_many(session, env, {r.recipient_id for r in rows if r.recipient_id})
    today = env.today()
    entries = []
    for row in rows:
        try:
            t = json.loads(
                key.decrypt(bytes(row.terms), table="authorizations", column="terms", row_id=str(row.id))
            )
        except crypto.IntegrityError:
            vault.integrity_failure(session, env, actor, client.id, "authorization")
            raise
        status = consent.status_of(
            consent.Standing(row.effective_on, row.expires_on, row.expiry_event_on, row.revoked_on),
            today=today,
        ).value
        form = session.get(models.Document, row.signed_form_id)
        content = documents.content_of(session, env, actor, client, row.signed_form_id)
        period: dict[str, str] = {"start": row.effective_on.isoformat()}
        end = row.revoked_on or row.expiry_event_on or row.expires_on
        if end:
            period["end"] = end.isoformat()
        recipient = (
            names[row.recipient_id].display if row.recipient_id in names else t.get("recipient_class", "")
        )
        resource: dict[str, Any] = {
            "resourceType": "Consent",
            "id": str(row.id),
            "identifier": [{"system": "urn:roi-tracker:authorization", "value": row.label}],
            # R4 ppc-1: a Consent names its policy; ours is the regulation the authorization is made under.
            "policy": [{"uri": PART2_POLICY if t["kind"].startswith("part2") else HIPAA_POLICY}],
            "status": STATUS[status],
            "scope": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                        "code": "patient-privacy",
                    }
                ]
            },
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://loinc.org",
                            "code": "64292-6",
                            "display": "Release of information consent",
                        }
                    ]
                }
            ],
            "patient": {"reference": f"Patient/{client.id}", "display": client.reference},
            "performer": [{"display": t.get("representative_name") or "the client"}],
            "organization": [{"display": env.settings.practice_name}],
            "sourceAttachment": {
                "contentType": form.media_type if form else "application/pdf",
                "hash": base64.b64encode(crypto.sha1(content)).decode("ascii"),
                "title": f"Signed authorization {row.label}",
                "size": len(content),
            },
            "provision": {
                "type": "permit",
                "period": period,
                "actor": [
                    {
                        "role": {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                    "code": "IRCP",
                                }
                            ]
                        },
                        "reference": {"display": recipient},
                    }
                ],
                "purpose": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                        "code": PURPOSE_OF_USE.get(p, "PATRQT"),
                    }
                    for p in t["purposes"]
                ],
                "class": [{"system": "urn:roi-tracker:category", "code": c} for c in t["categories"]],
                "securityLabel": _labels(t["categories"]),
            },
        }
        if t.get("signed_on"):
            resource["dateTime"] = t["signed_on"]
        if event := expiry.label_of(t.get("expiry_event", "")):
            resource["extension"] = [{"url": EXPIRY_EVENT_URL, "valueString": event}]
            resource["text"] = {
                "status": "generated",
                "div": f'<div xmlns="http://www.w3.org/1999/xhtml">Expires at: {_escape(event)}</div>',
            }
        entries.append({"fullUrl": f"urn:uuid:{row.id}", "resource": resource})
    # No "total": FHIR R4 invariant bdl-1 allows it on search and history bundles only.
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def disclosure_events(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID) -> dict[str, Any]:
    """Return the client's disclosures as FHIR R4 AuditEvent resources (subtype: disclosure), logged first."""
    client = accounting.client_for(session, env, actor, client_id, action=Action.FHIR_EXPORTED)
    key = vault.key_of(session, env, actor, client)
    env.log.reveal(
        session,
        actor,
        Action.FHIR_EXPORTED,
        object_type="audit_event_bundle",
        object_id=str(client.id),
        client_id=str(client.id),
    )
    rows = list(
        session.execute(
            select(models.Disclosure)
            .where(models.Disclosure.client_id == client.id)
            .order_by(models.Disclosure.disclosed_at)
        ).scalars()
    )
    names = recipients.get_many(session, env, {r.recipient_id for r in rows if r.recipient_id})
    people = {u.id: u.username for u in session.execute(select(models.User)).scalars()}
    entries = []
    for row in rows:
        try:
            details = json.loads(
                key.decrypt(bytes(row.details), table="disclosures", column="details", row_id=str(row.id))
            )
        except crypto.IntegrityError:
            vault.integrity_failure(session, env, actor, client.id, "disclosure")
            raise
        recipient = names[row.recipient_id].display if row.recipient_id in names else ""
        resource = {
            "resourceType": "AuditEvent",
            "id": str(row.id),
            "type": {
                "system": "http://dicom.nema.org/resources/ontology/DCM",
                "code": "110106",
                "display": "Export",
            },
            "subtype": [
                {"system": "http://hl7.org/fhir/restful-interaction", "code": "read"},
                {"system": "urn:roi-tracker:basis", "code": row.basis},
            ],
            "action": "R",
            "recorded": row.disclosed_at.isoformat(),
            "outcome": "0",
            "purposeOfEvent": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                            "code": PURPOSE_OF_USE.get(details.get("purpose", ""), "PATRQT"),
                        }
                    ]
                }
            ],
            "agent": [
                {"who": {"display": people.get(row.disclosed_by, "")}, "requestor": True},
                {
                    "who": {"display": recipient},
                    "requestor": False,
                    "type": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                "code": "IRCP",
                            }
                        ]
                    },
                },
            ],
            "source": {"observer": {"display": env.settings.practice_name}},
            "entity": [
                {
                    "what": {"reference": f"Patient/{client.id}", "display": client.reference},
                    "description": ", ".join(details.get("categories", [])),
                }
            ],
        }
        entries.append({"fullUrl": f"urn:uuid:{row.id}", "resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
