"""Synthetic recipients, authorizations and disclosures, so every answer of the gate shows in the demo."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker.services.context import Env
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import search as client_search
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients

HIPAA_STATEMENTS = ["right_to_revoke", "no_conditioning", "redisclosure"]
PART2_STATEMENTS = [*HIPAA_STATEMENTS, "patient_name"]


def seed_releases(session: Session, env: Env, clinician: audit.Actor) -> int:
    """Give the demo clients valid, expiring, expired, revoked, Part 2 and psychotherapy-notes releases."""
    today = env.today()
    people = {c.family_name: c for c in client_search.caseload(session, env, clinician)}
    hospital = recipients.create(
        session,
        env,
        clinician,
        kind="person",
        type="provider",
        name="Dr. Ana Rivera",
        organization="Mercy Hospital",
        address="1 Mercy Way, Springfield",
        fax="555-0190",
    )
    school = recipients.create(
        session,
        env,
        clinician,
        kind="organization",
        type="school",
        name="Lakeside High School",
        address="20 Lake Road, Springfield",
    )
    insurer = recipients.create(
        session,
        env,
        clinician,
        kind="organization",
        type="health_plan",
        name="Blue Meadow Health Plan",
        address="PO Box 300, Capital City",
        fax="555-0133",
    )
    recovery = recipients.create(
        session,
        env,
        clinician,
        kind="organization",
        type="provider",
        name="Harbor Recovery Center",
        address="8 Harbor St, Springfield",
    )
    employer = recipients.create(
        session, env, clinician, kind="organization", type="employer", name="Northwind Logistics HR"
    )
    signed = today - timedelta(days=120)

    def terms(
        kind: str, recipient: Any, categories: list[str], purposes: list[str], **more: Any
    ) -> dict[str, Any]:
        statements = PART2_STATEMENTS if kind.startswith("part2") else HIPAA_STATEMENTS
        base = {
            "kind": kind,
            "recipient_id": str(recipient.id) if recipient else None,
            "categories": categories,
            "purposes": purposes,
            "effective_on": signed,
            "signed_on": signed,
            "signed_by": "client",
            "statements": statements,
            "copy_given_on": signed,
            "copy_method": "handed over in session",
        }
        return {**base, **more}

    def record(family: str, fields: dict[str, Any]) -> authorizations.AuthorizationView:
        form = tiny_pdf(["Authorization to release information (synthetic)", f"Kind: {fields['kind']}"])
        return authorizations.record(session, env, clinician, people[family].id, fields, form)

    maya = record(
        "Okafor",
        terms(
            "hipaa",
            hospital,
            ["diagnosis", "treatment_plan", "progress_summary"],
            ["continuity_of_care"],
            expires_on=today + timedelta(days=240),
        ),
    )
    record(
        "Okafor",
        terms(
            "psychotherapy_notes",
            hospital,
            ["psychotherapy_notes"],
            ["continuity_of_care"],
            expires_on=today + timedelta(days=90),
        ),
    )
    record(
        "Lindqvist",
        terms(
            "part2",
            recovery,
            ["sud_records", "attendance"],
            ["continuity_of_care"],
            expires_on=today + timedelta(days=365),
        ),
    )
    record("Raman", terms("hipaa", school, ["attendance"], ["school"], expires_on=today - timedelta(days=30)))
    revoked = record(
        "Echeverría",
        terms("hipaa", insurer, ["billing", "diagnosis"], ["insurance"], expiry_event="end_of_treatment"),
    )
    record(
        "Whitfield",
        terms(
            "part2_tpo",
            None,
            ["sud_records", "billing"],
            ["treatment_payment_operations"],
            recipient_class="my treating providers, health plans, third-party payers, and people "
            "helping to operate this program",
            expiry_event="end_of_treatment",
            statements=[*PART2_STATEMENTS, "consequences_of_refusal"],
        ),
    )
    record(
        "Novak",
        terms("hipaa", employer, ["attendance"], ["employment"], expires_on=today + timedelta(days=20)),
    )

    q = disclosures.question(
        people["Okafor"].id, str(hospital.id), ["diagnosis"], "continuity_of_care", None, today
    )
    disclosures.record(
        session,
        env,
        clinician,
        q,
        channel="fax",
        document_ids=[],
        requester_verification="Known provider; fax number on file",
    )
    q = disclosures.question(people["Echeverría"].id, str(insurer.id), ["billing"], "insurance", None, today)
    disclosures.record(
        session,
        env,
        clinician,
        q,
        channel="mail",
        document_ids=[],
        requester_verification="Plan's written request on letterhead",
    )
    revocation = tiny_pdf(["I revoke my authorization (synthetic)."])
    authorizations.revoke(session, env, clinician, revoked.id, received_on=today, document=revocation)
    del maya
    return 7
