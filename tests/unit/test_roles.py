"""Roles and the permission table: deny by default."""

from __future__ import annotations

import pytest

from roi_tracker.domain import roles
from roi_tracker.domain.roles import Permission
from roi_tracker.domain.roles import Role


def test_every_role_has_a_row_in_the_grant_table() -> None:
    """The one grant table names every role."""
    assert set(roles.GRANTS) == set(Role)


def test_unknown_roles_hold_no_permission() -> None:
    """A role outside the vocabulary is denied everything (fail closed)."""
    assert not roles.is_granted("superuser", Permission.HOME_VIEW)


def test_admins_manage_users_and_cannot_read_the_access_log() -> None:
    """Admins manage people; reading the log belongs to the auditor."""
    assert roles.is_granted("admin", Permission.USER_CREATE)
    assert not roles.is_granted("admin", Permission.AUDIT_READ)
    assert roles.is_granted("auditor", Permission.AUDIT_READ)
    assert not roles.is_granted("auditor", Permission.USER_CREATE)


def test_parse_role_refuses_unknown_names_and_lists_the_known_ones() -> None:
    """An unknown role is an error naming the vocabulary."""
    assert roles.parse_role("front_desk") is Role.FRONT_DESK
    with pytest.raises(roles.UnknownRoleError, match="clinician, front_desk, auditor, admin"):
        roles.parse_role("wizard")


def test_permission_names_follow_resource_colon_action() -> None:
    """Permissions are named `resource:action` (STYLE.md rule 3)."""
    assert all(p.value.count(":") >= 1 for p in Permission)
