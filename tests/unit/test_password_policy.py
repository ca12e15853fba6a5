"""The one password policy (NIST SP 800-63B): length, and not a commonly used password; nothing else."""

from __future__ import annotations

import pytest

from roi_tracker import passwords
from roi_tracker.domain.errors import InvalidInput


def test_accepts_a_long_uncommon_passphrase_without_composition_rules() -> None:
    """Lower-case words and spaces are enough: no digit, capital or symbol is demanded."""
    assert passwords.problems_with("correct horse battery staple") == []


@pytest.mark.parametrize("password", ["password1234", "PASSWORD1234", "qwertyuiop123"])
def test_refuses_a_common_password_whatever_its_letter_case(password: str) -> None:
    """A password from the list of common ones is refused even at 12 characters or more."""
    assert passwords.problems_with(password) == [
        "the password is one of the most commonly used passwords; choose another"
    ]


def test_accepts_12_to_128_characters_and_refuses_11_or_129() -> None:
    """The bounds are 12 and 128 characters."""
    assert passwords.problems_with("x" * 11 + "q") == []
    assert "at least 12 characters" in passwords.problems_with("abcdefghijk")[0]
    assert "at most 128 characters" in passwords.problems_with("y" * 129)[0]


def test_names_the_field_it_refuses() -> None:
    """require_acceptable raises InvalidInput naming the form field the caller gives."""
    with pytest.raises(InvalidInput, match="commonly used") as refused:
        passwords.require_acceptable("password1234", field="new_password")
    assert refused.value.field == "new_password"
