"""Fuzzing the authorization validator: any draft, any submitted fields, answer problems with rule ids.

The validator (domain/consent.py) and the parser in front of it (services/terms.py) see whatever a form or
the API sends. Whatever arrives, the answer is a list of problems each carrying a rule id from
regulatory.md, or one typed InvalidInput naming the field; never a crash, and never a clean bill for a
draft missing what the law requires.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from roi_tracker.domain.clients import Category
from roi_tracker.domain.consent import TPO_CLASS
from roi_tracker.domain.consent import Draft
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import Purpose
from roi_tracker.domain.consent import Severity
from roi_tracker.domain.consent import Signer
from roi_tracker.domain.consent import Statement
from roi_tracker.domain.consent import blocking
from roi_tracker.domain.consent import validate
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.releases.terms import parse_draft

TODAY = date(2026, 3, 10)
RULE = re.compile(r"(H|P2|DT)-[A-Z0-9]+")
FAST = settings(max_examples=100, deadline=None)

short_text = st.text(max_size=12)
maybe_date = st.none() | st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)) | st.dates()
drafts = st.builds(
    Draft,
    kind=st.none() | st.sampled_from(Kind),
    recipient_id=st.none() | short_text,
    recipient_class=st.sampled_from(["", TPO_CLASS]) | short_text,
    categories=st.frozensets(st.sampled_from(Category)),
    purposes=st.frozensets(st.sampled_from(Purpose)),
    purpose_text=short_text,
    disclosing_party=st.sampled_from(["the practice", "", "  "]) | short_text,
    effective_on=maybe_date,
    expires_on=maybe_date,
    expiry_event=st.sampled_from(["", "none", " No Expiration ", "discharge"]) | short_text,
    records_from=maybe_date,
    records_to=maybe_date,
    signed_on=maybe_date,
    signed_by=st.none() | st.sampled_from(Signer),
    representative_name=short_text,
    representative_relationship=short_text,
    representative_authority=short_text,
    minor_may_consent=st.booleans(),
    statements=st.frozensets(st.sampled_from(Statement)),
    copy_given_on=maybe_date,
    copy_method=short_text,
    plain_language_form=st.booleans(),
    signed_form_attached=st.booleans(),
    conditioned_on_treatment=st.booleans(),
    known_false=st.booleans(),
)

FIELDS = [
    "kind", "recipient_id", "recipient_class", "categories", "purposes", "purpose_text", "disclosing_party",
    "effective_on", "expires_on", "expiry_event", "records_from", "records_to", "signed_on", "signed_by",
    "representative_name", "representative_relationship", "representative_authority", "minor_may_consent",
    "statements", "copy_given_on", "copy_method", "plain_language_form", "conditioned_on_treatment",
    "known_false",
]  # fmt: skip
vocabulary = st.sampled_from([*Kind, *Category, *Purpose, *Statement, *Signer]).map(str)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | short_text | vocabulary,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(short_text | vocabulary, inner, max_size=4),
    max_leaves=8,
)
field_values = json_like | st.dates().map(date.isoformat) | st.lists(vocabulary, max_size=4)
submitted = st.dictionaries(st.sampled_from(FIELDS) | short_text, field_values, max_size=12)


def _assert_well_formed(problems: list[Any]) -> None:
    for problem in problems:
        assert RULE.fullmatch(problem.rule), problem
        assert problem.severity in set(Severity), problem
        assert problem.field.strip(), problem
        assert problem.message.strip(), problem


@FAST
@given(draft=drafts, client_part2=st.booleans())
def test_any_draft_gets_problems_that_each_name_a_rule_a_field_and_a_sentence(
    draft: Draft, client_part2: bool
) -> None:
    """validate() never raises; each problem has a rule id, a severity, a field and a message."""
    _assert_well_formed(validate(draft, client_part2=client_part2, today=TODAY))


@FAST
@given(draft=drafts, client_part2=st.booleans())
def test_a_draft_without_blocking_problems_carries_every_core_element(
    draft: Draft, client_part2: bool
) -> None:
    """A draft that passes has a kind, information, purpose, past signature, statements and the form."""
    if blocking(validate(draft, client_part2=client_part2, today=TODAY)):
        return
    assert draft.kind is not None
    assert draft.categories
    assert draft.purposes
    assert draft.signed_on is not None
    assert draft.signed_on <= TODAY
    assert draft.signed_by is not None
    assert draft.signed_form_attached
    assert {Statement.RIGHT_TO_REVOKE, Statement.REDISCLOSURE} <= draft.statements
    assert not draft.conditioned_on_treatment
    assert not draft.known_false


@FAST
@given(fields=submitted, signed_form_attached=st.booleans(), client_part2=st.booleans())
def test_any_submitted_fields_give_problems_with_rule_ids_or_one_typed_input_error(
    fields: dict[str, Any], signed_form_attached: bool, client_part2: bool
) -> None:
    """parse_draft() then validate(): rule-id problems, or InvalidInput naming the field; nothing else."""
    try:
        draft = parse_draft(fields, signed_form_attached=signed_form_attached)
    except InvalidInput as exc:
        refused: InvalidInput | None = exc
    else:
        refused = None
    if refused is not None:
        assert refused.field, refused
        return
    _assert_well_formed(validate(draft, client_part2=client_part2, today=TODAY))
