"""Clients, search and documents."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from pydantic import Field

from roi_tracker.api.schemas.common import Day
from roi_tracker.api.schemas.common import Strict


class ClientCreate(Strict):
    """A client to register; a clinician registering defaults to themself as the clinician."""

    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: Day
    part2: bool = False
    clinician: str | None = Field(default=None, max_length=64)
    pronouns: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=500)
    emergency_contact: str = Field(default="", max_length=300)


class ClientOut(BaseModel):
    """A client as a permitted person sees them."""

    id: str
    reference: str
    status: str
    given_name: str
    family_name: str
    date_of_birth: date
    part2: bool
    clinician: str | None
    clinicians: list[str]
    pronouns: str
    phone: str
    email: str
    address: str
    emergency_contact: str


class ClientSearch(Strict):
    """Part of a name or phone (`q`), family name and date of birth (exact, blind to case and accents), or
    the short reference."""

    q: str | None = Field(
        default=None,
        max_length=100,
        description="part of a name (3 letters or more) or of a phone number (4 digits or more)",
    )
    family_name: str | None = Field(default=None, max_length=100)
    date_of_birth: Day | None = None
    reference: str | None = Field(default=None, max_length=16)


class ClientSummary(BaseModel):
    """One client in search results."""

    id: str
    reference: str
    status: str
    given_name: str
    family_name: str
    date_of_birth: date


class ClientList(BaseModel):
    """Search results."""

    items: list[ClientSummary]


class DocumentUpload(Strict):
    """The form fields sent with a document (multipart, with the file in `file`)."""

    category: str = Field(max_length=32)
    title: str = Field(min_length=1, max_length=200)


class DocumentOut(BaseModel):
    """A stored document."""

    id: str
    category: str
    title: str
    sha256: str
    size: int
    media_type: str


class Part2Change(Strict):
    """Set (true) or clear (false) the client's Part 2 flag, with the reason (the client's clinician only)."""

    part2: bool
    reason: str = Field(min_length=1, max_length=500)


class Part2Out(BaseModel):
    """The flag as now recorded, and how many Part 2 documents keep the records Part 2 whatever it says."""

    client_id: str
    part2: bool
    part2_documents: int
