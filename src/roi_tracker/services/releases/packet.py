"""The release packet: a cover sheet, then exactly the permitted documents, as one PDF (DT-2, DT-4, P2-N)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from roi_tracker.domain.errors import InvalidInput

PART2_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
HIPAA_NOTICE = (
    "This information is disclosed under the client's written authorization. It is confidential; "
    "the recipient should not redisclose it except as the law allows. Once disclosed it may no longer "
    "be protected by federal privacy rules."
)

OWN_COPY_NOTICE = (
    "This is the client's own copy of their records, given at their request under the right of access "
    "(45 CFR 164.524). No authorization is needed for it."
)


@dataclass(frozen=True)
class Enclosure:
    """One document sent: its title, category, type, SHA-256 and content."""

    title: str
    category: str
    media_type: str
    sha256: str
    content: bytes


@dataclass(frozen=True)
class Scope:
    """What a consent relied on permits: recipient, information, purpose and expiry (42 CFR 2.32(b))."""

    label: str
    recipient: str
    categories: tuple[str, ...]
    purposes: tuple[str, ...]
    purpose_text: str
    expires_on: date | None
    expiry_event: str


def explain(scope: Scope) -> str:
    """Explain a consent's scope in plain words, for the cover sheet of a Part 2 packet (P2-N, DT-4)."""
    what = ", ".join(c.replace("_", " ") for c in scope.categories) or "the information it names"
    reasons = [p.replace("_", " ") for p in scope.purposes if p != "other"]
    if scope.purpose_text.strip():
        reasons.append(scope.purpose_text.strip())
    ends = [f"on {scope.expires_on.isoformat()}"] if scope.expires_on else []
    ends += [f"on {scope.expiry_event.strip()}"] if scope.expiry_event.strip() else []
    until = " or ".join(ends) + (", whichever comes first" if len(ends) > 1 else "")
    return (
        f"Consent {scope.label}: the patient consented to the disclosure of {what} "
        f"to {scope.recipient or 'the recipient named on the consent'}, "
        f"for {', '.join(reasons) or 'the purpose it states'}. It expires {until or 'as it states'}, "
        "and the patient may revoke it in writing at any time, except where it has already been acted on."
    )


@dataclass(frozen=True)
class Cover:
    """What the cover sheet states."""

    practice: str
    client_reference: str
    client_name: str
    recipient: str
    recipient_address: str
    sent_on: date
    channel: str
    purpose: str
    authorization: str
    part2: bool
    consent_summary: str
    own_copy: bool = False
    consents: tuple[Scope, ...] = ()
    categories: tuple[str, ...] = ()
    practice_contact: str = ""  # address and phone (ROI_PRACTICE_ADDRESS, ROI_PRACTICE_PHONE)


def _latin(text: str) -> str:
    # The PDF core fonts cover Latin-1; anything else is replaced rather than failing the packet.
    return text.encode("latin-1", "replace").decode("latin-1")


def _cover(cover: Cover, enclosures: list[Enclosure]) -> bytes:
    from fpdf import FPDF  # imported on first use: it costs a third of the server's start-up (P5)

    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"Release of information - {cover.practice}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    if cover.practice_contact:
        pdf.multi_cell(0, 6, _latin(cover.practice_contact), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    rows = [
        ("Client", f"{cover.client_name} ({cover.client_reference})"),
        ("Recipient", cover.recipient),
        ("Address", cover.recipient_address or "-"),
        ("Date sent", cover.sent_on.isoformat()),
        ("Channel", cover.channel.replace("_", " ")),
        ("Purpose", cover.purpose.replace("_", " ")),
        ("Information sent", ", ".join(c.replace("_", " ") for c in cover.categories) or "-"),
        ("Authorization relied on", cover.authorization),
    ]
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(55, 7, _latin(label))
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 7, _latin(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, f"Enclosed ({len(enclosures)} documents)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for number, item in enumerate(enclosures, start=1):
        # The title on its own line, the fingerprint under it: one long line stretched across the page.
        line = f"{number}. {item.title} ({item.category.replace('_', ' ')})"
        pdf.multi_cell(0, 5, _latin(line), new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 5, f"    SHA-256 {item.sha256}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    if cover.part2:
        pdf.multi_cell(0, 6, _latin(PART2_NOTICE), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, _latin(f"Consent: {cover.consent_summary}"), new_x="LMARGIN", new_y="NEXT")
        # 2.32(b): the notice travels with a copy of the consent or a clear explanation of its scope.
        for scope in cover.consents:
            pdf.ln(1)
            pdf.multi_cell(0, 5, _latin(explain(scope)), new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_font("Helvetica", size=10)
        notice = OWN_COPY_NOTICE if cover.own_copy else HIPAA_NOTICE
        pdf.multi_cell(0, 5, _latin(notice), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _image_page(item: Enclosure) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.image(io.BytesIO(item.content), x=10, y=10, w=pdf.epw, keep_aspect_ratio=True, h=pdf.eph)
    return bytes(pdf.output())


def build(cover: Cover, enclosures: list[Enclosure]) -> bytes:
    """Return the packet: the cover sheet followed by every enclosure, in order."""
    from pypdf import PdfReader
    from pypdf import PdfWriter
    from pypdf.errors import PdfReadError

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_cover(cover, enclosures))))
    for item in enclosures:
        data = item.content if item.media_type == "application/pdf" else _image_page(item)
        try:
            writer.append(PdfReader(io.BytesIO(data)))
        except (PdfReadError, ValueError, OSError):
            raise InvalidInput(
                f"the document {item.title!r} cannot be read as a PDF", field="document_ids"
            ) from None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
