"""The accounting of disclosures (45 CFR 164.528; 42 CFR 2.25): which disclosures a client is told about.

Pure: disclosures, suspensions and the period are parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

ACCOUNTING_YEARS = 6
PART2_CONSENT_YEARS = 3
ORAL_SUSPENSION_DAYS = 30


@dataclass(frozen=True)
class Disclosed:
    """One disclosure as the accounting sees it."""

    id: str
    on: date
    recipient: str
    address: str
    categories: tuple[str, ...]
    purpose: str
    basis: str
    under_authorization: bool
    part2: bool
    to_client: bool = False
    # The rules it broke, when it was found impermissible (H-B9): then it is always accountable.
    impermissible: str = ""
    recipient_id: str = ""


@dataclass(frozen=True)
class Suspension:
    """An agency's request to suspend the right to an accounting of disclosures to it (164.528(a)(2)).

    It suspends the right for the period the agency states, judged on the day the accounting is asked for
    (not on each disclosure's date): asked inside the period, no disclosure to the agency is listed, whenever
    it was made. Written, it holds for the period stated; oral, for at most 30 days. The agency is a directory
    entry (`agency_id`), also matched by the name the accounting shows, since an exception keeps its own copy
    of the recipient. A suspension recorded before suspensions named their agency holds for every recipient.
    """

    starts_on: date
    ends_on: date
    written: bool
    agency: str | None = None
    agency_id: str | None = None

    def covers(self, d: Disclosed, *, asked_on: date) -> bool:
        """Tell whether the suspension hides the disclosure from an accounting asked for on `asked_on`."""
        if not self.covers_day(asked_on):
            return False
        if self.agency is None and self.agency_id is None:
            return True
        by_id = self.agency_id is not None and d.recipient_id == self.agency_id
        by_name = self.agency is not None and d.recipient.casefold() == self.agency.casefold()
        return by_id or by_name

    def covers_day(self, day: date) -> bool:
        """Tell whether `day` falls inside the suspension (an oral one lapses after 30 days)."""
        end = (
            self.ends_on
            if self.written
            else min(self.ends_on, self.starts_on + timedelta(days=ORAL_SUSPENSION_DAYS))
        )
        return self.starts_on <= day <= end


@dataclass(frozen=True)
class Entry:
    """A line of the accounting."""

    on: date
    recipient: str
    address: str
    description: str
    purpose: str
    basis: str


@dataclass(frozen=True)
class Summary:
    """Repeated disclosures to one recipient for one purpose: the first in full, how many, the last date."""

    first: Entry
    count: int
    last_on: date
    # Every category disclosed across the series, in the order first disclosed: a later disclosure that
    # sent more than the first must not vanish from the summary (164.528(b)(3)).
    description: str


@dataclass(frozen=True)
class Accounting:
    """What the client is given, and how much was left out (and why, in the explanation)."""

    since: date
    until: date
    entries: tuple[Entry, ...]
    summaries: tuple[Summary, ...]
    excluded: int
    suspended: int


EXPLANATION = (
    "Not listed: disclosures for your treatment, for payment or for our health care operations; "
    "disclosures to you; and disclosures you authorized in writing, except that for substance-use "
    "treatment records (42 CFR Part 2) disclosures made with your consent in the last 3 years are listed."
)


def accountable(d: Disclosed, *, today: date) -> bool:
    """Tell whether a disclosure belongs in the accounting (164.528(a)(1); Part 2 reverses one exclusion)."""
    if d.impermissible:
        return True  # a disclosure without a permitted basis is accountable (164.528(a), H-B9)
    if d.to_client or d.purpose == "treatment_payment_operations" and not d.part2:
        return False
    if d.under_authorization:
        return d.part2 and d.on >= _years_before(today, PART2_CONSENT_YEARS)
    return True


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def fee_applies(received_on: date, earlier: list[date]) -> bool:
    """Tell whether a fee may be charged: another request came in the 12 months before (164.528(c)(2))."""
    twelve_months_before = _years_before(received_on, 1)
    return any(twelve_months_before < day <= received_on for day in earlier)


def period(today: date, since: date | None) -> tuple[date, date]:
    """The period covered: at most 6 years back (164.528(a)(1)), or the shorter one the client asked for."""
    earliest = _years_before(today, ACCOUNTING_YEARS)
    return (max(since, earliest) if since else earliest), today


def build(
    disclosed: list[Disclosed],
    *,
    today: date,
    since: date | None = None,
    suspensions: tuple[Suspension, ...] = (),
    asked_on: date | None = None,
) -> Accounting:
    """Compute the accounting asked for on `asked_on` (default `today`), repeated disclosures summarized.

    The window runs back from the date of the request, not of delivery: 6 years, and 3 for Part 2
    disclosures under consent (164.528(a)(1), 42 CFR 2.25); suspensions are judged on that date too.
    """
    asked = asked_on or today
    start, end = period(asked, since)
    in_period = [d for d in sorted(disclosed, key=lambda d: (d.on, d.id)) if start <= d.on <= end]
    listed = [d for d in in_period if accountable(d, today=asked)]
    shown = [d for d in listed if not any(s.covers(d, asked_on=asked) for s in suspensions)]
    groups: dict[tuple[str, str], list[Disclosed]] = {}
    for d in shown:
        groups.setdefault((d.recipient, d.purpose), []).append(d)
    entries: list[Entry] = []
    summaries: list[Summary] = []
    for items in groups.values():
        first = _entry(items[0])
        if len(items) == 1:
            entries.append(first)
        else:
            # Repeated disclosures to one recipient for one purpose may be summarized (164.528(b)(3)).
            summaries.append(Summary(first, len(items), items[-1].on, _describe(items)))
    return Accounting(
        start,
        end,
        tuple(sorted(entries, key=lambda e: e.on)),
        tuple(sorted(summaries, key=lambda s: s.first.on)),
        excluded=len(in_period) - len(listed),
        suspended=len(listed) - len(shown),
    )


def _describe(items: list[Disclosed]) -> str:
    categories = dict.fromkeys(c for d in items for c in d.categories)
    return ", ".join(c.replace("_", " ") for c in categories) or "information"


def _entry(d: Disclosed) -> Entry:
    what = _describe([d])
    basis = f"impermissible ({d.impermissible})" if d.impermissible else d.basis
    return Entry(d.on, d.recipient, d.address, what, d.purpose.replace("_", " "), basis)


# Why an exception was disclosed, in words for the client (the accounting stores "exception:<kind>").
EXCEPTION_PURPOSES = {
    "danger to others": "to prevent or lessen a serious threat to someone's safety",
    "danger to self": "to prevent or lessen a serious threat to your own safety",
    "child abuse report": "a report of suspected child abuse or neglect, as the law requires",
    "elder abuse report": "a report of suspected abuse, neglect or exploitation, as the law requires",
    "court order": "as a court order required",
    "part2 medical emergency": "to medical personnel, in a medical emergency",
}


def purpose_in_words(purpose: str) -> str:
    """Return an entry's purpose as the client reads it ("exception:danger to others" in plain words)."""
    head, sep, rest = purpose.partition(":")
    if sep and head == "exception":
        kind = rest.replace("_", " ").strip()
        return EXCEPTION_PURPOSES.get(kind, kind)
    return purpose.replace("_", " ")
