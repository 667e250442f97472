"""What the page shell needs on every page: the navigation for the role, the switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from orgs.permissions import Action, can
from orgs.selectors import memberships_of_user

# (url name, its kwargs, label, action needed): the sidebar, filtered by the member's role.
NAVIGATION: list[tuple[str, dict[str, str], StrOrPromise, Action]] = [
    ("home", {}, _("Home"), Action.VIEW),
    ("crm-list", {"kind": "leads"}, _("Leads"), Action.VIEW),
    ("crm-list", {"kind": "deals"}, _("Deals"), Action.VIEW),
    ("crm-list", {"kind": "companies"}, _("Companies"), Action.VIEW),
    ("crm-list", {"kind": "campaigns"}, _("Campaigns"), Action.VIEW),
    ("crm-list", {"kind": "channels"}, _("Channels"), Action.VIEW),
    ("crm-list", {"kind": "activities"}, _("Activities"), Action.VIEW),
    ("dashboard", {"name": "leadership"}, _("Leadership"), Action.VIEW),
    ("dashboard", {"name": "marketing"}, _("Marketing"), Action.VIEW),
    ("dashboard", {"name": "sales"}, _("Sales"), Action.VIEW),
    ("metric-dictionary", {}, _("Metrics"), Action.VIEW),
    ("plan-list", {}, _("Plans"), Action.VIEW),
    ("crm-import", {}, _("Import"), Action.IMPORT_RECORDS),
    ("members", {}, _("Members"), Action.VIEW),
    ("organization-settings", {}, _("Organisation"), Action.EDIT_ORGANIZATION),
    ("crm-stages", {}, _("Stages"), Action.EDIT_ORGANIZATION),
    ("api-tokens", {}, _("API tokens"), Action.MANAGE_OWN_TOKENS),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    # After sign-out the request still carries the membership it arrived with.
    if membership is None or not request.user.is_authenticated:
        return {"nav_items": [], "switchable_memberships": []}
    return {
        "nav_items": [
            (reverse(name, kwargs=kwargs), label)
            for name, kwargs, label, action in NAVIGATION
            if can(membership.role, action)
        ],
        "switchable_memberships": memberships_of_user(request.user),
        "current_membership": membership,
    }
