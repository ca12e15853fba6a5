"""Changes of a client's Part 2 flag: a clinician's act with a reason (sealed under the client's key)."""

import uuid

from sqlalchemy import ForeignKey
from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from roi_tracker.db import Base
from roi_tracker.db import utc_now
from roi_tracker.db import uuidpk


class Part2Change(Base):
    """One setting or clearing of the flag; the reason is ciphertext (it may describe the client's care)."""

    __tablename__ = "part2_changes"

    id: Mapped[uuidpk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    part2: Mapped[bool]
    reason: Mapped[bytes] = mapped_column(LargeBinary)
    changed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[utc_now]
