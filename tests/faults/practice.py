"""A practice to load a live server with, the load (disclosures, checks, uploads), and what must hold."""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from tests.faults.live import call
from tests.faults.live import multipart
from tests.helpers import person

PDF = tiny_pdf(["Synthetic scan"])
VERIFIED = "Known clinic; called back on the number in the directory"


@dataclass(frozen=True)
class Practice:
    """A clinician and a front desk with API tokens, a client with a document, a recipient and a release."""

    clinician_token: str
    desk_token: str
    client_id: str
    recipient_id: str
    document_id: str


def open_practice(runtime: Runtime) -> Practice:
    """Create the practice through the services, as the app would."""
    carol = person(runtime, "carol", "clinician")
    person(runtime, "frank", "front_desk")
    env = runtime.env
    today = env.clock().date()
    signed = (today - timedelta(days=10)).isoformat()
    terms = {
        "kind": "hipaa",
        "categories": ["diagnosis"],
        "purposes": ["continuity_of_care"],
        "effective_on": signed,
        "expires_on": (today + timedelta(days=100)).isoformat(),
        "signed_on": signed,
        "signed_by": "client",
        "statements": ["right_to_revoke", "no_conditioning", "redisclosure"],
        "copy_given_on": signed,
        "copy_method": "in person",
    }
    with runtime.sessions() as session:
        details = rules.Demographics(given_name="Pat", family_name="Example", date_of_birth=date(1980, 1, 2))
        client = clients.register(session, env, carol, details, ["carol"])
        doc = documents.upload(
            session, env, carol, client.id, content=PDF, category="diagnosis", title="Scan"
        )
        recipient = recipients.create(session, env, carol, name="Dr Ana Rivera", organization="Northside")
        terms["recipient_id"] = str(recipient.id)
        authorizations.record(session, env, carol, client.id, terms, PDF)
        clinician_token = users.issue_token(session, env, carol, "carol")
        desk_token = users.issue_token(session, env, carol, "frank")
    return Practice(clinician_token, desk_token, str(client.id), str(recipient.id), str(doc.id))


@dataclass
class Load:
    """Threads sending disclosures, checks and uploads until stopped, and what the server acknowledged."""

    port: int
    practice: Practice
    statuses: Counter[str] = field(default_factory=Counter)
    disclosures: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    requests: set[str] = field(default_factory=set)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _disclose(self) -> tuple[int, Any]:
        p = self.practice
        body = {
            "recipient_id": p.recipient_id,
            "categories": ["diagnosis"],
            "purpose": "continuity_of_care",
            "channel": "fax",
            "document_ids": [p.document_id],
            "requester_verification": VERIFIED,
        }
        return call(
            self.port, "POST", f"/api/v1/clients/{p.client_id}/disclosures", token=p.desk_token, body=body
        )

    def _check(self) -> tuple[int, Any]:
        p = self.practice
        body = {
            "client_id": p.client_id,
            "recipient_id": p.recipient_id,
            "categories": ["diagnosis"],
            "purpose": "continuity_of_care",
        }
        return call(self.port, "POST", "/api/v1/disclosure-checks", token=p.desk_token, body=body)

    def _upload(self) -> tuple[int, Any]:
        p = self.practice
        form = multipart({"category": "diagnosis", "title": "Scanned letter"}, PDF)
        path = f"/api/v1/clients/{p.client_id}/documents"
        return call(self.port, "POST", path, token=p.clinician_token, body=form)

    def _request(self) -> tuple[int, Any]:
        p = self.practice
        body = {
            "client_id": p.client_id,
            "kind": "access",
            "channel": "mail",
            "requester": {"name": "The client"},
            "requester_is": "client",
            "categories": ["diagnosis"],
            "format": "paper",
        }
        return call(self.port, "POST", "/api/v1/requests", token=p.desk_token, body=body)

    def _run(self, kind: str) -> None:
        sends = {"disclose": self._disclose, "check": self._check, "upload": self._upload}
        send = {**sends, "request": self._request}[kind]
        while not self.stop.is_set():
            try:
                status, doc = send()
            except (OSError, http.client.HTTPException):
                status, doc = 0, None  # refused or cut off: the server is down
                self.stop.wait(0.05)
            with self.lock:
                self.statuses[f"{kind} {status}"] += 1
                if status == 201 and kind == "disclose":
                    self.disclosures.add(doc["id"])
                if status == 201 and kind == "upload":
                    self.documents.add(doc["id"])
                if status == 201 and kind == "request":
                    self.requests.add(doc["id"])

    def start(self, per_kind: int = 2, kinds: tuple[str, ...] = ("disclose", "check", "upload")) -> None:
        """Start `per_kind` threads of each kind (also "request": the request desk's intake)."""
        for kind in kinds:
            for _ in range(per_kind):
                thread = threading.Thread(target=self._run, args=(kind,), daemon=True)
                thread.start()
                self.threads.append(thread)

    def wait_for(self, disclosures: int, documents: int, timeout: float = 60, requests: int = 0) -> None:
        """Wait until the server has acknowledged this many disclosures, uploads and requests."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if (
                    len(self.disclosures) >= disclosures
                    and len(self.documents) >= documents
                    and len(self.requests) >= requests
                ):
                    return
            time.sleep(0.05)
        raise AssertionError(f"the load did not get through in {timeout}s: {dict(self.statuses)}")

    def finish(self) -> None:
        """Stop the threads and wait for them."""
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def assert_nothing_half_written(runtime: Runtime, load: Load) -> None:
    """Every acknowledged write is stored whole; every stored write has its log entry, and vice versa."""
    with runtime.sessions() as session:
        disclosed = {str(i) for i in session.scalars(select(models.Disclosure.id))}
        docs = {str(i) for i in session.scalars(select(models.Document.id))}
        blobs = {str(i) for i in session.scalars(select(models.DocumentBlob.document_id))}
        allowed = select(models.AuditEntry.object_id).where(
            models.AuditEntry.outcome == Outcome.ALLOWED.value
        )
        logged_disclosures = set(
            session.scalars(allowed.where(models.AuditEntry.action == Action.DISCLOSURE_RECORDED.value))
        )
        logged_uploads = set(
            session.scalars(allowed.where(models.AuditEntry.action == Action.DOCUMENT_UPLOADED.value))
        )
        received = {str(i) for i in session.scalars(select(models.RecordRequest.id))}
        logged_requests = set(
            session.scalars(allowed.where(models.AuditEntry.action == Action.REQUEST_RECEIVED.value))
        )
        session.rollback()
    assert load.disclosures <= disclosed, "an acknowledged disclosure is missing"
    assert load.documents <= docs, "an acknowledged upload is missing"
    assert disclosed == logged_disclosures, (
        "a disclosure without its log entry, or an entry without its disclosure"
    )
    assert load.requests <= received, "an acknowledged request is missing"
    assert received == logged_requests, "a request without its log entry, or an entry without its request"
    assert docs == blobs, "a document without its content, or content without its document"
    assert docs - logged_uploads <= set(_signed_forms(runtime)), "a document without its log entry"


def _signed_forms(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        return [str(i) for i in session.scalars(select(models.Authorization.signed_form_id))]
