"""Signing in the office: the form's content in plain words, its SHA-256, and what an e-signature needs.

HIPAA accepts electronic signatures valid under the ESIGN Act and UETA: the signer's intent to sign, their
consent to sign electronically, the signature attached to the record, and a record that can be reproduced
accurately (15 U.S.C. 7001(a), (c), (d); UETA sections 5, 7, 9, 12). Rules E-S1..E-S4 name those needs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from roi_tracker.domain import form_templates
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import Problem
from roi_tracker.domain.consent import Severity


class Method(StrEnum):
    """How the signer signed on screen."""

    DRAWN = "drawn"
    TYPED = "typed"


@dataclass(frozen=True)
class Form:
    """Everything a release form states, already in words (no identifiers), as the client reads it."""

    kind: Kind
    template_version: int
    wording: form_templates.Wording
    practice: str
    client_name: str
    client_reference: str
    recipient: str
    categories: tuple[str, ...]
    purposes: tuple[str, ...]
    purpose_text: str = ""
    effective_on: date | None = None
    expires_on: date | None = None
    expiry_event: str = ""
    records_from: date | None = None
    records_to: date | None = None
    representative: bool = False
    representative_name: str = ""
    representative_relationship: str = ""
    representative_authority: str = ""


def _words(values: tuple[str, ...]) -> str:
    return ", ".join(v.replace("_", " ") for v in values) or "-"


def _until(form: Form) -> str:
    ends = [f"on {form.expires_on.isoformat()}"] if form.expires_on else []
    ends += [f"at this event: {form.expiry_event}"] if form.expiry_event else []
    return " or ".join(ends) + (", whichever comes first" if len(ends) > 1 else "") or "-"


def paragraphs(form: Form) -> list[tuple[str, str]]:
    """Return the form as (heading, text) pairs: every element and statement, in the order printed."""
    w = form.wording

    def say(text: str) -> str:
        return text.replace("{practice}", form.practice)

    why = _words(tuple(p for p in form.purposes if p != "other"))
    if form.purpose_text.strip():
        why = f"{why}; {form.purpose_text.strip()}" if why != "-" else form.purpose_text.strip()
    out = [
        (say(w.title), say(w.section("intro"))),
        ("Client", f"{form.client_name} ({form.client_reference})"),
        ("Who may share the information", form.practice),
        ("Who may receive it", form.recipient or "-"),
        ("What information", _words(form.categories)),
        ("Why", why),
        ("Starts", form.effective_on.isoformat() if form.effective_on else "the day it is signed"),
        ("Ends", _until(form)),
    ]
    if form.records_from or form.records_to:
        span = f"{form.records_from or 'the beginning'} to {form.records_to or 'the day it is signed'}"
        out.append(("Records dated", span))
    headings = {
        "right_to_revoke": "Your right to cancel",
        "no_conditioning": "Your choice",
        "consequences_of_refusal": "If you do not sign",
        "redisclosure": "Sharing again",
    }
    out += [(heading, say(w.section(name))) for name, heading in headings.items() if w.section(name)]
    if form.representative:
        # A personal representative signs with their relationship and authority (164.508(c)(1)(vi), H-C7).
        who = f"{form.representative_name} ({form.representative_relationship})"
        out.append(("Signed for the client by", f"{who}. Authority: {form.representative_authority}"))
    out.append(("Form", f"{form.kind.value} form, template version {form.template_version}"))
    return out


def content_sha256(form: Form) -> str:
    """Return the SHA-256 of the form's content: what the signer saw, reproducible from the record."""
    text = "\n".join(f"{heading}\n{body}" for heading, body in paragraphs(form))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Signature:
    """A signature as submitted: how, by whom, and what the signer agreed to."""

    method: Method
    signer_name: str
    intent: bool
    electronic_consent: bool
    marks: int = 0  # drawn: how many pixels the drawing inked; typed: unused
    form_sha256: str = ""  # the hash of the form the signer was shown, when the caller knows it


def _block(rule: str, field: str, message: str) -> Problem:
    return Problem(rule, Severity.BLOCK, field, message)


def problems(sig: Signature, *, content_sha256: str) -> list[Problem]:
    """Return every reason this signature cannot sign this form (E-S1..E-S4), all at once."""
    out: list[Problem] = []
    if not sig.intent:
        out.append(
            _block("E-S1", "signature.intent", "The signer must confirm they choose to sign this form.")
        )
    if not sig.electronic_consent:
        out.append(
            _block("E-S2", "signature.electronic_consent", "The signer must agree to sign electronically.")
        )
    if not sig.signer_name.strip():
        out.append(_block("E-S3", "signature.signer_name", "Give the signer's name."))
    if sig.method is Method.DRAWN and sig.marks <= 0:
        out.append(_block("E-S3", "signature.image", "The drawn signature is empty: sign in the box."))
    if sig.form_sha256 and sig.form_sha256.lower() != content_sha256:
        out.append(
            _block(
                "E-S4",
                "signature.form_sha256",
                "The form changed after it was shown for signing: show it again and sign the new one.",
            )
        )
    return out
