"""Disclosures found impermissible (H-B9): flagged for the privacy officer and listed in the accounting."""

import uuid

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from roi_tracker.db import Base
from roi_tracker.db import utc_now
from roi_tracker.db import uuidpk


class ImpermissibleDisclosure(Base):
    """A disclosure the gate would have refused on its date; rule ids and reasons name no client data."""

    __tablename__ = "impermissible_disclosures"

    id: Mapped[uuidpk]
    disclosure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disclosures.id"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    # How it was found: "past_disclosure" (recorded after the fact) or "late_revocation" (entered later).
    source: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(16))
    # The reasons as JSON: rule ids and sentences naming authorization labels and dates only.
    reasons: Mapped[str] = mapped_column(Text)
    found_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    found_at: Mapped[utc_now]
