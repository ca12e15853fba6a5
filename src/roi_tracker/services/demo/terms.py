"""Authorization terms for `demo seed`: fields of several kinds and states, checked by the real rules."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date
from datetime import timedelta
from typing import Any

from roi_tracker.domain import consent
from roi_tracker.services.demo.releases import HIPAA_STATEMENTS
from roi_tracker.services.demo.releases import PART2_STATEMENTS
from roi_tracker.services.releases.terms import parse_draft
from roi_tracker.services.releases.terms import terms_json

_STATES = ("active", "expired", "revoked", "event")
_CUMULATIVE = (6, 8, 9, 10)  # weights 6, 2, 1, 1


class TermsCache:
    """Stored terms by shape (kind, categories, purposes, expiry kind), validated once per shape."""

    def __init__(self) -> None:
        self._shapes: dict[tuple[Any, ...], dict[str, Any]] = {}

    def sealable(self, fields: dict[str, Any], part2: bool) -> bytes:
        """The stored terms of `fields`; each shape of terms passes the real rules once, when first seen."""
        shape = (
            fields["kind"],
            tuple(fields["categories"]),
            tuple(fields["purposes"]),
            "expiry_event" in fields,
        )
        if shape not in self._shapes:
            draft = parse_draft(fields, signed_form_attached=True)
            problems = consent.validate(draft, client_part2=part2, today=fields["signed_on"])
            if consent.blocking(problems):
                raise AssertionError(f"a synthetic authorization is defective: {consent.blocking(problems)}")
            warnings = [p for p in problems if p.severity is consent.Severity.WARN]
            self._shapes[shape] = json.loads(terms_json(draft, warnings))
        signed = fields["signed_on"].isoformat()
        return json.dumps(
            {**self._shapes[shape], "signed_on": signed, "copy_given_on": signed}, sort_keys=True
        ).encode()


def draft_fields(
    rng: random.Random, recipient: uuid.UUID, signed: date, today: date, part2: bool
) -> tuple[dict[str, Any], str]:
    """Return an authorization's fields and its intended state: active, expired, revoked or until an event."""
    state = rng.choices(_STATES, cum_weights=_CUMULATIVE)[0]
    if part2:
        kind, cats, purposes = "part2", ["sud_records", "attendance"], ["continuity_of_care"]
    elif rng.random() < 0.1:
        kind, cats, purposes = "psychotherapy_notes", ["psychotherapy_notes"], ["continuity_of_care"]
    else:
        kind = "hipaa"
        cats = sorted(
            rng.sample(("diagnosis", "treatment_plan", "progress_summary", "attendance", "billing"), 2)
        )
        purposes = [rng.choice(("continuity_of_care", "insurance", "school", "at_request_of_client"))]
    fields: dict[str, Any] = {
        "kind": kind,
        "recipient_id": str(recipient),
        "categories": cats,
        "purposes": purposes,
        "effective_on": signed,
        "signed_on": signed,
        "signed_by": "client",
        "statements": PART2_STATEMENTS if kind.startswith("part2") else HIPAA_STATEMENTS,
        "copy_given_on": signed,
        "copy_method": "handed over in session",
    }
    days = (today - signed).days
    if state in ("expired", "revoked") and days <= 2:
        state = "active"
    if state == "expired":
        fields["expires_on"] = signed + timedelta(days=min(365, days - 1))
    elif state == "event":
        fields["expiry_event"] = "end_of_treatment"
    else:
        fields["expires_on"] = today + timedelta(days=rng.randint(30, 400))
    return fields, state
