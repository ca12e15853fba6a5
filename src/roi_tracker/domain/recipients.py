"""Who a recipient is, as the law sorts them: the directory's types and the Part 2 TPO class (P2-4).

A recipient's type decides what a Part 2 TPO consent naming the class may reach (42 CFR 2.31(a)(4)), what
an intermediary consent must add (2.31(a)(4)(ii)) and who may receive an exception disclosure (section 4).
"""

from __future__ import annotations

from enum import StrEnum


class RecipientType(StrEnum):
    """Recipient types (interface.md, *new*): shared by the directory and exception recipients."""

    PROVIDER = "provider"
    HEALTH_PLAN = "health_plan"
    PAYER = "payer"
    PROGRAM_OPERATIONS = "program_operations"
    INTERMEDIARY = "intermediary"
    AUTHORITY = "authority"
    ATTORNEY = "attorney"
    EMPLOYER = "employer"
    SCHOOL = "school"
    INDIVIDUAL = "individual"
    OTHER = "other"


TYPES = tuple(t.value for t in RecipientType)
# A row recorded before recipients had a type reads as `other`: outside the TPO class (fails closed).
DEFAULT = RecipientType.OTHER

# The class a single Part 2 TPO consent may name: "my treating providers, health plans, third-party payers,
# and people helping to operate this program" (2.31(a)(4)(i), rule P2-4). Nobody else is in it.
TPO_CLASS_TYPES = frozenset(
    {
        RecipientType.PROVIDER,
        RecipientType.HEALTH_PLAN,
        RecipientType.PAYER,
        RecipientType.PROGRAM_OPERATIONS,
    }
)

LABELS: dict[RecipientType, str] = {
    RecipientType.PROVIDER: "Treating provider",
    RecipientType.HEALTH_PLAN: "Health plan",
    RecipientType.PAYER: "Third-party payer",
    RecipientType.PROGRAM_OPERATIONS: "Helps operate this program",
    RecipientType.INTERMEDIARY: "Intermediary (such as a health information exchange)",
    RecipientType.AUTHORITY: "Authority (agency authorized by law)",
    RecipientType.ATTORNEY: "Attorney",
    RecipientType.EMPLOYER: "Employer",
    RecipientType.SCHOOL: "School",
    RecipientType.INDIVIDUAL: "Individual",
    RecipientType.OTHER: "Other",
}


def parse(raw: str | None) -> RecipientType | None:
    """Return the type named by `raw`, or None when it names none."""
    try:
        return RecipientType(str(raw or "").strip())
    except ValueError:
        return None


def of_row(raw: str | None) -> RecipientType:
    """The type of a stored row: anything unknown is `other` (outside every class)."""
    return parse(raw) or DEFAULT


def in_tpo_class(t: RecipientType) -> bool:
    """Tell whether a recipient of type `t` is in the class a Part 2 TPO consent may name (P2-4)."""
    return t in TPO_CLASS_TYPES
