"""The matrix itself, without a database."""

from orgs.models import Role
from orgs.permissions import MATRIX, READ_ONLY_ACTIONS, Action, allowed_actions, can


def test_leadership_only_reads():
    assert set(allowed_actions(Role.LEADERSHIP)) <= READ_ONLY_ACTIONS


def test_admins_can_do_everything():
    assert set(allowed_actions(Role.ADMIN)) == set(Action)


def test_every_role_is_in_the_matrix_and_can_view():
    assert set(MATRIX) == set(Role)
    assert all(can(role, Action.VIEW) for role in Role)


def test_no_role_means_no_rights():
    assert not any(can(None, action) for action in Action)
