"""How long records are kept (45 CFR 164.508(b)(6), 164.530(j)(2); rule H-R1). Pure: dates are parameters."""

from __future__ import annotations

from datetime import date


def years_after(day: date, years: int) -> date:
    """The same day `years` later (28 February for a 29 February that year lacks)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def authorization_ended_on(
    expires_on: date | None, revoked_on: date | None, event_on: date | None
) -> date | None:
    """The last day an authorization was in effect: its expiry, revocation or event, whichever came first."""
    ends = [d for d in (expires_on, revoked_on, event_on) if d is not None]
    return min(ends) if ends else None


def authorization_kept_until(created_on: date, ended_on: date | None, *, years: int) -> date | None:
    """The day the signed form may go: `years` after creation or last effect, whichever is later (H-R1).

    None while the authorization has no end: it is kept for as long as it may still be in effect.
    """
    if ended_on is None:
        return None
    return years_after(max(created_on, ended_on), years)


def authorization_retention_ended(kept_until: date | None, *, today: date) -> bool:
    """Tell whether an authorization's retention has ended by `today`."""
    return kept_until is not None and today >= kept_until
