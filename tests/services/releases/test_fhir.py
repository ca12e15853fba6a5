"""The FHIR R4 export (regulatory.md section 7): a client's authorizations as a Bundle of Consent resources.

Every Bundle is validated with the fhir.resources R4B models (whose Consent has the R4 shape: scope,
category, provision), and what it says is read back from the validated model.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.app import create_app
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import fhir
from roi_tracker.services.releases import recipients
from tests.helpers import call
from tests.helpers import person
from tests.web.conftest import FakeClock

SYSTEM = audit.Actor("test", "system")
PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SIGNED_FORM = tiny_pdf(["Authorization to release information", "Signed: synthetic client"])
REVOCATION = tiny_pdf(["I revoke my authorization", "Signed: synthetic client"])
RIVERA = "Dr Ana Rivera (Northside Clinic)"
PRACTICE = "Riverside Counseling"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
IRCP = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


# -- helpers -------------------------------------------------------------------------------------------------


def register(runtime: Runtime, actor: audit.Actor, family_name: str, *, part2: bool = False) -> uuid.UUID:
    """Register a synthetic client on `actor`'s caseload; return the id."""
    details = client_rules.Demographics(
        given_name="Sam", family_name=family_name, date_of_birth=date(1988, 8, 8), part2=part2
    )
    return call(runtime, clients.register, actor, details, []).id


def terms(recipient_id: uuid.UUID, **changes: object) -> dict[str, Any]:
    """A complete HIPAA authorization to the recipient: diagnosis and plan, for care and insurance."""
    fields: dict[str, Any] = {
        "kind": "hipaa",
        "recipient_id": str(recipient_id),
        "categories": ["diagnosis", "treatment_plan"],
        "purposes": ["continuity_of_care", "insurance"],
        "effective_on": "2026-03-01",
        "expires_on": "2026-12-31",
        "signed_on": "2026-03-01",
        "signed_by": "client",
        "statements": ["right_to_revoke", "no_conditioning", "redisclosure"],
        "copy_given_on": "2026-03-01",
        "copy_method": "handed over in person",
    }
    fields.update(changes)
    return fields


def authorize(
    runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, fields: dict[str, Any]
) -> authorizations.AuthorizationView:
    """Record an authorization with the standard signed form."""
    return call(runtime, authorizations.record, actor, client_id, fields, SIGNED_FORM)


def export(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID) -> dict[str, Any]:
    """Export the client's consents and check the Bundle against the R4B models; return it as sent."""
    bundle = call(runtime, fhir.consents, actor, client_id)
    Bundle.model_validate(bundle)
    return bundle


def consents(bundle: dict[str, Any]) -> dict[str, Consent]:
    """Return each Consent of the Bundle, validated, by the id of the authorization it stands for."""
    validated = Bundle.model_validate(bundle)
    out = {}
    for entry in validated.entry or []:
        resource = entry.resource
        assert isinstance(resource, Consent)
        out[resource.id] = resource
    return out


def codes(codings: list[Any] | None) -> list[tuple[str, str]]:
    """Return (system, code) of each coding."""
    return [(c.system, c.code) for c in codings or []]


# -- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock still at 10 March 2026, 15:00 UTC."""
    fake = FakeClock(NOW)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """The clinician of both clients."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def rivera(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """A recipient in the directory."""
    return call(runtime, recipients.create, alice, name="Dr Ana Rivera", organization="Northside Clinic").id


@pytest.fixture
def zoe(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """A HIPAA-only client."""
    return register(runtime, alice, "Okafor")


# -- the Bundle ----------------------------------------------------------------------------------------------


def test_the_bundle_validates_and_holds_one_consent_per_authorization(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Two authorizations, two Consent entries, each under its own id and label."""
    first = authorize(runtime, alice, zoe, terms(rivera))
    second = authorize(runtime, alice, zoe, terms(rivera, categories=["billing"], purposes=["insurance"]))
    bundle = export(runtime, alice, zoe)
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    assert [e["fullUrl"] for e in bundle["entry"]] == [f"urn:uuid:{first.id}", f"urn:uuid:{second.id}"]
    found = consents(bundle)
    assert set(found) == {str(first.id), str(second.id)}
    assert [i.value for i in found[str(first.id)].identifier] == [first.label]


def test_a_collection_bundle_carries_no_total(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """FHIR R4 invariant bdl-1: total belongs to search and history bundles only."""
    authorize(runtime, alice, zoe, terms(rivera))
    assert "total" not in export(runtime, alice, zoe)


def test_a_client_without_authorizations_exports_an_empty_bundle(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID
) -> None:
    """Still a valid Bundle, with no entries."""
    assert export(runtime, alice, zoe)["entry"] == []


def test_a_consent_round_trips_the_authorizations_terms(
    runtime: Runtime,
    alice: audit.Actor,
    zoe: uuid.UUID,
    rivera: uuid.UUID,
    with_settings: Callable[..., None],
) -> None:
    """Scope, category, patient, signer, practice, period, recipient (IRCP), purposes and categories."""
    with_settings(practice_name=PRACTICE)
    view = authorize(runtime, alice, zoe, terms(rivera))
    consent = consents(export(runtime, alice, zoe))[str(view.id)]
    assert consent.status == "active"
    assert codes(consent.scope.coding) == [
        ("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy")
    ]
    assert [codes(c.coding) for c in consent.category] == [[("http://loinc.org", "64292-6")]]
    assert consent.patient.reference == f"Patient/{zoe}"
    assert str(consent.dateTime) == "2026-03-01"
    assert [p.display for p in consent.performer] == ["the client"]
    assert [o.display for o in consent.organization] == [PRACTICE]
    provision = consent.provision
    assert provision.type == "permit"
    assert (str(provision.period.start), str(provision.period.end)) == ("2026-03-01", "2026-12-31")
    [actor] = provision.actor
    assert codes(actor.role.coding) == [(IRCP, "IRCP")]
    assert actor.reference.display == RIVERA
    assert [c.code for c in provision.purpose] == ["TREAT", "COVERAGE"]
    assert {c.system for c in provision.purpose} == {"http://terminology.hl7.org/CodeSystem/v3-ActReason"}
    assert [c.code for c in provision.class_fhir] == ["diagnosis", "treatment_plan"]
    assert provision.securityLabel is None or provision.securityLabel == []


def test_the_signed_form_is_the_source_attachment_with_its_sha1_hash(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """FHIR R4 Attachment.hash is the base64 SHA-1 of the data; content type, size and title come along."""
    view = authorize(runtime, alice, zoe, terms(rivera))
    bundle = export(runtime, alice, zoe)
    digest = hashlib.sha1(SIGNED_FORM, usedforsecurity=False).digest()
    sent = bundle["entry"][0]["resource"]["sourceAttachment"]["hash"]
    assert sent == base64.b64encode(digest).decode("ascii")
    attachment = consents(bundle)[str(view.id)].sourceAttachment
    assert attachment.hash == digest
    assert (attachment.contentType, attachment.size) == ("application/pdf", len(SIGNED_FORM))
    assert attachment.title == f"Signed authorization {view.label}"


def test_a_signer_who_is_a_representative_is_the_performer(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """A personal representative signs in the client's place (H-C7)."""
    fields = terms(
        rivera,
        signed_by="representative",
        representative_name="Jordan Okafor",
        representative_relationship="parent",
        representative_authority="Parent of a minor",
    )
    view = call(runtime, authorizations.record, alice, zoe, fields, SIGNED_FORM, acknowledge_warnings=True)
    consent = consents(export(runtime, alice, zoe))[str(view.id)]
    assert [p.display for p in consent.performer] == ["Jordan Okafor"]


# -- status --------------------------------------------------------------------------------------------------


def test_status_maps_active_revoked_expired_and_pending(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID, clock: FakeClock
) -> None:
    """Active stays active, revoked and expired are inactive, not yet effective is proposed."""
    clock.now = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    expired = authorize(
        runtime,
        alice,
        zoe,
        terms(rivera, effective_on="2025-01-01", expires_on="2025-12-31", signed_on="2025-01-01")
        | {"copy_given_on": "2025-01-01"},
    )
    clock.now = NOW
    active = authorize(runtime, alice, zoe, terms(rivera))
    revoked = authorize(runtime, alice, zoe, terms(rivera, categories=["billing"], purposes=["insurance"]))
    call(runtime, authorizations.revoke, alice, revoked.id, received_on=date(2026, 3, 5), document=REVOCATION)
    pending = authorize(runtime, alice, zoe, terms(rivera, effective_on="2026-04-01"))
    found = consents(export(runtime, alice, zoe))
    assert {view.label: found[str(view.id)].status for view in (active, revoked, expired, pending)} == {
        active.label: "active",
        revoked.label: "inactive",
        expired.label: "inactive",
        pending.label: "proposed",
    }
    assert str(found[str(revoked.id)].provision.period.end) == "2026-03-05"
    assert str(found[str(expired.id)].provision.period.end) == "2025-12-31"
    assert str(found[str(pending.id)].provision.period.start) == "2026-04-01"


def test_an_expiry_event_is_an_extension_and_narrative_and_ends_the_period_once_it_occurs(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """R4 has no field for expiry by event: an extension carries it, and the narrative says it."""
    fields = terms(rivera, expires_on=None, expiry_event="end_of_treatment")
    view = authorize(runtime, alice, zoe, fields)
    before = consents(export(runtime, alice, zoe))[str(view.id)]
    assert before.status == "active"
    assert [(x.url, x.valueString) for x in before.extension] == [(fhir.EXPIRY_EVENT_URL, "end of treatment")]
    assert "end of treatment" in before.text.div
    assert before.provision.period.end is None
    call(runtime, authorizations.record_expiry_event, alice, view.id, occurred_on=date(2026, 3, 8))
    after = consents(export(runtime, alice, zoe))[str(view.id)]
    assert after.status == "inactive"
    assert str(after.provision.period.end) == "2026-03-08"


def test_an_authorization_with_an_expiry_date_carries_no_expiry_extension(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The extension is only for what R4 cannot say."""
    view = authorize(runtime, alice, zoe, terms(rivera))
    consent = consents(export(runtime, alice, zoe))[str(view.id)]
    assert not consent.extension
    assert consent.text is None


# -- security labels -----------------------------------------------------------------------------------------


def test_psychotherapy_notes_are_labelled_psy(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """An authorization for psychotherapy notes alone (H-X1) carries the PSY label."""
    fields = terms(rivera, kind="psychotherapy_notes", categories=["psychotherapy_notes"])
    view = authorize(runtime, alice, zoe, fields)
    provision = consents(export(runtime, alice, zoe))[str(view.id)].provision
    assert codes(provision.securityLabel) == [(ACT_CODE, "PSY")]
    assert [c.code for c in provision.class_fhir] == ["psychotherapy_notes"]


def test_a_part2_consent_is_labelled_eth_and_42cfrpart2(
    runtime: Runtime, alice: audit.Actor, rivera: uuid.UUID
) -> None:
    """Substance use disorder records carry ETH and the Part 2 privacy law code."""
    jonah = register(runtime, alice, "Lindqvist", part2=True)
    fields = terms(
        rivera,
        kind="part2",
        categories=["sud_records", "diagnosis"],
        purposes=["continuity_of_care"],
        statements=["right_to_revoke", "no_conditioning", "redisclosure", "patient_name"],
    )
    view = authorize(runtime, alice, jonah, fields)
    provision = consents(export(runtime, alice, jonah))[str(view.id)].provision
    assert codes(provision.securityLabel) == [(ACT_CODE, "ETH"), (ACT_CODE, "42CFRPart2")]
    assert [c.code for c in provision.purpose] == ["TREAT"]


# -- who may export, and the log -----------------------------------------------------------------------------


def test_exporting_is_logged_before_anything_is_read(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """One allowed fhir:exported entry naming the client."""
    authorize(runtime, alice, zoe, terms(rivera))
    with runtime.sessions() as session:
        before = audit.head(session)[0]
    export(runtime, alice, zoe)
    with runtime.sessions() as session:
        stmt = select(models.AuditEntry).where(models.AuditEntry.seq > before)
        entries = list(session.execute(stmt.order_by(models.AuditEntry.seq)).scalars())
    exported = [e for e in entries if e.action == Action.FHIR_EXPORTED.value]
    assert [(e.outcome, e.object_type, e.object_id, e.client_id) for e in exported] == [
        ("allowed", "consent_bundle", str(zoe), str(zoe))
    ]
    assert entries[0].action == Action.FHIR_EXPORTED.value


def test_an_auditor_may_export_any_clients_consents(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The privacy officer is on no caseload."""
    view = authorize(runtime, alice, zoe, terms(rivera))
    abe = person(runtime, "abe", "auditor")
    assert set(consents(export(runtime, abe, zoe))) == {str(view.id)}


def test_a_clinician_off_the_caseload_gets_not_found_and_the_export_is_logged_refused(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Not yours reads as missing; the refused entry names the export, not another action."""
    authorize(runtime, alice, zoe, terms(rivera))
    bob = person(runtime, "bob", "clinician")
    with runtime.sessions() as session:
        before = audit.head(session)[0]
    with pytest.raises(NotFound):
        call(runtime, fhir.consents, bob, zoe)
    with runtime.sessions() as session:
        stmt = select(models.AuditEntry).where(models.AuditEntry.seq > before)
        entries = [(e.action, e.outcome, e.client_id) for e in session.execute(stmt).scalars()]
    assert entries == [("fhir:exported", "refused", str(zoe))]


def test_the_api_answers_application_fhir_json(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """GET /api/v1/clients/{id}/fhir/consents: the media type FHIR defines, and a valid Bundle."""
    view = authorize(runtime, alice, zoe, terms(rivera))
    with runtime.sessions() as session:
        token = users.issue_token(session, runtime.env, SYSTEM, "alice")
    response = (
        create_app(runtime)
        .test_client()
        .get(f"/api/v1/clients/{zoe}/fhir/consents", headers={"Authorization": f"Bearer {token}"})
    )
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    bundle = json.loads(response.data)
    assert set(consents(bundle)) == {str(view.id)}
