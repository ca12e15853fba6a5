"""Auditor pages: the access log with filters, CSV export, the verifier's verdict and the review queues."""

from __future__ import annotations

import csv
import io
import tempfile
import uuid
from collections.abc import Iterator
from typing import IO
from typing import Any

from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.security import requires
from roi_tracker.services.audit_review import flagged
from roi_tracker.services.audit_review import log as audit_review
from roi_tracker.services.audit_review.log import CSV_COLUMNS
from roi_tracker.services.people import users
from roi_tracker.services.records import references
from roi_tracker.web import form_errors
from roi_tracker.web import plain
from roi_tracker.web.forms.audit import AuditFilterForm
from roi_tracker.web.forms.audit import ReviewForm
from roi_tracker.web.forms.common import EmptyForm

bp = Blueprint("audit", __name__, url_prefix="/audit")

SPOOL_BYTES = 8 * 1024 * 1024
# Sequence numbers are BIGINT: larger numbers from a URL would make the database query fail.
MAX_SEQ = 2**63 - 1
QUEUE_TITLES = {
    "refused": "Refused requests",
    "signin_failures": "Sign-in failures",
    "after_hours": "After-hours access to client data",
    "bulk_access": "Bulk access to client records",
}


def filters_from(form: AuditFilterForm) -> audit_review.Filters:
    """Turn the filter form into service filters, naming a malformed date or an unknown reference."""
    return audit_review.Filters(
        actor=form.actor.data or None,
        client_id=_client_filter(form.client_id.data or ""),
        action=form.action.data or None,
        outcome=form.outcome.data or None,
        since=audit_review.parse_date(form.since.data, "since"),
        until=audit_review.parse_date(form.until.data, "until"),
        zone=context.env().settings.timezone,
    )


def _client_filter(raw: str) -> str | None:
    """A client's reference (C-7K2Q) or full id, as the log's client id."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        found = references.id_of_reference(context.db_session(), raw)
    if found is None:
        raise InvalidInput(f"no client has the reference {raw[:16]}", field="client_id")
    return str(found)


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    people = users.list_users(context.db_session())
    form.actor.choices = [("", "Anyone")] + [(u.username, f"{u.display_name} ({u.username})") for u in people]
    form.action.choices = plain.action_choices()
    return form


def _filtered_or_errors(form: AuditFilterForm) -> audit_review.Filters | None:
    """The filters, or None with each problem at its field (the page comes back as typed)."""
    if not form.validate():
        return None
    try:
        return filters_from(form)
    except InvalidInput as exc:
        form_errors.mark_error(form, exc)
        return None


def parse_cursor(raw: str | None) -> int | None:
    """Parse the pagination cursor, refusing anything but a positive whole number."""
    if raw is None or raw == "":
        return None
    # ASCII digits only ("²".isdigit() is true but int() refuses it), within BIGINT, else the query fails.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_SEQ)) or not 1 <= int(raw) <= MAX_SEQ:
        raise InvalidInput("cursor must be a positive whole number", field="cursor")
    return int(raw)


@bp.route("/log")
@requires(Permission.AUDIT_READ)
def log_page() -> Any:
    """Show the access log, newest first, filtered and paged; a bad filter comes back at its field."""
    form = _filter_form()
    filters = _filtered_or_errors(form)
    if filters is None:
        empty = audit_review.Page([], None)
        return render_template("audit/log.html", form=form, page=empty, args={}, references={}), 422
    session = context.db_session()
    result = audit_review.page(
        session,
        context.env(),
        context.actor(),
        filters,
        cursor=parse_cursor(request.args.get("cursor")),
    )
    args = {k: v for k, v in request.args.items() if k != "cursor" and v}
    refs = references.references_of(session, {e.client_id for e in result.items if e.client_id})
    return render_template("audit/log.html", form=form, page=result, args=args, references=refs)


@bp.route("/log.csv")
@requires(Permission.AUDIT_EXPORT)
def log_csv() -> Any:
    """Download the filtered log as CSV (the export is itself logged)."""
    form = _filter_form()
    filters = _filtered_or_errors(form)
    if filters is None:
        field, problems = next(iter(form.errors.items()))
        raise InvalidInput(f"{field}: {problems[0]}", field=field)
    rows = audit_review.export(context.db_session(), context.env(), context.actor(), filters, "csv")
    spool = _spooled_csv(rows)

    def chunks() -> Iterator[bytes]:
        try:
            while block := spool.read(64 * 1024):
                yield block
        finally:
            spool.close()

    response = Response(chunks(), mimetype="text/csv")
    response.call_on_close(spool.close)  # also when the body is never read (HEAD, a dropped connection)
    response.headers["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    return response


def _spooled_csv(rows: Iterator[audit_review.EntryView]) -> IO[bytes]:
    """Write the whole file before answering, not while streaming the response.

    The body is sent after teardown has closed this request's session, and on PostgreSQL the export's
    server-side cursor dies with it (the download stopped after the first rows). Past SPOOL_BYTES the file
    goes to disk rather than memory.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    try:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(_csv_row(entry) for entry in rows)
        text.flush()
        text.detach()
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _csv_row(entry: audit_review.EntryView) -> list[str]:
    values = [str(getattr(entry, column)) for column in CSV_COLUMNS]
    values[1] = entry.at.isoformat()
    return values


@bp.route("/verification", methods=["GET"])
@requires(Permission.AUDIT_READ)
def verification() -> Any:
    """Show the verifier's last verdict and when it ran."""
    last = audit_review.last_verification(context.db_session())
    return render_template("audit/verification.html", last=last, form=EmptyForm())


@bp.route("/verification", methods=["POST"])
@requires(Permission.AUDIT_VERIFY)
def verify_now() -> Any:
    """Run the verifier now."""
    full = request.form.get("full") == "1"
    verdict = audit_review.run_verification(context.db_session(), context.env(), context.actor(), full=full)
    if verdict.intact:
        flash(
            f"The access log is intact: {verdict.verified} entries checked up to entry {verdict.head_seq}.",
            "success",
        )
    elif verdict.first_break_seq is None:
        flash(f"The access log cannot be verified: {verdict.reason}", "error")  # "cannot vouch: ..."
    else:
        flash(f"The access log is broken at entry {verdict.first_break_seq}: {verdict.reason}", "error")
    return redirect(url_for("audit.verification"))


@bp.route("/queues/<name>")
@requires(Permission.AUDIT_REVIEW)
def queue_page(name: str) -> Any:
    """Show one review queue's unreviewed entries."""
    return _queue(name, ReviewForm(formdata=None))


def _queue(name: str, form: ReviewForm, failed: int = 0, status: int = 200) -> Any:
    session = context.db_session()
    items = audit_review.queue(session, context.env(), context.actor(), name)
    title = QUEUE_TITLES.get(name, name)
    refs = references.references_of(session, {e.client_id for e in items if e.client_id})
    return render_template(
        "audit/queue.html", name=name, title=title, items=items, form=form, references=refs, failed=failed
    ), status


@bp.route(f"/queues/<name>/<int(max={MAX_SEQ}):seq>/review", methods=["POST"])
@requires(Permission.AUDIT_REVIEW)
def review(name: str, seq: int) -> Any:
    """Review one queued entry as appropriate or inappropriate, with a note; errors return to the form."""
    form = ReviewForm()
    if name not in audit_review.QUEUES:
        raise NotFound("no such review queue")
    if not form.validate_on_submit():
        return _queue(name, form, seq, 422)
    try:
        done = flagged.review(
            context.db_session(),
            context.env(),
            context.actor(),
            seq,
            name,
            form.note.data or "",
            form.outcome.data or "",
        )
    except InvalidInput as exc:
        form_errors.mark_error(form, exc)
        return _queue(name, form, seq, 422)
    what = (
        f"Entry {seq}" if len(done.seqs) == 1 else f"Entry {seq} and {len(done.seqs) - 1} more of that hour"
    )
    message = f"{what} reviewed as {done.outcome}."
    if done.incident_reference:
        message += f" Incident {done.incident_reference} is open for assessment."
    flash(message, "success")
    return redirect(url_for("audit.queue_page", name=name))
