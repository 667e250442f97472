"""What the page shell needs on every page: the navigation for the role (the entries the apps
registered in smarketing.lib.navigation), the switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from orgs.permissions import can
from orgs.selectors import memberships_of_user
from smarketing.lib.navigation import menu


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    # After sign-out the request still carries the membership it arrived with.
    if membership is None or not request.user.is_authenticated:
        return {"nav_items": [], "switchable_memberships": []}
    return {
        "nav_items": [
            (reverse(entry.url_name, kwargs=entry.kwargs), entry.label)
            for entry in menu()
            if can(membership.role, entry.action)
        ],
        "switchable_memberships": memberships_of_user(request.user),
        "current_membership": membership,
    }
