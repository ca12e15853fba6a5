"""Release form templates (immutable versions) and the record of a form signed on screen."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from roi_tracker.db import Base
from roi_tracker.db import utc_now
from roi_tracker.db import uuidpk


class FormTemplate(Base):
    """One version of a kind's release form wording; never updated, a change is a new version (H-P1)."""

    __tablename__ = "form_templates"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[uuidpk]
    kind: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int]
    # The practice's own wording, not PHI: JSON of the title and sections ({practice} stands for the name).
    wording: Mapped[str] = mapped_column(Text)
    # None for the defaults the product ships.
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[utc_now]


class AuthorizationSignature(Base):
    """How an authorization was signed on screen: its template version, method, witness, time and hash."""

    __tablename__ = "authorization_signatures"

    id: Mapped[uuidpk]
    authorization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("authorizations.id"), unique=True)
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("form_templates.id"), index=True)
    method: Mapped[str] = mapped_column(String(8))
    signer: Mapped[str] = mapped_column(String(16))
    witnessed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime]
    content_sha256: Mapped[str] = mapped_column(String(64))
