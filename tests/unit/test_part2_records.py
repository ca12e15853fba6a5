"""Part 2 follows the records (42 CFR 2.12(d)), and what every text and date field accepts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from roi_tracker.domain import inputs
from roi_tracker.domain.clients import Category
from roi_tracker.domain.clients import names_part2_records
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import validate
from roi_tracker.domain.errors import InvalidInput
from tests.unit.test_consent_validator import TODAY
from tests.unit.test_consent_validator import complete


def test_substance_use_categories_are_part2_records_by_themselves() -> None:
    """SUD records or counseling notes name Part 2 information; diagnosis and billing do not."""
    assert names_part2_records(["diagnosis", "sud_records"])
    assert names_part2_records(["sud_counseling_notes"])
    assert not names_part2_records(["diagnosis", "billing"])
    assert not names_part2_records([])


def test_a_hipaa_authorization_naming_sud_records_is_p2_3_even_for_an_unflagged_client() -> None:
    """SUD records need a Part 2 consent whatever the flag says; the same form without them is valid."""
    hipaa = complete(Kind.HIPAA)
    assert validate(hipaa, client_part2=False, today=TODAY) == []
    with_sud = replace(hipaa, categories=hipaa.categories | {Category.SUD_RECORDS})
    problems = validate(with_sud, client_part2=False, today=TODAY)
    assert [(p.rule, p.field) for p in problems] == [("P2-3", "categories")]


@pytest.mark.parametrize("bad", ["Ada\x00", "\x1b[31mAda", "Ada\x7f", "A\x07"])
def test_control_characters_are_refused_naming_the_field(bad: str) -> None:
    """NUL, escape, delete and bell are refused with a message naming the field."""
    with pytest.raises(InvalidInput, match="given name must not contain control characters") as refused:
        inputs.text(bad, "given_name")
    assert refused.value.field == "given_name"


def test_line_breaks_and_tabs_are_text_and_nested_fields_are_named_by_their_path() -> None:
    """An address may span lines; a control character deep in a dict or list names its path."""
    assert inputs.text("1 Main St\r\nApt 2\tRear", "address") == "1 Main St\r\nApt 2\tRear"
    inputs.texts({"name": "ok", "tags": ["a", 1], "n": 3})
    with pytest.raises(InvalidInput) as refused:
        inputs.texts({"recipient": {"name": "Police\x00"}})
    assert refused.value.field == "recipient.name"
    with pytest.raises(InvalidInput) as listed:
        inputs.texts({"categories": ["billing", "x\x00"]})
    assert listed.value.field == "categories"
    with pytest.raises(InvalidInput) as unnamed:
        inputs.texts({"": "x\x00"})
    assert unnamed.value.field == "data"


def test_dates_outside_1900_to_2200_are_refused_with_the_range_in_the_message() -> None:
    """Year 1 and year 9999 are refused; the edges and no date at all are accepted."""
    for day in (date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31), date(2201, 1, 1)):
        with pytest.raises(InvalidInput, match="between 1900-01-01 and 2200-12-31") as refused:
            inputs.plausible(day, "expires_on")
        assert refused.value.field == "expires_on"
    assert inputs.plausible(date(1900, 1, 1), "on") == date(1900, 1, 1)
    assert inputs.plausible(date(2200, 12, 31), "on") == date(2200, 12, 31)
    assert inputs.plausible(None, "on") is None
