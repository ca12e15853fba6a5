"""Retention of signed authorizations (H-R1: 6 years from creation or last effect, whichever is later)."""

from __future__ import annotations

from datetime import date

import pytest

from roi_tracker.domain import retention


def test_an_authorization_ends_on_the_first_of_its_expiry_revocation_or_event() -> None:
    """Revoked before it expired: the revocation is its last effect."""
    assert retention.authorization_ended_on(date(2027, 1, 1), date(2026, 5, 1), None) == date(2026, 5, 1)
    assert retention.authorization_ended_on(None, None, date(2026, 7, 1)) == date(2026, 7, 1)


def test_an_authorization_with_no_end_is_kept_while_it_may_be_in_effect() -> None:
    """No expiry, no revocation, no event: no day on which it may go."""
    ended = retention.authorization_ended_on(None, None, None)
    assert ended is None
    assert retention.authorization_kept_until(date(2020, 1, 1), ended, years=6) is None
    assert not retention.authorization_retention_ended(None, today=date(2099, 1, 1))


@pytest.mark.parametrize(
    ("created", "ended", "until"),
    [
        (date(2020, 1, 1), date(2021, 6, 30), date(2027, 6, 30)),  # the last effective date is later
        (date(2020, 1, 1), date(2019, 12, 31), date(2026, 1, 1)),  # recorded after it ended: creation
        (date(2020, 2, 29), date(2020, 2, 29), date(2026, 2, 28)),  # 29 February
    ],
)
def test_the_signed_form_is_kept_six_years_from_the_later_of_creation_and_last_effect(
    created: date, ended: date, until: date
) -> None:
    """164.508(b)(6) with 164.530(j)(2)."""
    assert retention.authorization_kept_until(created, ended, years=6) == until


def test_retention_ends_on_the_day_it_is_kept_until_not_before() -> None:
    """The day before, it must still be kept."""
    until = date(2027, 6, 30)
    assert not retention.authorization_retention_ended(until, today=date(2027, 6, 29))
    assert retention.authorization_retention_ended(until, today=until)
