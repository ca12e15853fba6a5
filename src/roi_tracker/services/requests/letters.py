"""Letters about a request, in plain language, as PDF: acknowledgement, extension, denial, review outcome.

Each is dated in the practice's time zone and names the practice, its address and how to reach it (H-A8).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from roi_tracker.domain import requests as rules

KINDS = ("acknowledgement", "extension", "denial", "review_outcome", "no_records")
HHS = (
    "You may also complain to the Secretary of the U.S. Department of Health and Human Services, Office for "
    "Civil Rights, online at www.hhs.gov/ocr/complaints, or by mail to 200 Independence Avenue SW, "
    "Washington, DC 20201."
)


@dataclass(frozen=True)
class Practice:
    """Who the letter comes from."""

    name: str
    address: str
    phone: str
    contact: str


@dataclass(frozen=True)
class Facts:
    """What a letter says about a request; the requester's name is the only personal detail."""

    reference: str
    client_reference: str
    requester: str
    received_on: date
    due_on: date
    dated: date
    fee: str = ""
    reason: str = ""
    grounds: tuple[str, ...] = ()
    reviewable: bool = False
    outcome: str = ""
    paragraphs: list[str] = field(default_factory=list)


_DATES = ("received_on", "due_on", "dated")


def kept_form(kind: str, f: Facts, p: Practice) -> bytes:
    """What is kept of a letter: its kind, facts and sender as JSON, rendered as PDF whenever read.

    Kept rather than the PDF so recording a request costs no more than a disclosure check (issue 18; the
    acknowledgement is asked for after intake, if at all). The facts and the practice's details are those of
    the day it was written, so the letter reads the same whenever it is opened.
    """
    facts = {k: (v.isoformat() if k in _DATES else v) for k, v in asdict(f).items()}
    return json.dumps({"letter": 1, "kind": kind, "facts": facts, "practice": asdict(p)}).encode()


def pdf_of(kept: bytes) -> bytes:
    """The PDF of a kept letter (letters written before `kept_form` were kept as PDFs)."""
    if kept.startswith(b"%PDF"):
        return kept
    raw = json.loads(kept)
    facts: dict[str, Any] = dict(raw["facts"])
    facts.update({k: date.fromisoformat(facts[k]) for k in _DATES})
    facts["grounds"] = tuple(facts.get("grounds", ()))
    return render(raw["kind"], Facts(**facts), Practice(**raw["practice"]))


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def body(kind: str, f: Facts, p: Practice) -> list[str]:
    """The paragraphs of a letter of `kind`."""
    intro = f"We received your request for records (our reference {f.reference}) on {f.received_on}."
    if kind == "acknowledgement":
        out = [intro, f"We will act on it by {f.due_on}."]
        if f.fee:
            out.append(
                f"The fee for the copy is {f.fee}. We never charge for searching or retrieving records."
            )
        return out
    if kind == "extension":
        return [
            intro,
            f"We need more time to act on it, for this reason: {f.reason}",
            f"We will act on it by {f.due_on}. This is the only extension the law allows.",
        ]
    if kind == "no_records":
        return [intro, "We looked, and we hold no records that match the request."]
    if kind == "denial":
        out = [intro, "We cannot give you all or part of what you asked for, for these reasons:"]
        out += [f"- {rules.GROUND_TEXT[rules.Ground(g)]}" for g in f.grounds]
        if f.reason:
            out.append(f"In more detail: {f.reason}")
        out.append("Anything not covered by these reasons will be given to you.")
        if f.reviewable:
            out.append(
                "You have the right to have this decision reviewed by a licensed health care professional "
                f"who did not take part in it. To ask for a review, write to or call {p.contact} at "
                f"{p.name}{', ' + p.phone if p.phone else ''}."
            )
        out.append(
            f"To complain to us, contact {p.contact} at {p.name}{', ' + p.phone if p.phone else ''}. " + HHS
        )
        return out
    if kind == "review_outcome":
        verdict = (
            "The reviewer agreed with the denial: it stands."
            if f.outcome == "upheld"
            else "The reviewer reversed the denial: we will now give you what you asked for."
        )
        out = [
            intro,
            "A licensed health care professional who took no part in the denial reviewed it.",
            verdict,
        ]
        if f.reason:
            out.append(f"The reviewer's notes: {f.reason}")
        return out
    raise ValueError(kind)


TITLES = {
    "acknowledgement": "We received your request",
    "extension": "We need more time",
    "denial": "Our decision on your request",
    "review_outcome": "The review of our decision",
    "no_records": "No records found",
}


def render(kind: str, f: Facts, p: Practice) -> bytes:
    """Return the letter as a one- or two-page PDF."""
    from fpdf import FPDF  # imported on first use: it costs a third of the server's start-up (P5)

    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, _latin(p.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for line in (p.address, p.phone):
        if line:
            pdf.multi_cell(0, 5, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, f"{f.dated}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, _latin(f"To: {f.requester}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        6,
        f"Re: request {f.reference} (records of client {f.client_reference})",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, TITLES[kind], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for paragraph in body(kind, f, p):
        pdf.ln(2)
        pdf.multi_cell(0, 6, _latin(paragraph), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(0, 6, _latin(f"{p.contact}, {p.name}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
