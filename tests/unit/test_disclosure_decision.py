"""The disclosure decision (regulatory.md section 3): a table of cases, then properties over random files.

Each row gives the authorizations on file, the question, the expected answer, and per category either the
label of the authorization that covers it or the rule ids of every reason it is refused, in order.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from roi_tracker.domain.clients import Category
from roi_tracker.domain.consent import PART2_KINDS
from roi_tracker.domain.consent import TPO_CLASS
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import Purpose
from roi_tracker.domain.consent import Standing
from roi_tracker.domain.consent import Status
from roi_tracker.domain.consent import status_of
from roi_tracker.domain.disclosure import Answer
from roi_tracker.domain.disclosure import Decision
from roi_tracker.domain.disclosure import Held
from roi_tracker.domain.disclosure import Request
from roi_tracker.domain.disclosure import decide
from roi_tracker.domain.disclosure import why_not
from roi_tracker.domain.recipients import RecipientType

NAMED = "recipient-named"
OTHER = "recipient-other"
EFFECTIVE = date(2026, 3, 1)
LAST_DAY = date(2026, 6, 30)
MIDWAY = date(2026, 4, 15)
DAY = timedelta(days=1)

DIAGNOSIS = Category.DIAGNOSIS
PLAN = Category.TREATMENT_PLAN
BILLING = Category.BILLING
NOTES = Category.PSYCHOTHERAPY_NOTES
SUD = Category.SUD_RECORDS
CARE = Purpose.CONTINUITY_OF_CARE
TPO = Purpose.TREATMENT_PAYMENT_OPERATIONS

# Every rule id in the tables of regulatory.md sections 1-3 (a refusal must cite one of these).
REGULATORY_IDS = frozenset(
    {
        *(f"H-C{n}" for n in range(1, 8)),
        *(f"H-S{n}" for n in range(1, 4)),
        "H-P1",
        "H-P2",
        *(f"H-D{n}" for n in range(1, 6)),
        "H-X1",
        "H-R1",
        *(f"P2-{n}" for n in (1, 3, 4, 6, 7, 8, 10)),
        "P2-CN",
        "P2-LP",
        "P2-N",
        *(f"DT-{n}" for n in range(1, 7)),
    }
)


def general(**changes: object) -> Held:
    """A general HIPAA authorization A-1: diagnosis and treatment plan to NAMED for continuity of care."""
    base = Held(
        id="auth-1",
        label="A-1",
        kind=Kind.HIPAA,
        recipient_id=NAMED,
        recipient_class="",
        categories=frozenset({DIAGNOSIS, PLAN}),
        purposes=frozenset({CARE}),
        standing=Standing(EFFECTIVE, LAST_DAY),
    )
    return replace(base, **changes)


def notes(**changes: object) -> Held:
    """A psychotherapy-notes authorization P-1 to NAMED for continuity of care."""
    base = general(id="auth-notes", label="P-1", kind=Kind.PSYCHOTHERAPY_NOTES, categories=frozenset({NOTES}))
    return replace(base, **changes)


def tpo(**changes: object) -> Held:
    """A Part 2 TPO consent T-1 naming the TPO class: SUD records and billing, for TPO, with no end date."""
    base = general(
        id="auth-tpo",
        label="T-1",
        kind=Kind.PART2_TPO,
        recipient_id=None,
        recipient_class=TPO_CLASS,
        categories=frozenset({SUD, BILLING}),
        purposes=frozenset({TPO}),
        standing=Standing(EFFECTIVE),
    )
    return replace(base, **changes)


def part2(**changes: object) -> Held:
    """A Part 2 consent C-1: SUD records and diagnosis to NAMED for continuity of care."""
    return replace(
        general(id="auth-p2", label="C-1", kind=Kind.PART2, categories=frozenset({SUD, DIAGNOSIS})), **changes
    )


def standing(**changes: object) -> Standing:
    """A-1's standing with some dates or events changed."""
    return replace(Standing(EFFECTIVE, LAST_DAY), **changes)


def ask(
    *categories: Category,
    to: str = NAMED,
    purpose: Purpose = CARE,
    on: date = MIDWAY,
    client_part2: bool = False,
    records: tuple[date | None, date | None] = (None, None),
    kind: RecipientType = RecipientType.OTHER,
) -> Request:
    """Ask whether `categories` may go to `to` (a recipient of type `kind`) for `purpose` on `on`."""
    return Request(to, categories, purpose, on, client_part2, records[0], records[1], kind)


def outcome(decision: Decision) -> dict[Category, str | tuple[str, ...]]:
    """Per category: the covering authorization's label, or the rule ids of the refusal, in order."""
    out: dict[Category, str | tuple[str, ...]] = {p.category: p.label for p in decision.permitted}
    out.update({r.category: tuple(reason.rule for reason in r.reasons) for r in decision.refused})
    return out


PERMIT, PARTIAL, REFUSE = Answer.PERMIT, Answer.PARTIAL, Answer.REFUSE
TPO_TYPES = {
    RecipientType.PROVIDER,
    RecipientType.HEALTH_PLAN,
    RecipientType.PAYER,
    RecipientType.PROGRAM_OPERATIONS,
}

TABLE = [
    # -- recipients -----------------------------------------------------------------------------------------
    pytest.param([general()], ask(DIAGNOSIS), PERMIT, {DIAGNOSIS: "A-1"}, id="named recipient"),
    pytest.param([general()], ask(DIAGNOSIS, to=OTHER), REFUSE, {DIAGNOSIS: ("DT-1",)}, id="other recipient"),
    pytest.param([], ask(DIAGNOSIS), REFUSE, {DIAGNOSIS: ("DT-1",)}, id="nothing on file"),
    pytest.param(
        [tpo()],
        ask(SUD, BILLING, to=OTHER, purpose=TPO, client_part2=True, kind=RecipientType.PROVIDER),
        PERMIT,
        {SUD: "T-1", BILLING: "T-1"},
        id="tpo class covers any treating provider or payer",
    ),
    pytest.param(
        [tpo()],
        ask(SUD, to=OTHER, purpose=CARE, client_part2=True),
        REFUSE,
        {SUD: ("DT-1",)},
        id="tpo class names no one outside tpo",
    ),
    pytest.param(
        [tpo(purposes=frozenset({TPO, CARE}))],
        ask(SUD, to=OTHER, purpose=CARE, client_part2=True),
        REFUSE,
        {SUD: ("DT-1",)},
        id="tpo class names no one for another purpose it covers",
    ),
    pytest.param(
        [tpo(recipient_class="", recipient_id=NAMED)],
        ask(SUD, to=OTHER, purpose=TPO, client_part2=True),
        REFUSE,
        {SUD: ("DT-1",)},
        id="tpo consent naming a person names only them",
    ),
    *(
        pytest.param(
            [tpo()],
            ask(SUD, to=OTHER, purpose=TPO, client_part2=True, kind=kind),
            REFUSE,
            {SUD: ("P2-4",)},
            id=f"P2-4 tpo class does not cover a recipient of type {kind.value}",
        )
        for kind in (
            RecipientType.EMPLOYER,
            RecipientType.AUTHORITY,
            RecipientType.ATTORNEY,
            RecipientType.INTERMEDIARY,
            RecipientType.SCHOOL,
            RecipientType.INDIVIDUAL,
            RecipientType.OTHER,
        )
    ),
    *(
        pytest.param(
            [tpo()],
            ask(SUD, to=OTHER, purpose=TPO, client_part2=True, kind=kind),
            PERMIT,
            {SUD: "T-1"},
            id=f"P2-4 tpo class covers a recipient of type {kind.value}",
        )
        for kind in TPO_TYPES
    ),
    pytest.param(
        [part2()],
        ask(SUD, client_part2=True, kind=RecipientType.INTERMEDIARY),
        REFUSE,
        {SUD: ("P2-4",)},
        id="2.31(a)(4)(ii) an intermediary consent without participants",
    ),
    pytest.param(
        [part2(intermediary_participants="members with a treating provider relationship")],
        ask(SUD, client_part2=True, kind=RecipientType.INTERMEDIARY),
        PERMIT,
        {SUD: "C-1"},
        id="2.31(a)(4)(ii) an intermediary consent naming a treating-provider class",
    ),
    pytest.param(
        [part2(purposes=frozenset({CARE, Purpose.LEGAL}))],
        ask(SUD, purpose=Purpose.LEGAL, client_part2=True, kind=RecipientType.ATTORNEY),
        REFUSE,
        {SUD: ("P2-LP",)},
        id="P2-LP legal proceedings need their own consent",
    ),
    pytest.param(
        [part2(kind=Kind.PART2_LEGAL_PROCEEDINGS, purposes=frozenset({Purpose.LEGAL}))],
        ask(SUD, purpose=Purpose.LEGAL, client_part2=True, kind=RecipientType.ATTORNEY),
        PERMIT,
        {SUD: "C-1"},
        id="P2-LP a legal-proceedings consent reaches a proceeding",
    ),
    pytest.param(
        [general(signed_by_representative=True)],
        replace(ask(DIAGNOSIS), representative_suspected=True),
        REFUSE,
        {DIAGNOSIS: ("H-C7",)},
        id="H-C7 164.502(g)(5) a representative's release while a parent is suspected",
    ),
    pytest.param(
        [general(signed_by_representative=True, representative_not_suspected=True)],
        replace(ask(DIAGNOSIS), representative_suspected=True),
        PERMIT,
        {DIAGNOSIS: "A-1"},
        id="H-C7 164.502(g)(5) the signer confirmed not the suspected parent",
    ),
    pytest.param(
        [general()],
        replace(ask(DIAGNOSIS), representative_suspected=True),
        PERMIT,
        {DIAGNOSIS: "A-1"},
        id="H-C7 164.502(g)(5) the client's own signature stands",
    ),
    # -- categories -----------------------------------------------------------------------------------------
    pytest.param([general()], ask(BILLING), REFUSE, {BILLING: ("DT-1",)}, id="category not covered"),
    pytest.param(
        [general()],
        ask(DIAGNOSIS, BILLING),
        PARTIAL,
        {DIAGNOSIS: "A-1", BILLING: ("DT-1",)},
        id="partial: one category covered",
    ),
    pytest.param(
        [general()], ask(DIAGNOSIS, DIAGNOSIS), PERMIT, {DIAGNOSIS: "A-1"}, id="a category asked twice"
    ),
    pytest.param([general()], ask(NOTES), REFUSE, {NOTES: ("DT-5",)}, id="notes under a general one"),
    pytest.param(
        [general(categories=frozenset({DIAGNOSIS, NOTES}))],
        ask(NOTES),
        REFUSE,
        {NOTES: ("DT-5",)},
        id="notes listed on a general one",
    ),
    pytest.param([], ask(NOTES), REFUSE, {NOTES: ("DT-1", "DT-5")}, id="notes with nothing on file"),
    pytest.param([notes()], ask(NOTES), PERMIT, {NOTES: "P-1"}, id="notes under their own"),
    pytest.param(
        [general()],
        ask(DIAGNOSIS, NOTES),
        PARTIAL,
        {DIAGNOSIS: "A-1", NOTES: ("DT-5",)},
        id="partial: notes refused",
    ),
    pytest.param(
        [general(), notes()],
        ask(DIAGNOSIS, NOTES),
        PERMIT,
        {DIAGNOSIS: "A-1", NOTES: "P-1"},
        id="each category under its own authorization",
    ),
    pytest.param(
        [notes(standing=standing(expires_on=MIDWAY - DAY))],
        ask(NOTES),
        REFUSE,
        {NOTES: ("H-D1",)},
        id="notes authorization expired",
    ),
    # -- purposes -------------------------------------------------------------------------------------------
    pytest.param(
        [general()], ask(DIAGNOSIS, purpose=Purpose.INSURANCE), REFUSE, {DIAGNOSIS: ("DT-1",)}, id="purpose"
    ),
    pytest.param(
        [general(purposes=frozenset({CARE, Purpose.INSURANCE}))],
        ask(DIAGNOSIS, purpose=Purpose.INSURANCE),
        PERMIT,
        {DIAGNOSIS: "A-1"},
        id="one of several purposes",
    ),
    # -- dates ----------------------------------------------------------------------------------------------
    pytest.param(
        [general()], ask(DIAGNOSIS, on=EFFECTIVE - DAY), REFUSE, {DIAGNOSIS: ("DT-1",)}, id="before"
    ),
    pytest.param([general()], ask(DIAGNOSIS, on=EFFECTIVE), PERMIT, {DIAGNOSIS: "A-1"}, id="effective day"),
    pytest.param([general()], ask(DIAGNOSIS, on=LAST_DAY), PERMIT, {DIAGNOSIS: "A-1"}, id="last day"),
    pytest.param(
        [general()], ask(DIAGNOSIS, on=LAST_DAY + DAY), REFUSE, {DIAGNOSIS: ("H-D1",)}, id="day after expiry"
    ),
    pytest.param(
        [general(standing=standing(expiry_event_on=LAST_DAY + 30 * DAY))],
        ask(DIAGNOSIS, on=LAST_DAY + DAY),
        REFUSE,
        {DIAGNOSIS: ("H-D1",)},
        id="date passed before the event",
    ),
    # -- statuses -------------------------------------------------------------------------------------------
    pytest.param(
        [general(standing=standing(revoked_on=MIDWAY - DAY))],
        ask(DIAGNOSIS),
        REFUSE,
        {DIAGNOSIS: ("H-D3",)},
        id="revoked the day before",
    ),
    pytest.param(
        [general(standing=standing(revoked_on=MIDWAY))],
        ask(DIAGNOSIS),
        REFUSE,
        {DIAGNOSIS: ("H-D3",)},
        id="revoked that day",
    ),
    pytest.param(
        [general(standing=standing(revoked_on=MIDWAY + DAY))],
        ask(DIAGNOSIS),
        PERMIT,
        {DIAGNOSIS: "A-1"},
        id="revoked the day after",
    ),
    pytest.param(
        [general(standing=standing(expiry_event_on=MIDWAY))],
        ask(DIAGNOSIS),
        REFUSE,
        {DIAGNOSIS: ("H-D1",)},
        id="expiry event that day",
    ),
    pytest.param(
        [general(standing=standing(expiry_event_on=MIDWAY + DAY))],
        ask(DIAGNOSIS),
        PERMIT,
        {DIAGNOSIS: "A-1"},
        id="expiry event the day after",
    ),
    pytest.param(
        [general(known_false=True)], ask(DIAGNOSIS), REFUSE, {DIAGNOSIS: ("H-D5",)}, id="known to be false"
    ),
    # -- Part 2 clients -------------------------------------------------------------------------------------
    pytest.param(
        [general()],
        ask(DIAGNOSIS, client_part2=True),
        REFUSE,
        {DIAGNOSIS: ("P2-3",)},
        id="part2 client hipaa",
    ),
    pytest.param(
        [part2()],
        ask(SUD, DIAGNOSIS, client_part2=True),
        PERMIT,
        {SUD: "C-1", DIAGNOSIS: "C-1"},
        id="part2 client part2 consent",
    ),
    pytest.param(
        [general(), part2()],
        ask(DIAGNOSIS, PLAN, client_part2=True),
        PARTIAL,
        {DIAGNOSIS: "C-1", PLAN: ("P2-3", "DT-1")},
        id="part2 client: only the part2 consent counts",
    ),
    # -- record date limits ---------------------------------------------------------------------------------
    pytest.param(
        [general(records_from=date(2025, 1, 1), records_to=date(2025, 12, 31))],
        ask(DIAGNOSIS),
        REFUSE,
        {DIAGNOSIS: ("DT-1", "DT-1")},
        id="limited records, unlimited request",
    ),
    pytest.param(
        [general(records_from=date(2025, 1, 1), records_to=date(2025, 12, 31))],
        ask(DIAGNOSIS, records=(date(2025, 2, 1), date(2025, 12, 31))),
        PERMIT,
        {DIAGNOSIS: "A-1"},
        id="records inside the limits",
    ),
    pytest.param(
        [general(records_from=date(2025, 1, 1), records_to=date(2025, 12, 31))],
        ask(DIAGNOSIS, records=(date(2024, 12, 31), date(2026, 1, 1))),
        REFUSE,
        {DIAGNOSIS: ("DT-1", "DT-1")},
        id="records outside both limits",
    ),
    # -- several authorizations and reasons -----------------------------------------------------------------
    pytest.param(
        [general(standing=standing(expires_on=MIDWAY - DAY)), general(id="auth-2", label="A-2")],
        ask(DIAGNOSIS),
        PERMIT,
        {DIAGNOSIS: "A-2"},
        id="the expired one skipped, the next one covers",
    ),
    pytest.param(
        [
            general(standing=standing(expires_on=MIDWAY - DAY)),
            general(id="auth-2", label="A-2", standing=standing(revoked_on=EFFECTIVE)),
        ],
        ask(DIAGNOSIS),
        REFUSE,
        {DIAGNOSIS: ("H-D1", "H-D3")},
        id="reasons of every authorization listed",
    ),
    pytest.param(
        [general(standing=standing(expires_on=MIDWAY - DAY), known_false=True)],
        ask(BILLING, purpose=Purpose.SCHOOL, client_part2=True),
        REFUSE,
        {BILLING: ("H-D1", "H-D5", "P2-3", "DT-1", "DT-1")},
        id="every reason at once",
    ),
]


@pytest.mark.parametrize(("held", "request_", "answer", "expected"), TABLE)
def test_decides_as_the_table_says(
    held: list[Held], request_: Request, answer: Answer, expected: dict[Category, str | tuple[str, ...]]
) -> None:
    """Each row: the answer, and per category the covering authorization or every reason's rule id."""
    decision = decide(request_, held)
    assert decision.answer is answer
    assert outcome(decision) == expected


def test_a_permit_names_the_authorization_and_its_end_date() -> None:
    """The front desk sees which authorization permits and until when."""
    decision = decide(ask(DIAGNOSIS), [general()])
    assert [(p.authorization_id, p.label, p.until) for p in decision.permitted] == [
        ("auth-1", "A-1", LAST_DAY)
    ]


def test_a_refusal_says_why_in_plain_sentences() -> None:
    """Reasons name the authorization and the date that decided them."""
    revoked = general(standing=standing(revoked_on=date(2026, 4, 2)))
    event = general(id="auth-2", label="A-2", standing=standing(expiry_event_on=date(2026, 4, 3)))
    lapsed = general(
        id="auth-3", label="A-3", standing=standing(expires_on=date(2026, 4, 4), expiry_event_on=LAST_DAY)
    )
    pending = general(id="auth-4", label="A-4", standing=standing(effective_on=MIDWAY + DAY))
    decision = decide(ask(DIAGNOSIS), [revoked, event, lapsed, pending])
    messages = [reason.message for reason in decision.refused[0].reasons]
    assert messages == [
        "Authorization A-1 was revoked on 2026-04-02.",
        "Authorization A-2 ended with its expiry event on 2026-04-03.",
        "Authorization A-3 expired on 2026-04-04.",
        "Authorization A-4 takes effect only on 2026-04-16.",
    ]


def test_why_not_is_empty_exactly_when_the_authorization_covers_the_category() -> None:
    """why_not explains one authorization against one category; no reason means it covers it."""
    assert why_not(general(), ask(DIAGNOSIS), DIAGNOSIS) == []
    assert [r.rule for r in why_not(general(), ask(BILLING, on=EFFECTIVE - DAY), BILLING)] == ["DT-1", "DT-1"]


# -- properties --------------------------------------------------------------------------------------------

START = date(2026, 1, 1)
# A narrow vocabulary, so that random files often do cover the question and permits are exercised too.
some_categories = st.sampled_from([DIAGNOSIS, PLAN, NOTES, SUD, Category.SUD_COUNSELING_NOTES])
some_purposes = st.sampled_from([CARE, TPO, Purpose.LEGAL])
mostly_false = st.sampled_from([False, False, False, True])
near = st.integers(min_value=-3, max_value=3)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    """A question about one to three categories (the service refuses an empty question before deciding)."""
    return Request(
        recipient_id=draw(st.sampled_from([NAMED, OTHER])),
        categories=tuple(draw(st.lists(some_categories, min_size=1, max_size=3))),
        purpose=draw(some_purposes),
        on=START + draw(st.integers(min_value=0, max_value=60)) * DAY,
        client_part2=draw(mostly_false),
        records_from=draw(st.none() | st.just(START - 400 * DAY) | st.just(START)),
        records_to=draw(st.none() | st.just(START) | st.just(START + 400 * DAY)),
        recipient_type=draw(st.sampled_from(RecipientType)),
        representative_suspected=draw(mostly_false),
    )


def _around(draw: st.DrawFn, day: date, *, never: float) -> date | None:
    """Mostly nothing; otherwise a date a few days either side of `day`."""
    if draw(st.floats(min_value=0, max_value=1)) < never:
        return None
    return day + draw(near) * DAY


@st.composite
def held_for(draw: st.DrawFn, r: Request, n: int) -> Held:
    """One authorization, most of its terms drawn to fit question `r` and the rest at random."""

    def fitting(fit: st.SearchStrategy, other: st.SearchStrategy) -> object:
        return draw(st.sampled_from([True, True, True, False]).flatmap(lambda ok: fit if ok else other))

    effective = r.on - draw(st.integers(min_value=-3, max_value=30)) * DAY
    return Held(
        id=f"auth-{n}",
        label=f"A-{n}",
        kind=draw(st.sampled_from(Kind)),
        recipient_id=fitting(st.just(r.recipient_id), st.sampled_from([NAMED, OTHER, None])),
        recipient_class=draw(st.sampled_from(["", TPO_CLASS])),
        categories=fitting(
            st.frozensets(some_categories).map(lambda more: more | set(r.categories)),
            st.frozensets(some_categories),
        ),
        purposes=fitting(
            st.frozensets(some_purposes).map(lambda more: more | {r.purpose}), st.frozensets(some_purposes)
        ),
        standing=Standing(
            effective,
            _around(draw, r.on + 2 * DAY, never=0.4),
            _around(draw, r.on, never=0.8),
            _around(draw, r.on, never=0.8),
        ),
        records_from=_around(draw, START, never=0.8),
        records_to=_around(draw, START, never=0.8),
        known_false=draw(mostly_false),
        intermediary_participants=draw(st.sampled_from(["", "Dr. Ames, Valley Clinic"])),
        signed_by_representative=draw(st.booleans()),
        representative_not_suspected=draw(st.booleans()),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Held], Request]:
    """A question and zero to three authorizations on file."""
    r = draw(requests())
    count = draw(st.integers(min_value=0, max_value=3))
    return [draw(held_for(r, n)) for n in range(count)], r


def covers(a: Held, r: Request, category: Category) -> bool:
    """Restate, independently of the code under test, when one authorization covers one category."""
    named = a.recipient_id == r.recipient_id
    names = named or (a.kind is Kind.PART2_TPO and a.recipient_class != "" and r.purpose is TPO)
    # P2-4, 2.31(a)(4)(ii), P2-LP: a Part 2 consent reaches the TPO class, an intermediary's named
    # participants, and a legal proceeding only under its own consent.
    part2_reach = a.kind not in PART2_KINDS or (
        (named or r.recipient_type in TPO_TYPES)
        and not (named and r.recipient_type is RecipientType.INTERMEDIARY and not a.intermediary_participants)
        and not (r.client_part2 and r.purpose is Purpose.LEGAL and a.kind is not Kind.PART2_LEGAL_PROCEEDINGS)
    )
    in_range = (
        a.records_from is None or (r.records_from is not None and r.records_from >= a.records_from)
    ) and (a.records_to is None or (r.records_to is not None and r.records_to <= a.records_to))
    return (
        names
        and status_of(a.standing, today=r.on) is Status.ACTIVE
        and r.purpose in a.purposes
        and category in a.categories
        and (category is not NOTES or a.kind is Kind.PSYCHOTHERAPY_NOTES)
        and not (r.client_part2 and a.kind not in PART2_KINDS)
        and not a.known_false
        and in_range
        and part2_reach
        # 164.502(g)(5): not under a representative's signature while a parent is suspected, unconfirmed.
        and not (
            r.representative_suspected and a.signed_by_representative and not a.representative_not_suspected
        )
    )


@settings(max_examples=500)
@given(case=cases())
def test_permits_a_category_only_under_an_authorization_that_covers_it(
    case: tuple[list[Held], Request],
) -> None:
    """(a) A category is permitted exactly when some authorization names the recipient, is active that day,
    covers the purpose and the category (notes only under a notes kind); it cites one that does."""
    held, request_ = case
    decision = decide(request_, held)
    by_id = {a.id: a for a in held}
    for p in decision.permitted:
        assert covers(by_id[p.authorization_id], request_, p.category)
    permitted = {p.category for p in decision.permitted}
    for category in request_.categories:
        assert (category in permitted) == any(covers(a, request_, category) for a in held)


@settings(max_examples=500)
@given(case=cases())
def test_the_answer_agrees_with_the_categories_and_every_refusal_cites_a_rule(
    case: tuple[list[Held], Request],
) -> None:
    """(c) permit iff nothing refused, refuse iff nothing permitted; each refusal cites known rule ids."""
    held, request_ = case
    decision = decide(request_, held)
    assert (decision.answer is Answer.PERMIT) == (not decision.refused)
    assert (decision.answer is Answer.REFUSE) == (not decision.permitted)
    asked = list(dict.fromkeys(request_.categories))
    assert sorted(
        [p.category for p in decision.permitted] + [r.category for r in decision.refused]
    ) == sorted(asked)
    for refused in decision.refused:
        assert refused.reasons, refused.category
        assert {reason.rule for reason in refused.reasons} <= REGULATORY_IDS
        assert all(reason.message for reason in refused.reasons)


@given(
    effective=st.integers(min_value=0, max_value=40).map(lambda n: START + n * DAY),
    asked_after=st.integers(min_value=0, max_value=60),
    received_after=st.integers(min_value=-5, max_value=60),
)
def test_a_revocation_stops_permits_from_the_day_it_is_received(
    effective: date, asked_after: int, received_after: int
) -> None:
    """(b) Revocation received on day D: permitted before D, refused with H-D3 from D on."""
    on, received = effective + asked_after * DAY, effective + received_after * DAY
    held = [general(standing=Standing(effective, revoked_on=received))]
    decision = decide(ask(DIAGNOSIS, on=on), held)
    if on < received:
        assert decision.answer is Answer.PERMIT
    else:
        assert decision.answer is Answer.REFUSE
        assert [r.rule for r in decision.refused[0].reasons] == ["H-D3"]


@given(
    effective=st.integers(min_value=0, max_value=40).map(lambda n: START + n * DAY),
    asked_after=st.integers(min_value=0, max_value=60),
    lasts=st.integers(min_value=0, max_value=60),
)
def test_an_authorization_permits_on_its_expiry_date_and_not_after(
    effective: date, asked_after: int, lasts: int
) -> None:
    """(b) Expiry date E: permitted on E, refused with H-D1 from E + 1."""
    on, expires = effective + asked_after * DAY, effective + lasts * DAY
    decision = decide(ask(DIAGNOSIS, on=on), [general(standing=Standing(effective, expires))])
    if on <= expires:
        assert decision.answer is Answer.PERMIT
    else:
        assert decision.answer is Answer.REFUSE
        assert [r.rule for r in decision.refused[0].reasons] == ["H-D1"]
