"""Documents: upload (type by magic bytes and a full parse, size limit, encrypted, hashed) and download."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import inputs
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.domain.errors import TooLarge
from roi_tracker.services.context import Env
from roi_tracker.services.records import clients
from roi_tracker.services.records import file_check
from roi_tracker.services.records import vault

TITLE_LIMIT = 200


@dataclass(frozen=True)
class DocumentView:
    """A document's metadata as its client's clinician sees it."""

    id: uuid.UUID
    client_id: uuid.UUID
    category: str
    title: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime

    @property
    def filename(self) -> str:
        """A server-chosen name: never the uploader's (A12)."""
        extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
            self.media_type, "bin"
        )
        return f"{self.category}-{self.uploaded_at:%Y%m%d}-{str(self.id)[:8]}.{extension}"


def parse_document_id(raw: str) -> uuid.UUID:
    """Parse a document id; a malformed one answers like a missing document."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise NotFound("no such document") from None


def upload(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    *,
    content: bytes,
    category: str,
    title: str,
) -> DocumentView:
    """Store a document for a client on the actor's caseload; the entry commits with it."""
    client = clients.visible_or_refused(
        session, env, actor, client_id, rules.View.CLINICAL, Action.DOCUMENT_UPLOADED
    )
    kind = category if category in rules.RECORD_KINDS else rules.parse_category(category).value
    view = store(session, env, actor, client, content=content, category=kind, title=title)
    audit.commit(session)
    return view


def store(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client: models.Client,
    *,
    content: bytes,
    category: str,
    title: str,
) -> DocumentView:
    """Check, encrypt and add a document in the caller's transaction (also used for signed forms)."""
    title = inputs.text(title, "title").strip()
    if not title or len(title) > TITLE_LIMIT:
        raise InvalidInput(f"a title of 1 to {TITLE_LIMIT} characters is required", field="title")
    limit = env.settings.max_upload_mb * 1024 * 1024
    if len(content) > limit:
        raise TooLarge(f"the file is larger than {env.settings.max_upload_mb} MB")
    if not content:
        raise InvalidInput("the file is empty", field="file")
    sniffed = file_check.check(content)
    key = vault.key_of(session, env, actor, client)
    doc_id = uuid.uuid4()
    row_id = str(doc_id)
    now = env.clock()
    document = models.Document(
        id=doc_id,
        client_id=client.id,
        category=category,
        media_type=sniffed[0],
        size=len(content),
        sha256=crypto.sha256(content),
        uploaded_by=uuid.UUID(actor.user_id),
        uploaded_at=now,
        title=key.encrypt(title.encode("utf-8"), table="documents", column="title", row_id=row_id),
    )
    session.add(document)
    session.flush()
    sealed = key.encrypt(content, table="document_blobs", column="content", row_id=row_id)
    session.add(models.DocumentBlob(document_id=doc_id, content=sealed))
    client.last_activity_at = now
    env.log.append(
        session,
        actor,
        Action.DOCUMENT_UPLOADED,
        Outcome.ALLOWED,
        object_type="document",
        object_id=row_id,
        client_id=str(client.id),
        basis=category,
    )
    return DocumentView(
        doc_id, client.id, category, title, sniffed[0], len(content), document.sha256.hex(), now
    )


def content_of(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, document_id: uuid.UUID
) -> bytes:
    """Decrypt a document's content for a service that has already logged the read (packets)."""
    key = vault.key_of(session, env, actor, client)
    blob = session.get(models.DocumentBlob, document_id)
    if blob is None:
        raise NotFound("no such document")
    try:
        return key.decrypt(
            bytes(blob.content), table="document_blobs", column="content", row_id=str(document_id)
        )
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, client.id, "document")
        raise


def _view(key: crypto.DataKey, row: models.Document) -> DocumentView:
    title = key.decrypt(bytes(row.title), table="documents", column="title", row_id=str(row.id)).decode(
        "utf-8"
    )
    return DocumentView(
        row.id,
        row.client_id,
        row.category,
        title,
        row.media_type,
        row.size,
        bytes(row.sha256).hex(),
        row.uploaded_at,
    )


def titles_of(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client: models.Client,
    ids: set[uuid.UUID],
    receipt: audit.Receipt,
) -> dict[uuid.UUID, str]:
    """Return the titles of some of a client's documents; `receipt` is the logged read that shows them."""
    del receipt
    if not ids:
        return {}
    key = vault.key_of(session, env, actor, client)
    stmt = select(models.Document).where(models.Document.client_id == client.id, models.Document.id.in_(ids))
    try:
        return {row.id: _view(key, row).title for row in session.execute(stmt).scalars()}
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, client.id, "document")
        raise


def list_for(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, receipt: audit.Receipt
) -> list[DocumentView]:
    """List a client's documents (titles decrypted); `receipt` is the logged read of the client page."""
    del receipt
    key = vault.key_of(session, env, actor, client)
    stmt = select(models.Document).where(models.Document.client_id == client.id)
    rows = session.execute(stmt.order_by(models.Document.uploaded_at.desc())).scalars()
    try:
        return [_view(key, row) for row in rows]
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, client.id, "document")
        raise


def download(
    session: Session, env: Env, actor: audit.Actor, document_id: uuid.UUID
) -> tuple[DocumentView, bytes]:
    """Return a document and its content to a clinician of its client, after logging the read."""
    row = session.get(models.Document, document_id)
    if row is None:
        raise NotFound("no such document")
    client = clients.visible_or_refused(
        session,
        env,
        actor,
        row.client_id,
        rules.View.CLINICAL,
        Action.DOCUMENT_READ,
        missing="no such document",
    )
    key = vault.key_of(session, env, actor, client)
    blob = session.get(models.DocumentBlob, document_id)
    receipt = env.log.reveal(
        session,
        actor,
        Action.DOCUMENT_READ,
        object_type="document",
        object_id=str(document_id),
        client_id=str(client.id),
        basis=row.category,
    )
    del receipt
    try:
        content = key.decrypt(
            bytes(blob.content if blob else b""),
            table="document_blobs",
            column="content",
            row_id=str(document_id),
        )
        view = _view(key, row)
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, client.id, "document")
        raise
    return view, content
