"""The guard every page goes through: signed in, a member, and allowed by the role matrix."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from orgs.models import Membership, Organization, User
from orgs.permissions import Action, can

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class SignedInRequest(HttpRequest):
    """What a view behind `login_required` receives (for type checking)."""

    user: User
    membership: Membership | None


class MemberRequest(HttpRequest):
    """What a view behind `member_required` receives (for type checking)."""

    user: User
    membership: Membership
    organization: Organization
    htmx: HtmxDetails


def member_required(action: Action = Action.VIEW) -> Callable[[View], View]:
    """Let the request through only for a member of the current organisation whose role
    allows `action`. Views then read `request.organization`, and every object they look
    up goes through `Model.objects.for_org(request.organization)`, so another
    organisation's ids answer 404."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.membership  # type: ignore[attr-defined]
            if membership is None:
                return redirect("no-organization")
            if not can(membership.role, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
