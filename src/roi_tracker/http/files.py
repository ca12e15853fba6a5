"""Downloads that leave the practice or hold client data: attachments no cache keeps."""

from __future__ import annotations

from flask import Response

from roi_tracker.http import context
from roi_tracker.services.accounting import accounting
from roi_tracker.services.accounting import pdf as accounting_pdf
from roi_tracker.services.records import documents


def attachment(content: bytes | str, mimetype: str, filename: str) -> Response:
    """Send content as a download that no cache keeps."""
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def send_document(view: documents.DocumentView, content: bytes) -> Response:
    """Send a document as an attachment that no cache keeps."""
    response = attachment(content, view.media_type, view.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def send_packet(name: str, pdf: bytes) -> Response:
    """Send a release packet as a download no cache keeps."""
    return attachment(pdf, "application/pdf", name)


def send_accounting(produced: accounting.Produced, fmt: str) -> Response:
    """The accounting as a PDF or CSV download (`fmt` is `pdf` or `csv`)."""
    name = f"accounting-{produced.client_reference}"
    if fmt == "pdf":
        pdf = accounting_pdf.as_pdf(context.env().settings.practice_name, produced)
        return attachment(pdf, "application/pdf", f"{name}.pdf")
    return attachment(accounting_pdf.as_csv(produced), "text/csv", f"{name}.csv")
