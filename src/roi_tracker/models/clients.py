"""Clients (ciphertext under their own data keys), caseloads and documents."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import ForeignKey
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from roi_tracker.db import Base
from roi_tracker.db import utc_now
from roi_tracker.db import uuidpk


class Client(Base):
    """A client. Every identifying field is ciphertext under the client's own data key (security.md A)."""

    __tablename__ = "clients"

    id: Mapped[uuidpk]
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    key_version: Mapped[int] = mapped_column(default=1)
    # Truncated HMAC of family name + date of birth: deliberate false positives, filtered after decrypting.
    name_dob_index: Mapped[bytes] = mapped_column(LargeBinary(8), index=True)
    given_name: Mapped[bytes] = mapped_column(LargeBinary)
    family_name: Mapped[bytes] = mapped_column(LargeBinary)
    date_of_birth: Mapped[bytes] = mapped_column(LargeBinary)
    pronouns: Mapped[bytes] = mapped_column(LargeBinary)
    phone: Mapped[bytes] = mapped_column(LargeBinary)
    email: Mapped[bytes] = mapped_column(LargeBinary)
    address: Mapped[bytes] = mapped_column(LargeBinary)
    emergency_contact: Mapped[bytes] = mapped_column(LargeBinary)
    part2: Mapped[bytes] = mapped_column(LargeBinary)
    # Sealed "1"/"0": a minor client lawfully consented to their own care (164.502(g)(3), 42 CFR 2.14).
    # None: not recorded (before migration 0012, or never said): the parent signs as before.
    minor_consent: Mapped[bytes | None] = mapped_column(LargeBinary)
    legal_hold: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[utc_now]
    updated_at: Mapped[utc_now]
    last_activity_at: Mapped[utc_now]
    discharged_at: Mapped[datetime | None]
    shredded_at: Mapped[datetime | None]


class ClientSearchTerm(Base):
    """One blind-index term a client is found under by part of a name or phone (issue 17; security.md A8).

    A truncated HMAC of a name prefix or a phone tail (domain.client_search): many clients share each term, so
    a search decrypts its candidates and filters them; the table holds no plaintext.
    """

    __tablename__ = "client_search_terms"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    term: Mapped[bytes] = mapped_column(LargeBinary(2), primary_key=True, index=True)


class ClientKey(Base):
    """A client's data key, wrapped by a key-encryption key; deleting it crypto-shreds the client."""

    __tablename__ = "client_keys"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kek_id: Mapped[str] = mapped_column(String(64), index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[utc_now]


class CaseloadAssignment(Base):
    """A clinician assigned to a client: the only way a clinician sees clinical content."""

    __tablename__ = "caseload_assignments"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    assigned_at: Mapped[utc_now]


class Document(Base):
    """An uploaded record or signed form; the title and content are ciphertext under the client's key."""

    __tablename__ = "documents"

    id: Mapped[uuidpk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    title: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    # Indexed: a signed form is looked up by its hash to find a compound authorization (H-X1).
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    uploaded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[utc_now]


class DocumentBlob(Base):
    """A document's encrypted content, apart from its metadata so listings never load it."""

    __tablename__ = "document_blobs"

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
