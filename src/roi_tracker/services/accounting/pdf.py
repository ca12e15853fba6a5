"""The accounting as a printable PDF a client can be handed, and as CSV."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from roi_tracker.domain import accounting as rules
from roi_tracker.services.accounting.accounting import Produced

if TYPE_CHECKING:
    from fpdf import FPDF

CSV_COLUMNS = ("date", "last_date", "count", "recipient", "address", "description", "purpose", "basis")


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def as_pdf(practice: str, produced: Produced) -> bytes:
    """Return the accounting in plain language, ready to print."""
    from fpdf import FPDF  # imported on first use: it costs a third of the server's start-up (P5)

    a = produced.accounting
    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, _latin(f"Accounting of disclosures - {practice}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0,
        6,
        _latin(f"For: {produced.client_name} ({produced.client_reference})"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.multi_cell(0, 6, f"Period covered: {a.since} to {a.until}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(
        0,
        6,
        _latin(
            "This lists the times we shared information about you without your written permission, "
            "or with your consent where the law requires us to list it."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    if not a.entries and not a.summaries:
        pdf.multi_cell(
            0, 6, "There are no disclosures to list for this period.", new_x="LMARGIN", new_y="NEXT"
        )
    for e in a.entries:
        _entry(pdf, f"{e.on}", e)
    for s in a.summaries:
        _entry(pdf, f"{s.first.on} (first of {s.count}; last on {s.last_on})", s.first)
        pdf.multi_cell(0, 5, _latin(f"Across all {s.count}: {s.description}."), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(3)
    pdf.set_font("Helvetica", "I", 10)
    pdf.multi_cell(0, 5, _latin(rules.EXPLANATION), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _entry(pdf: FPDF, when: str, e: rules.Entry) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(
        0, 6, _latin(f"{when} - to {e.recipient or 'recipient not recorded'}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", size=10)
    if e.address:
        pdf.multi_cell(0, 5, _latin(f"Address: {e.address}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        5,
        _latin(f"What: {e.description}. Why: {rules.purpose_in_words(e.purpose)}. Basis: {_basis(e.basis)}."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(1)


def _basis(basis: str) -> str:
    # "part2_medical_emergency" reads "Part 2 medical emergency"; other bases are words joined by "_".
    return basis.replace("part2", "Part 2").replace("_", " ")


def as_csv(produced: Produced) -> str:
    """Return the accounting as CSV (entries, then summaries with their count and last date)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    a = produced.accounting
    for e in a.entries:
        writer.writerow([e.on, e.on, 1, e.recipient, e.address, e.description, e.purpose, e.basis])
    for s in a.summaries:
        f = s.first
        # The row stands for the whole series, so its description is every category sent in it.
        writer.writerow([f.on, s.last_on, s.count, f.recipient, f.address, s.description, f.purpose, f.basis])
    return out.getvalue()
