"""Synthetic confidentiality exceptions and an emergency access for the demo, some reviewed, some pending."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.services.context import Env
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.exceptions import emergency
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.exceptions import reviews
from roi_tracker.services.records import documents
from roi_tracker.services.records import search as client_search


def seed_exceptions(
    session: Session,
    env: Env,
    clinician: audit.Actor,
    password: str,
    auditor: audit.Actor,
    covering: audit.Actor,
    covering_password: str,
) -> int:
    """Record one exception of each kind and one emergency access; review some of them."""
    people = {c.family_name: c for c in client_search.caseload(session, env, clinician)}
    now = env.clock()

    def record(family: str, fields: dict[str, object]) -> exceptions.Recorded:
        return exceptions.record(session, env, clinician, people[family].id, fields, password)

    others = record(
        "Okafor",
        {
            "kind": "danger_to_others",
            "recipient": {
                "name": "Officer J. Lee",
                "organization": "Springfield Police",
                "type": "authority",
            },
            "disclosed_categories": ["demographics"],
            "justification": "Client described a specific plan against a named "
            "neighbour with a date; warning the police and the neighbour.",
            "basis_of_belief": "actual_knowledge",
            "threat": "Stated plan to harm",
            "target": "A named neighbour",
            "imminence": "Within days",
            "recipient_can_lessen": "The police can intervene and warn the target.",
            "imminent": True,
            "recipient_able_to_lessen": True,
            "channel": "phone",
        },
    )
    record(
        "Raman",
        {
            "kind": "danger_to_self",
            "recipient": {
                "name": "Crisis team",
                "organization": "Springfield Mobile Crisis",
                "type": "provider",
            },
            "disclosed_categories": ["demographics", "diagnosis"],
            "justification": "Acute risk; crisis team dispatched.",
            "basis_of_belief": "actual_knowledge",
            "threat": "Suicidal intent with a plan",
            "imminence": "Today",
            "recipient_can_lessen": "The crisis team can reach the client within the hour.",
            "imminent": True,
            "recipient_able_to_lessen": True,
        },
    )
    record(
        "Whitfield",
        {
            "kind": "child_abuse_report",
            "recipient": {
                "name": "Child Protective Services",
                "organization": "State CPS",
                "type": "authority",
            },
            "disclosed_categories": ["demographics"],
            "justification": "Disclosure of neglect of a younger sibling.",
            "report_number": "CPS-2026-4411",
            "reported_at": (now - timedelta(days=3)).isoformat(),
        },
    )
    elder = record(
        "Echeverría",
        {
            "kind": "elder_abuse_report",
            "recipient": {"name": "Adult Protective Services", "type": "authority"},
            "disclosed_categories": ["demographics"],
            "justification": "Signs of financial exploitation of a parent.",
            "report_number": "APS-88213",
            "reported_at": (now - timedelta(days=9)).isoformat(),
            "condition": "required_by_law",
            "client_informed_on": (now - timedelta(days=8)).date().isoformat(),
        },
    )
    novak = people["Novak"]
    order = documents.store(
        session,
        env,
        clinician,
        session.get_one(models.Client, novak.id),
        content=tiny_pdf(["ORDER (synthetic): produce attendance records."]),
        category="court_order",
        title="Court order 26-CV-117",
    )
    record(
        "Novak",
        {
            "kind": "court_order",
            "recipient": {
                "name": "Clerk of Court",
                "organization": "Springfield District Court",
                "type": "authority",
            },
            "disclosed_categories": ["attendance"],
            "justification": "Order limited to attendance records.",
            "court": "Springfield District Court",
            "judge": "Hon. R. Alvarez",
            "order_reference": "26-CV-117",
            "order_date": (now - timedelta(days=20)).date().isoformat(),
            "order_document_id": str(order.id),
            "order_categories": ["attendance"],
        },
    )
    record(
        "Lindqvist",
        {
            "kind": "part2_medical_emergency",
            "recipient": {"name": "Dr. M. Ortiz", "organization": "Mercy ER", "type": "provider"},
            "disclosed_categories": ["medications", "sud_records"],
            "justification": "Unresponsive on arrival; medication history needed.",
            "medical_personnel_name": "Dr. M. Ortiz",
            "facility": "Mercy Hospital ER",
            "emergency_nature": "Suspected overdose, client unable to consent",
        },
    )
    reviews.review(
        session, env, auditor, others.id, outcome="appropriate", notes="Threat specific and imminent."
    )
    reviews.review(
        session, env, auditor, elder.id, outcome="appropriate", notes="Required report; client told."
    )
    earlier = replace(env, clock=lambda: now - timedelta(days=2))
    emergency.start(
        session,
        earlier,
        covering,
        people["Okafor"].id,
        reason="covering_clinician_absent",
        justification="Crisis call while the client's clinician was away.",
        password=covering_password,
    )
    emergency.close_expired(session, env)
    return 6
