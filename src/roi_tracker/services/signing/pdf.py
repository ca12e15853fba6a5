"""The release form as PDF: for reading before signing, with blank lines for a wet signature, or signed."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING

from roi_tracker.domain import signing

if TYPE_CHECKING:
    from fpdf import FPDF

# A fixed creation date: the PDF of a form is the same bytes whenever it is rendered from the same content.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Signed:
    """What the signature block of a signed form states."""

    method: signing.Method
    signer_name: str
    signer_role: str
    signed_at: str  # local time in the practice's zone, with the zone's name
    witness: str
    image: bytes | None
    content_sha256: str


def _latin(text: str) -> str:
    # The PDF core fonts cover Latin-1; anything else is replaced rather than failing the form.
    return text.encode("latin-1", "replace").decode("latin-1")


def _line(pdf: FPDF, text: str, *, size: int = 11, style: str = "", height: float = 6) -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(0, height, _latin(text), new_x="LMARGIN", new_y="NEXT")


def _body(pdf: FPDF, form: signing.Form) -> None:
    pairs = signing.paragraphs(form)
    title, intro = pairs[0]
    _line(pdf, title, size=15, style="B", height=8)
    _line(pdf, intro)
    pdf.ln(2)
    for heading, text in pairs[1:]:
        _line(pdf, heading, style="B")
        _line(pdf, text)
        pdf.ln(1)


def _wet(pdf: FPDF, form: signing.Form) -> None:
    pdf.ln(4)
    for label in ("Signature", "Printed name", "Date signed"):
        _line(pdf, f"{label}: ________________________________________________")
        pdf.ln(3)
    _line(pdf, "If signed by a personal representative: relationship and authority to act for the client:")
    _line(pdf, "________________________________________________________________")


def _signature(pdf: FPDF, s: Signed) -> None:
    pdf.ln(3)
    _line(pdf, "Signature", style="B")
    if s.image is not None:
        pdf.image(io.BytesIO(s.image), w=70)
    else:
        _line(pdf, s.signer_name, size=18, style="I", height=10)
    how = "drawn on screen" if s.method is signing.Method.DRAWN else "typed on screen"
    _line(pdf, f"Signed by {s.signer_name} ({s.signer_role}), {how}, on {s.signed_at}.")
    _line(pdf, "The signer chose to sign this form and agreed to sign it electronically.")
    _line(pdf, f"Witnessed by {s.witness}, who handed over the device.")


def render(form: signing.Form, *, signed: Signed | None = None, wet: bool = False) -> bytes:
    """Return the form as PDF: the complete form, with blank signature lines (`wet`), or signed."""
    from fpdf import FPDF  # imported on first use: it costs a third of the server's start-up (P5)

    pdf = FPDF(format="letter")
    pdf.set_creation_date(_EPOCH)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    _body(pdf, form)
    if signed is not None:
        _signature(pdf, signed)
    elif wet:
        _wet(pdf, form)
    else:
        _line(pdf, "Not signed yet.", style="I")
    pdf.ln(3)
    digest = signed.content_sha256 if signed else signing.content_sha256(form)
    _line(pdf, f"SHA-256 of this form's content: {digest}", size=8, height=4)
    return bytes(pdf.output())
