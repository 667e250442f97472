"""Puts the signed-in user's current membership on every request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from orgs.selectors import membership_for

SESSION_KEY = "organization_id"


class CurrentMembershipMiddleware:
    """Sets `request.membership` and `request.organization` (None when there is none).

    The organisation is the one chosen with the switcher (kept in the session); a user
    who never chose, or who left the chosen one, gets their first organisation.
    API requests authenticated by token get theirs from the token instead
    (orgs.api_permissions).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = None
        if request.user.is_authenticated:
            membership = membership_for(request.user, request.session.get(SESSION_KEY))
        request.membership = membership  # type: ignore[attr-defined]
        request.organization = membership.organization if membership else None  # type: ignore[attr-defined]
        return self.get_response(request)
