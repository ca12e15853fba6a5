"""The breach notice to an individual as a printable PDF, with the content 164.404(c) requires (H-B4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from roi_tracker.domain import incidents as rules

_WHAT = {
    rules.Kind.MISDIRECTED_DISCLOSURE: "information about you was sent to the wrong recipient",
    rules.Kind.UNAUTHORIZED_ACCESS: "someone who was not permitted to see it looked at information about you",
    rules.Kind.LOST_OR_STOLEN_DEVICE: "a device holding information about you was lost or stolen",
    rules.Kind.OTHER: "information about you was used or shared in a way the law does not permit",
}
_STEPS = (
    "Keep this letter. Watch for letters, calls or bills about care you did not receive, and tell us of any. "
    "If you are worried someone may use your information, you may ask your insurer for a record of the "
    "claims made in your name, and place a fraud alert with a credit bureau."
)


@dataclass(frozen=True)
class Content:
    """What the letter says: every element of 164.404(c), and how to reach the practice."""

    practice: str
    contact: str
    reference: str
    kind: str
    client_name: str
    client_address: str
    occurred_on: date | None
    discovered_on: date
    categories: list[str]
    phi_nature: str
    mitigation: str
    written_on: date


def paragraphs(c: Content) -> list[tuple[str, str]]:
    """The letter as (heading, text) pairs, in the order 164.404(c)(1) lists them."""
    when = f"on {c.occurred_on}" if c.occurred_on else "on a date we are still establishing"
    kinds = ", ".join(c.categories) or c.phi_nature or "information about your care"
    doing = (
        c.mitigation or "We are looking into what happened and taking steps so that it does not happen again."
    )
    contact = c.contact or "Please contact our office by telephone or mail at the number and address you use."
    return [
        (
            "What happened",
            f"{_WHAT[rules.Kind(c.kind)].capitalize()} {when}. We found out on {c.discovered_on}.",
        ),
        ("What information was involved", kinds),
        ("What you can do", _STEPS),
        ("What we are doing", doing),
        (
            "How to reach us",
            f"{contact} You may ask us about this notice (reference {c.reference}) at any time. You may "
            "also complain to the U.S. Department of Health and Human Services, Office for Civil Rights.",
        ),
    ]


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def render(c: Content) -> bytes:
    """Return the notice as a PDF."""
    from fpdf import FPDF  # imported on first use, as the other PDFs do (performance.md P5)

    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _latin(c.practice), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    if c.contact:
        pdf.multi_cell(0, 5, _latin(c.contact), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, f"{c.written_on}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, _latin(c.client_name), new_x="LMARGIN", new_y="NEXT")
    if c.client_address:
        pdf.multi_cell(0, 6, _latin(c.client_address), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(
        0, 7, _latin("Notice of a breach of your health information"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, _latin(f"Dear {c.client_name},"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for heading, text in paragraphs(c):
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, _latin(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, _latin(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.multi_cell(0, 6, _latin(f"Sincerely,\n{c.practice}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
