"""Role checks for the REST API, from the same matrix as the pages."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from orgs.models import ApiToken, Membership
from orgs.permissions import Action, can


def api_membership(request: Request) -> Membership | None:
    """The membership an API call acts as: the token's, else the session's current one."""
    if isinstance(request.auth, ApiToken):
        return request.auth.membership
    if request.user and request.user.is_authenticated:
        return getattr(request._request, "membership", None)
    return None


class RolePermission(permissions.BasePermission):
    """Reads need `view`; writes need the view's `write_action` (no writes if it has none).

    Sets `request.membership` and `request.organization` for the view to scope by.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        membership = api_membership(request)
        request.membership = membership  # type: ignore[attr-defined]
        request.organization = membership.organization if membership else None  # type: ignore[attr-defined]
        if membership is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            action = getattr(view, "read_action", Action.VIEW)
        else:
            action = getattr(view, "write_action", None)
            if action is None:
                return False
        return can(membership.role, action)
