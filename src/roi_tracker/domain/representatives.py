"""Minors and personal representatives (H-C7; 164.502(g); 42 CFR 2.14, rule P2-8). Pure: dates are parameters.

Who may sign for a client depends on facts the signed form does not carry: whether the client is a minor
(derived from the date of birth on the day signed), whether the minor lawfully consented to the care, and
whether a child abuse report names a parent or representative as the suspected abuser.
"""

from __future__ import annotations

from datetime import date

from roi_tracker.domain.consent import PART2_KINDS
from roi_tracker.domain.consent import Draft
from roi_tracker.domain.consent import Problem
from roi_tracker.domain.consent import Severity
from roi_tracker.domain.consent import Signer

# No federal age of majority: state law decides, so it is a setting (ROI_AGE_OF_MAJORITY) defaulting to 18.
AGE_OF_MAJORITY = 18


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on `day`."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def is_minor(date_of_birth: date, day: date, *, age_of_majority: int = AGE_OF_MAJORITY) -> bool:
    """Tell whether the client was a minor on `day`."""
    return age_on(date_of_birth, day) < age_of_majority


def minor_may_consent(*, minor: bool, consented_to_care: bool) -> bool:
    """A minor who lawfully consented to the care controls its records (164.502(g)(3); 2.14)."""
    return minor and consented_to_care


def check(d: Draft) -> list[Problem]:
    """H-C7 with 164.502(g): every reason a parent or representative may not sign this form."""
    if d.signed_by is not Signer.REPRESENTATIVE:
        return []
    p: list[Problem] = []
    if d.minor_may_consent and d.kind not in PART2_KINDS:
        # For Part 2 records rule P2-8 says the same (consent.py); this is the HIPAA side.
        p.append(
            Problem(
                "H-C7",
                Severity.BLOCK,
                "signed_by",
                "The client is a minor who consented to this care: the minor signs, not a parent "
                "(164.502(g)(3)).",
            )
        )
    if d.representative_suspected and not d.representative_not_suspected:
        p.append(
            Problem(
                "H-C7",
                Severity.BLOCK,
                "representative_not_suspected",
                "A child abuse report names a parent or representative of this client as the suspected "
                "abuser: confirm the person who signed is not that person (164.502(g)(5)).",
            )
        )
    return p
