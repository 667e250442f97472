"""What the page shell needs on every page: the navigation for the role (the entries the apps
registered in smarketing.lib.navigation), the switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from orgs.permissions import can
from orgs.selectors import memberships_of_user
from smarketing.lib.navigation import TopbarEntry, menu, topbar


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
        "topbar_items": [_topbar_item(entry) for entry in topbar()],
        "switchable_memberships": memberships_of_user(request.user),
        "current_membership": membership,
    }


def _topbar_item(entry: TopbarEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "url": reverse(entry.url_name),
        "label": entry.label,
        "badge": reverse(entry.badge_url_name),
    }
