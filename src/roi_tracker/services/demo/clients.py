"""Synthetic clients with documents for a demo instance (never real people)."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker.domain import clients as rules
from roi_tracker.services.context import Env
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents

PEOPLE = (
    ("Maya", "Okafor", date(1987, 4, 12), "she/her", False),
    ("Jonah", "Lindqvist", date(1975, 11, 3), "he/him", True),
    ("Priya", "Raman", date(1999, 1, 27), "she/her", False),
    ("Tomás", "Echeverría", date(1968, 6, 30), "he/him", False),
    ("Sam", "Whitfield", date(2004, 9, 15), "they/them", True),
    ("Lena", "Novak", date(1991, 2, 8), "she/her", False),
)
DOCUMENTS = (
    ("assessments", "Intake assessment"),
    ("treatment_plan", "Treatment plan"),
    ("progress_summary", "Progress summary, first quarter"),
)


def tiny_pdf(lines: list[str]) -> bytes:
    """Return a valid one-page PDF showing `lines` in Helvetica (enough for synthetic demo documents)."""
    safe = [line.replace("\\", "").replace("(", "[").replace(")", "]") for line in lines]
    text = "\n".join(f"BT /F1 12 Tf 72 {720 - 18 * i} Td ({line}) Tj ET" for i, line in enumerate(safe))
    stream = text.encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def seed_clients(session: Session, env: Env, clinician: audit.Actor, *, seed: int = 11) -> int:
    """Register the synthetic clients on `clinician`'s caseload, each with a few generated PDFs."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # synthetic demo data, not security
    for given, family, born, pronouns, part2 in PEOPLE:
        details = rules.Demographics(
            given_name=given,
            family_name=family,
            date_of_birth=born,
            pronouns=pronouns,
            phone=f"555-01{rng.randint(10, 99)}",
            email=f"{given.lower()}@example.org",
            address=f"{rng.randint(10, 999)} Example Street, Springfield",
            part2=part2,
        )
        view = clients.register(session, env, clinician, details, [])
        for category, title in rng.sample(DOCUMENTS, k=2):
            pdf = tiny_pdf(
                [f"{title} (synthetic demo document)", f"Client {view.reference}", "No real person."]
            )
            documents.upload(session, env, clinician, view.id, content=pdf, category=category, title=title)
    return len(PEOPLE)
