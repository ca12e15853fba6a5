"""Rows of one synthetic client for `demo seed`: sealed with the real keys, logged as planned entries."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import exceptions as ex
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.demo.people import GIVEN
from roi_tracker.services.demo.people import Batch
from roi_tracker.services.demo.people import Cast
from roi_tracker.services.demo.people import code
from roi_tracker.services.demo.terms import TermsCache
from roi_tracker.services.demo.terms import draft_fields
from roi_tracker.services.records import search_terms
from roi_tracker.services.records import vault

CLINICAL = ("assessments", "treatment_plan", "progress_summary", "diagnosis", "attendance")
AUTHS_PER_CLIENT = 5  # at most; label numbers are reserved per client
CHANNELS = ("mail", "fax", "secure_email", "portal")


class Writer:
    """Builds one client after another into a batch; counters keep references and labels unique."""

    def __init__(self, cast: Cast, rng: random.Random, surnames: list[str], client_no: int, auth_no: int):
        self.cast, self.rng, self.surnames = cast, rng, surnames
        self.client_no, self.auth_no = client_no, auth_no
        self.batch = Batch()
        self.terms = TermsCache()
        self._pdfs: dict[str, bytes] = {}

    def take(self) -> Batch:
        """Return the batch built so far and start a new one."""
        out, self.batch = self.batch, Batch()
        return out

    def _add(self, model: type, **row: Any) -> None:
        self.batch.rows[model].append(row)

    def _log(self, at: datetime, actor: audit.Actor, action: Action, **what: str) -> None:
        self.batch.log.append(audit.Planned(at, actor, action, Outcome.ALLOWED, **what))

    def client(self) -> None:
        """Add one client with documents, authorizations, maybe disclosures or an exception, and history."""
        rng, now = self.rng, self.cast.now
        clinician = rng.choice(self.cast.clinicians)
        since = now - timedelta(days=rng.randint(30, 1500), minutes=rng.randint(0, 600))
        d = rules.Demographics(
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(self.surnames),
            date_of_birth=date(1935, 1, 1) + timedelta(days=rng.randrange(28_000)),
            pronouns=rng.choice(("she/her", "he/him", "they/them", "")),
            phone=f"555-{rng.randrange(10_000):04d}",
            email=f"client{self.client_no}@example.org",
            address=f"{rng.randint(1, 999)} Example Street, Springfield",
            part2=rng.random() < 0.15,
        )
        client = models.Client(id=uuid.uuid4())
        cid = str(client.id)
        key, wrapped = self.cast.keyring.new_data_key(cid, 1)
        vault.seal_demographics(key, client, d)
        sealed = {n: getattr(client, n) for n in (*vault.TEXT_FIELDS, "date_of_birth", "part2")}
        self._add(
            models.Client,
            id=client.id,
            reference="C-" + code(self.client_no),
            status="active",
            key_version=1,
            name_dob_index=vault.name_dob_index(self.cast.keyring, d.family_name, d.date_of_birth),
            legal_hold=False,
            created_by=uuid.UUID(clinician.user_id),
            created_at=since,
            updated_at=since,
            last_activity_at=since,
            discharged_at=None,
            shredded_at=None,
            **sealed,
        )
        self.client_no += 1
        kek = self.cast.keyring.primary_kek_id
        self._add(
            models.ClientKey, client_id=client.id, version=1, kek_id=kek, wrapped=wrapped, created_at=since
        )
        for term in search_terms.rows_of(self.cast.keyring, client.id, d):
            self._add(models.ClientSearchTerm, **term)
        self._add(
            models.CaseloadAssignment,
            client_id=client.id,
            user_id=uuid.UUID(clinician.user_id),
            assigned_at=since,
        )
        self._log(since, clinician, Action.CLIENT_RECORD_WRITTEN, **_on(cid, "client", cid, "register"))
        at = since
        for category in rng.sample(CLINICAL, k=rng.randint(1, 2)):
            at += timedelta(days=rng.randint(1, 20))
            self.document(key, client.id, clinician, at, category, category.replace("_", " ").capitalize())
        for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
            at = min(at + timedelta(days=rng.randint(0, 40)), now - timedelta(hours=1))
            self.authorization(key, client.id, clinician, at, d.part2)
        reader = rng.choice(self.cast.front_desk)
        self._log(
            now - timedelta(days=rng.randint(0, 29)),
            reader,
            Action.CLIENT_RECORD_READ,
            **_on(cid, "client", cid),
        )
        if rng.random() < 0.005:
            self.exception(key, client.id, clinician, now - timedelta(days=rng.randint(1, 29)), d.part2)

    def document(
        self,
        key: crypto.DataKey,
        client_id: uuid.UUID,
        actor: audit.Actor,
        at: datetime,
        category: str,
        title: str,
    ) -> uuid.UUID:
        """Add a small sealed PDF and its upload entry; return its id."""
        doc_id = uuid.uuid4()
        row_id = str(doc_id)
        pdf = self._pdfs.get(category) or self._pdfs.setdefault(
            category, tiny_pdf([f"{category.replace('_', ' ')} (synthetic document)", "No real person."])
        )
        self._add(
            models.Document,
            id=doc_id,
            client_id=client_id,
            category=category,
            title=key.encrypt(title.encode(), table="documents", column="title", row_id=row_id),
            media_type="application/pdf",
            size=len(pdf),
            sha256=crypto.sha256(pdf),
            uploaded_by=uuid.UUID(actor.user_id),
            uploaded_at=at,
        )
        content = key.encrypt(pdf, table="document_blobs", column="content", row_id=row_id)
        self._add(models.DocumentBlob, document_id=doc_id, content=content)
        self._log(at, actor, Action.DOCUMENT_UPLOADED, **_on(str(client_id), "document", row_id, category))
        return doc_id

    def authorization(
        self, key: crypto.DataKey, client_id: uuid.UUID, actor: audit.Actor, signed_at: datetime, part2: bool
    ) -> None:
        """Add an authorization of a kind the client's records call for, in some state; maybe disclose."""
        rng, today = self.rng, self.cast.now.date()
        recipient = rng.choice(self.cast.recipients)
        fields, state = draft_fields(rng, recipient, signed_at.date(), today, part2)
        terms = self.terms.sealable(fields, part2)
        cid = str(client_id)
        form = self.document(key, client_id, actor, signed_at, "signed_authorization", "Signed authorization")
        auth_id = uuid.uuid4()
        label = "A-" + code(self.auth_no)
        self.auth_no += 1
        revoked_on = revocation = None
        if state == "revoked":
            revoked_on = signed_at.date() + (today - signed_at.date()) / 2
            when = datetime.combine(revoked_on, signed_at.timetz())
            revocation = self.document(key, client_id, actor, when, "revocation", f"Revocation of {label}")
        self._add(
            models.Authorization,
            id=auth_id,
            client_id=client_id,
            label=label,
            recipient_id=recipient if fields["recipient_id"] else None,
            terms=key.encrypt(terms, table="authorizations", column="terms", row_id=str(auth_id)),
            effective_on=fields["signed_on"],
            expires_on=fields.get("expires_on"),
            signed_form_id=form,
            recorded_by=uuid.UUID(actor.user_id),
            recorded_at=signed_at,
            expiry_event_on=None,
            expiry_event_recorded_by=None,
            revoked_on=revoked_on,
            revocation_document_id=revocation,
            revocation_recorded_by=uuid.UUID(actor.user_id) if revocation else None,
        )
        self._log(
            signed_at, actor, Action.AUTHORIZATION_RECORDED, **_on(cid, "authorization", str(auth_id), label)
        )
        if revoked_on is not None:
            when = datetime.combine(revoked_on, signed_at.timetz())
            self._log(
                when, actor, Action.AUTHORIZATION_REVOKED, **_on(cid, "authorization", str(auth_id), label)
            )
        elif state == "active" and fields["recipient_id"] and rng.random() < 0.4:
            self.disclosure(key, client_id, auth_id, label, recipient, fields, part2)

    def disclosure(
        self,
        key: crypto.DataKey,
        client_id: uuid.UUID,
        auth_id: uuid.UUID,
        label: str,
        recipient: uuid.UUID,
        fields: dict[str, Any],
        part2: bool,
    ) -> None:
        """Add a permitted check and the disclosure it led to, by the front desk, in the last month."""
        rng, now = self.rng, self.cast.now
        desk = rng.choice(self.cast.front_desk)
        at = now - timedelta(days=rng.randint(1, 29), minutes=rng.randint(0, 600))
        cats = fields["categories"][: rng.randint(1, len(fields["categories"]))]
        cid, did = str(client_id), uuid.uuid4()
        self._log(
            at, desk, Action.DISCLOSURE_CHECK, **_on(cid, "recipient", str(recipient), f"permit:{label}")
        )
        details = {
            "categories": cats,
            "purpose": fields["purposes"][0],
            "on": at.date().isoformat(),
            "document_ids": [],
            "requester_verification": "Known provider; fax number on file (synthetic)",
            "authorizations": [label],
            "part2": part2,
        }
        sealed = key.encrypt(
            json.dumps(details).encode(), table="disclosures", column="details", row_id=str(did)
        )
        self._disclosure_row(did, client_id, recipient, auth_id, label, desk, at, sealed)
        self._log(
            at + timedelta(minutes=2),
            desk,
            Action.DISCLOSURE_RECORDED,
            **_on(cid, "disclosure", str(did), label),
        )

    def _disclosure_row(
        self,
        did: uuid.UUID,
        client_id: uuid.UUID,
        recipient: uuid.UUID,
        auth_id: uuid.UUID | None,
        basis: str,
        actor: audit.Actor,
        at: datetime,
        sealed: bytes,
    ) -> None:
        self._add(
            models.Disclosure,
            id=did,
            client_id=client_id,
            recipient_id=recipient,
            authorization_id=auth_id,
            basis=basis,
            channel=self.rng.choice(CHANNELS),
            details=sealed,
            disclosed_by=uuid.UUID(actor.user_id),
            disclosed_at=at,
            corrects_id=None,
        )

    def exception(
        self, key: crypto.DataKey, client_id: uuid.UUID, actor: audit.Actor, at: datetime, part2: bool
    ) -> None:
        """Add a mandated child-abuse report: its disclosure and its sealed exception, pending review."""
        recipient = self.rng.choice(self.cast.recipients)
        exception_id, did = uuid.uuid4(), uuid.uuid4()
        kind = ex.Kind.CHILD_ABUSE_REPORT.value
        own = {"report_number": f"CPS-{self.rng.randrange(10**6):06d}", "reported_at": at.isoformat()}
        details = {
            "kind": kind,
            "fields": own,
            "justification": "Mandated report (synthetic).",
            "disclosed_categories": ["demographics"],
            "recipient_id": str(recipient),
            "learned_as_admission_of_past_violent_crime": False,
            "client_informed_on": at.date().isoformat(),
            "not_informed_reason": "",
            "part2": part2,
        }
        told: dict[str, Any] = {
            "categories": ["demographics"],
            "purpose": f"exception:{kind}",
            "on": at.date().isoformat(),
        }
        told |= {"document_ids": [], "requester_verification": "", "authorizations": [], "part2": part2}
        told["exception_id"] = str(exception_id)
        sealed = key.encrypt(
            json.dumps(told).encode(), table="disclosures", column="details", row_id=str(did)
        )
        self._disclosure_row(did, client_id, recipient, None, kind, actor, at, sealed)
        self._add(
            models.ConfidentialityException,
            id=exception_id,
            client_id=client_id,
            disclosure_id=did,
            details=key.encrypt(
                json.dumps(details).encode(),
                table="confidentiality_exceptions",
                column="details",
                row_id=str(exception_id),
            ),
            occurred_at=at,
            recorded_by=uuid.UUID(actor.user_id),
            recorded_at=at,
            corrects_id=None,
        )
        cid = str(client_id)
        self._log(at, actor, Action.EXCEPTION_RECORDED, **_on(cid, "exception", str(exception_id), kind))


def _on(client_id: str, object_type: str, object_id: str, basis: str = "") -> dict[str, str]:
    return {"client_id": client_id, "object_type": object_type, "object_id": object_id, "basis": basis}
