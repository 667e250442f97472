"""The notification centre: a member's list (mark one or all read), the count in the
header, and their choices of how to be told."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs.tenancy import MemberRequest, member_required
from reviews.digest import digest_of
from reviews.forms.notifications import PreferencesForm
from reviews.models import Notification, Topic
from reviews.selectors.notifications import inbox_of, preferences_of, unread_count
from reviews.services.notifications import (
    notification_read,
    notifications_read_all,
    preferences_save,
)
from reviews.words import title
from sla.selectors import calendar_of

PAGE = 50


@require_GET
@member_required()
def notification_list(request: MemberRequest) -> HttpResponse:
    """The member's notifications, the newest first, fifty to a page; `?unread=1` only the
    unread."""
    unread_only = request.GET.get("unread") == "1"
    found = inbox_of(request.organization, request.user, unread_only=unread_only)
    page = Paginator(found, PAGE).get_page(request.GET.get("page"))
    rows = [{"notification": n, "title": title(n.event.kind, n.event.data)} for n in page]
    context: dict[str, Any] = {
        "page": page, "rows": rows, "unread_only": unread_only,
        "unread": unread_count(request.organization, request.user),
        "zone": calendar_of(request.organization).time_zone,
    }  # fmt: skip
    with timezone.override(context["zone"]):
        return render(request, "reviews/notifications.html", context)


@require_GET
@member_required()
def notification_badge(request: MemberRequest) -> HttpResponse:
    """The unread count in the header (loaded and refreshed by htmx)."""
    count = unread_count(request.organization, request.user)
    return render(request, "reviews/_badge.html", {"count": count})


@require_GET
@member_required()
def notification_open(request: MemberRequest, pk: int) -> HttpResponseBase:
    """Mark the notification read and go to what it is about."""
    notification = _mine(request, pk)
    notification_read(notification=notification, now=timezone.now())
    link = notification.event.link
    if not link or not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect("notification-list")
    return redirect(link)


@require_POST
@member_required()
def notification_mark_read(request: MemberRequest, pk: int) -> HttpResponseBase:
    notification = notification_read(notification=_mine(request, pk), now=timezone.now())
    if request.htmx:
        row = {"notification": notification, "title": title(notification.event.kind,
                                                               notification.event.data)}  # fmt: skip
        with timezone.override(calendar_of(request.organization).time_zone):
            return render(request, "reviews/_notification.html", {"row": row})
    return redirect("notification-list")


@require_POST
@member_required()
def notification_read_all(request: MemberRequest) -> HttpResponseBase:
    count = notifications_read_all(
        organization=request.organization, user=request.user, now=timezone.now()
    )
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect("notification-list")


@require_http_methods(["GET", "POST"])
@member_required()
def preferences_page(request: MemberRequest) -> HttpResponse:
    """The member's choices per topic (in the app, by e-mail), the weekly digest and the
    language of their e-mails."""
    preferences = preferences_of(request.organization, request.user)
    form = PreferencesForm.of(preferences, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                preferences_save(
                    organization=request.organization, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your choices are saved."))
                return redirect("notification-preferences")
        status = 400
    chosen_in_app = set(form["in_app"].value() or [])
    chosen_email = set(form["by_email"].value() or [])
    topics = [
        {"value": value, "label": label, "in_app": value in chosen_in_app,
         "by_email": value in chosen_email}
        for value, label in Topic.choices
    ]  # fmt: skip
    return render(
        request, "reviews/preferences.html", {"form": form, "topics": topics}, status=status
    )


def _mine(request: MemberRequest, pk: int) -> Notification:
    """One of the member's own notifications in this organisation; 404 for anyone else's."""
    return get_object_or_404(
        Notification.objects.for_org(request.organization).select_related("event"),
        pk=pk, user=request.user,
    )  # fmt: skip


@require_GET
@member_required()
def digest_preview(request: MemberRequest) -> HttpResponse:
    """This week's digest of the member, as the e-mail would say it now (in the page's
    language), and whether they get it."""
    context = digest_of(request.membership, now=timezone.now())
    context["weekly_digest"] = preferences_of(request.organization, request.user).weekly_digest
    return render(request, "reviews/digest.html", context)
