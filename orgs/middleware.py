"""Puts the signed-in user's current membership on every request, and refuses query strings
no view could use."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from orgs.selectors import membership_for
from smarketing.lib.api_conventions import error_body

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


class RefuseNulBytes:
    """Answers 400, naming the parameter, to a query string or a page's form that holds a
    NUL byte.

    PostgreSQL can neither store nor compare text holding one: a filter or search with it
    failed inside the query, as a 500, wherever a view used it. Checked here once, before
    any page, export or endpoint reads its parameters."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _parameter_with_nul(request)
        if name is None:
            return self.get_response(request)
        problem = _("%(name)s holds a NUL byte, which no value may contain.") % {"name": name}
        if request.path.startswith("/api/"):
            body = error_body(400, "invalid", _("Some fields are invalid."), {name: [problem]})
            return JsonResponse(body, status=400)
        return render(request, "bad_request.html", {"problem": problem}, status=400)


def _parameter_with_nul(request: HttpRequest) -> str | None:
    # A page's form fields too (CSRF reads them anyway); the API's bodies are its parsers'.
    posted = request.method == "POST" and not request.path.startswith("/api/")
    for name, values in [*request.GET.lists(), *(request.POST.lists() if posted else [])]:
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "%00")  # shown as it was sent
    return None
