"""Signing in the office at the service level: templates, the rendered form, and a form signed on screen."""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest
from PIL import Image
from PIL import ImageDraw
from pypdf import PdfReader
from sqlalchemy import delete
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import db
from roi_tracker import migrate
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import consent
from roi_tracker.domain import form_templates
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.releases import recipients
from roi_tracker.services.signing import forms
from roi_tracker.services.signing import sign
from roi_tracker.services.signing import templates
from tests.helpers import call
from tests.helpers import count
from tests.helpers import entries_after
from tests.helpers import head_seq
from tests.helpers import person
from tests.web.conftest import FakeClock

NOW = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 10 March in UTC, 6:30 p.m. on the 10th in Chicago


def text_of(pdf: bytes) -> str:
    """The text of every page, whitespace collapsed."""
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def drawing(*, inked: bool = True) -> str:
    """A PNG data URL as a signing pad sends it: a stroke on a transparent canvas, or nothing at all."""
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    if inked:
        ImageDraw.Draw(image).line([(20, 60), (120, 30), (260, 70)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


@pytest.fixture(autouse=True)
def clock(runtime: Runtime, with_settings: Any) -> FakeClock:
    """Stand the clock at 10 March 2026, 23:30 UTC, in a Chicago practice."""
    with_settings(timezone="America/Chicago", practice_name="Lakeside Counseling")
    fake = FakeClock(NOW)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """The clinician who prepares the release and hands over the device."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def zoe(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """Alice's client."""
    details = rules.Demographics(given_name="Zoe", family_name="Okafor", date_of_birth=date(1988, 8, 8))
    return call(runtime, clients.register, alice, details, []).id


@pytest.fixture
def rivera(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """A recipient in the directory."""
    return call(runtime, recipients.create, alice, name="Dr Ana Rivera", organization="Northside Clinic").id


def fields(rivera: uuid.UUID, **changes: object) -> dict[str, Any]:
    """What the clinician fills in: diagnosis to Dr Rivera for continuity of care until the year's end."""
    out: dict[str, Any] = {
        "kind": "hipaa",
        "recipient_id": str(rivera),
        "categories": ["diagnosis"],
        "purposes": ["continuity_of_care"],
        "expires_on": "2026-12-31",
        "copy_given_on": "2026-03-10",
        "copy_method": "printed in the office",
    }
    out.update(changes)
    return out


def typed(**changes: object) -> sign.SignatureInput:
    """A typed signature by Zoe with intent and consent, witnessed by Alice."""
    values: dict[str, Any] = {
        "method": "typed",
        "signer_name": "Zoe Okafor",
        "intent": True,
        "electronic_consent": True,
        "witnessed_by": "alice",
    }
    values.update(changes)
    return sign.SignatureInput(**values)


# -- templates -----------------------------------------------------------------------------------------------


def test_ships_a_plain_language_default_of_every_kind_carrying_its_required_statements(
    runtime: Runtime,
) -> None:
    """Version 1 of each of the six kinds exists, and every one passes the wording rules."""
    views = call(runtime, lambda s, _env: templates.every_version(s))
    assert {v.kind for v in views} == set(consent.Kind)
    for v in views:
        assert v.version == 1
        assert v.shipped
        assert form_templates.check(v.kind, v.wording) == []


def test_an_administrator_writes_a_new_version_and_the_old_one_stays_as_it_was(runtime: Runtime) -> None:
    """A new version takes the next number and becomes current; version 1 keeps its words."""
    admin = person(runtime, "ada", "admin")
    old = call(runtime, lambda s, _env: templates.current(s, consent.Kind.HIPAA))
    words = form_templates.Wording("Our release form", {**old.wording.sections, "intro": "You let us share."})
    new = call(runtime, templates.create_version, admin, consent.Kind.HIPAA, words)
    assert new.version == 2
    assert not new.shipped
    assert call(runtime, lambda s, _env: templates.current(s, consent.Kind.HIPAA)).id == new.id
    assert call(runtime, lambda s, _env: templates.get(s, old.id)).wording == old.wording


def test_refuses_a_version_without_the_redisclosure_statement_naming_h_s3(runtime: Runtime) -> None:
    """The wording must warn of redisclosure (H-S3); nothing is stored."""
    admin = person(runtime, "ada", "admin")
    old = call(runtime, lambda s, _env: templates.current(s, consent.Kind.HIPAA))
    sections = {k: v for k, v in old.wording.sections.items() if k != "redisclosure"}
    before = count(runtime, models.FormTemplate)
    with pytest.raises(Defective) as refused:
        call(
            runtime,
            templates.create_version,
            admin,
            consent.Kind.HIPAA,
            form_templates.Wording("T", sections),
        )
    assert [p["rule"] for p in refused.value.problems] == ["H-S3"]
    assert count(runtime, models.FormTemplate) == before


# -- the form ------------------------------------------------------------------------------------------------


def test_renders_the_complete_form_with_the_practice_name_and_every_statement_and_logs_the_read(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The PDF names the practice, the client, the recipient and the three statements; the read is logged."""
    before = head_seq(runtime)
    name, pdf = call(runtime, forms.form_pdf, alice, zoe, fields(rivera), None, wet=False)
    text = text_of(pdf)
    for words in ("Lakeside Counseling", "Zoe Okafor", "Dr Ana Rivera", "cancel (revoke)", "share it again"):
        assert words in text
    assert "Not signed yet" in text
    assert name.endswith("-read.pdf")
    assert [e.client_id for e in entries_after(runtime, before, Action.RELEASE_FORM_READ)] == [str(zoe)]


def test_renders_a_blank_signature_version_for_a_wet_signature(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The printable version has lines for the signature, the printed name and the date."""
    _, pdf = call(runtime, forms.form_pdf, alice, zoe, fields(rivera), None, wet=True)
    text = text_of(pdf)
    assert "Signature: ____" in text
    assert "Date signed: ____" in text


def test_another_clinicians_client_reads_as_missing(
    runtime: Runtime, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Bob does not have Zoe: her form answers as if she did not exist."""
    bob = person(runtime, "bob", "clinician")
    with pytest.raises(NotFound):
        call(runtime, forms.form_pdf, bob, zoe, fields(rivera), None, wet=False)


# -- signing -------------------------------------------------------------------------------------------------


def test_a_typed_signature_becomes_the_encrypted_signed_form_naming_signer_time_and_hash(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The authorization's signed form is the rendered PDF: signer, Chicago time, witness, content hash."""
    view = call(runtime, sign.record_signed, alice, zoe, fields(rivera), typed())
    assert view.status == "active"
    assert view.signed_on == date(2026, 3, 10)
    doc, content = call(runtime, documents.download, alice, view.signed_form_id)
    text = text_of(content)
    assert "Signed by Zoe Okafor (the client), typed on screen, on 2026-03-10 18:30 (America/Chicago)" in text
    assert "Witnessed by Alice" in text
    with runtime.sessions() as session:
        row = session.execute(select(models.AuthorizationSignature)).scalar_one()
        blob = session.get(models.DocumentBlob, view.signed_form_id)
        template = session.get(models.FormTemplate, row.template_id)
    assert row.content_sha256 in text.replace(" ", "")
    assert row.method == "typed"
    assert template is not None
    assert (template.kind, template.version) == ("hipaa", 1)
    assert blob is not None
    assert b"Zoe Okafor" not in bytes(blob.content)
    assert doc.sha256 == hashlib.sha256(content).hexdigest()


def test_a_drawn_signature_is_printed_on_the_signed_form(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """A drawing on the pad becomes an image on the signed PDF."""
    view = call(
        runtime, sign.record_signed, alice, zoe, fields(rivera), typed(method="drawn", image=drawing())
    )
    _, content = call(runtime, documents.download, alice, view.signed_form_id)
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert len(page.images) == 1
    assert "drawn on screen" in text_of(content)


@pytest.mark.parametrize(
    ("signature", "rule"),
    [
        (typed(intent=False), "E-S1"),
        (typed(electronic_consent=False), "E-S2"),
        (typed(method="drawn", image=drawing(inked=False)), "E-S3"),
        (typed(method="drawn"), "E-S3"),
        (typed(form_sha256="0" * 64), "E-S4"),
    ],
    ids=["no-intent", "no-consent", "empty-drawing", "no-drawing", "form-changed"],
)
def test_refuses_a_signature_that_cannot_sign_and_stores_nothing(
    runtime: Runtime,
    alice: audit.Actor,
    zoe: uuid.UUID,
    rivera: uuid.UUID,
    signature: sign.SignatureInput,
    rule: str,
) -> None:
    """No intent, no consent, an empty drawing or a changed form: 422 with its rule, nothing stored."""
    with pytest.raises(Defective) as refused:
        call(runtime, sign.record_signed, alice, zoe, fields(rivera), signature)
    assert [p["rule"] for p in refused.value.problems] == [rule]
    assert count(runtime, models.Authorization) == 0
    assert count(runtime, models.Document) == 0
    assert count(runtime, models.AuthorizationSignature) == 0


def test_the_hash_of_the_form_shown_signs_it(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The hash the signing page showed matches the form recorded, so the form is signed."""
    shown = call(runtime, forms.prepare, alice, zoe, fields(rivera), None)
    view = call(runtime, sign.record_signed, alice, zoe, fields(rivera), typed(form_sha256=shown.sha256))
    assert view.status == "active"


def test_the_witness_is_the_signed_in_person(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Naming someone else as the witness is refused."""
    with pytest.raises(InvalidInput, match="witnessed_by"):
        call(runtime, sign.record_signed, alice, zoe, fields(rivera), typed(witnessed_by="bob"))


def test_a_representative_signs_with_relationship_and_authority(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """A parent signs for the client: the form states who they are and their authority (H-C7)."""
    rep = fields(
        rivera,
        signed_by="representative",
        representative_relationship="mother",
        representative_authority="parent of a minor client",
    )
    view = call(runtime, sign.record_signed, alice, zoe, rep, typed(signer_name="Ruth Okafor"))
    _, content = call(runtime, documents.download, alice, view.signed_form_id)
    text = text_of(content)
    assert "Signed for the client by Ruth Okafor (mother). Authority: parent of a minor client" in text
    assert "Ruth Okafor (personal representative: mother)" in text


def test_a_representative_without_authority_is_refused_with_h_c7(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Relationship given, authority not: the validator refuses it as it refuses an upload (H-C7)."""
    rep = fields(rivera, signed_by="representative", representative_relationship="mother")
    with pytest.raises(Defective) as refused:
        call(runtime, sign.record_signed, alice, zoe, rep, typed(signer_name="Ruth Okafor"))
    assert "H-C7" in [p["rule"] for p in refused.value.problems]
    assert count(runtime, models.Authorization) == 0


def test_a_representative_form_cannot_be_prepared_without_their_name_relationship_and_authority(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Before the device is handed over, the form must already say who the representative is (H-C7)."""
    rep = fields(rivera, signed_by="representative", representative_name="Ruth Okafor")
    with pytest.raises(Defective) as refused:
        call(runtime, forms.prepare, alice, zoe, rep, None)
    assert [p["rule"] for p in refused.value.problems] == ["H-C7"]


def test_only_the_representative_the_form_names_may_sign_it(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Someone other than the named representative signing is refused (H-C7); nothing is stored."""
    rep = fields(
        rivera,
        signed_by="representative",
        representative_name="Ruth Okafor",
        representative_relationship="mother",
        representative_authority="parent of a minor client",
    )
    with pytest.raises(InvalidInput, match="H-C7"):
        call(runtime, sign.record_signed, alice, zoe, rep, typed(signer_name="Someone Else"))
    assert count(runtime, models.Authorization) == 0


def test_the_shipped_version_is_stored_with_the_first_signature_that_names_it(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """With no stored templates, reading writes nothing; signing stores version 1 under its shipped id."""
    with runtime.sessions() as session:
        session.execute(delete(models.FormTemplate))
        session.commit()
    call(runtime, forms.form_pdf, alice, zoe, fields(rivera), None, wet=False)
    assert count(runtime, models.FormTemplate) == 0
    call(runtime, sign.record_signed, alice, zoe, fields(rivera), typed())
    with runtime.sessions() as session:
        stored = session.execute(select(models.FormTemplate)).scalar_one()
    assert stored.id == form_templates.shipped_id(consent.Kind.HIPAA)


def test_migration_0014_stores_version_1_of_every_kind_under_its_shipped_id(database_url: str) -> None:
    """A new instance has the six defaults, with the ids every instance gives them."""
    migrate.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as conn:
            ids = set(conn.execute(select(models.FormTemplate.id)).scalars())
    finally:
        engine.dispose()
    assert ids == {form_templates.shipped_id(kind) for kind in consent.Kind}
