"""The webhook pages, for admins: the endpoints and the form that registers one (its secret
shown once, on the page the registration leads to), and an endpoint's page: what it hears
of, its state, its delivery log with a resend button per delivery, a test button, enable
again or turn off, edit, delete. Every write goes through reviews.services.webhooks; a
refusal is shown beside the field it names, and nothing is saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orgs.permissions import Action
from orgs.tenancy import MemberRequest, member_required
from reviews.forms.webhooks import EndpointForm
from reviews.models import MAX_ENDPOINTS, PING, WebhookDelivery, WebhookEndpoint, WebhookEvent
from reviews.selectors.webhooks import deliveries_of, endpoint_of, endpoints_of
from reviews.services.webhooks import (
    STOPPED_DISABLED,
    STOPPED_TURNED_OFF,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_test,
    webhook_endpoint_update,
)
from sla.selectors import calendar_of

DELIVERIES_PAGE = 50
SHOWN_ONCE = "webhook-secret-{pk}"  # in the session, from the registration to the page once


def _endpoint(request: MemberRequest, pk: int) -> WebhookEndpoint:
    """The organisation's endpoint; another organisation's id is a 404."""
    found = endpoint_of(request.organization, pk)
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@member_required(Action.MANAGE_WEBHOOKS)
def webhook_list(request: MemberRequest) -> HttpResponse:
    """The endpoints, and the registration form (POST); a registration leads to the new
    endpoint's page, which shows its secret that once."""
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhook_endpoint_create(
                organization=request.organization, by=request.user, url=form.cleaned_data["url"],
                events=form.cleaned_data["events"], description=form.cleaned_data["description"],
            )  # fmt: skip
        except ValidationError as error:
            form.place(error)
        else:
            request.session[SHOWN_ONCE.format(pk=endpoint.pk)] = endpoint.secret
            messages.success(request, _("Endpoint registered: copy its secret now."))
            return redirect("webhook-endpoint", pk=endpoint.pk)
    endpoints = list(endpoints_of(request.organization))
    context = {
        "endpoints": [_row(e) for e in endpoints],
        "form": form,
        "full": len(endpoints) >= MAX_ENDPOINTS,
        "max_endpoints": MAX_ENDPOINTS,
        "zone": calendar_of(request.organization).time_zone,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/webhooks.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_required(Action.MANAGE_WEBHOOKS)
def webhook_endpoint(request: MemberRequest, pk: int) -> HttpResponse:
    """An endpoint's page: its state, delivery log and buttons; its edit form (POST)."""
    endpoint = _endpoint(request, pk)
    form = EndpointForm(request.POST) if request.method == "POST" else EndpointForm.of(endpoint)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_endpoint_update(endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            form.place(error)
            endpoint = _endpoint(request, pk)  # as saved, not as typed
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("webhook-endpoint", pk=endpoint.pk)
    page = Paginator(deliveries_of(endpoint), DELIVERIES_PAGE).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint,
        "events": _event_labels(endpoint.events),
        "secret": request.session.pop(SHOWN_ONCE.format(pk=endpoint.pk), None),
        "form": form,
        "page": page,
        "deliveries": [_delivery(d) for d in page],
        "zone": calendar_of(request.organization).time_zone,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/webhook.html", context, status=status)


@require_POST
@member_required(Action.MANAGE_WEBHOOKS)
def webhook_test(request: MemberRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    webhook_endpoint_test(endpoint=endpoint, now=timezone.now())
    messages.success(request, _("Test event (ping) sent: its result shows in the log below."))
    return redirect("webhook-endpoint", pk=endpoint.pk)


@require_POST
@member_required(Action.MANAGE_WEBHOOKS)
def webhook_resend(request: MemberRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    delivery = get_object_or_404(deliveries_of(endpoint), pk=delivery_pk)
    delivery.endpoint = endpoint
    try:
        webhook_delivery_resend(delivery=delivery, now=timezone.now())
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Delivery sent again, with the same webhook-id."))
    return redirect("webhook-endpoint", pk=endpoint.pk)


@require_POST
@member_required(Action.MANAGE_WEBHOOKS)
def webhook_enable(request: MemberRequest, pk: int) -> HttpResponse:
    """Enable the endpoint again (its failures forgotten), or turn it off (`off` posted)."""
    endpoint = _endpoint(request, pk)
    turn_on = "off" not in request.POST
    try:
        webhook_endpoint_update(endpoint=endpoint, active=turn_on)
    except ValidationError as refusal:  # its URL is no longer allowed: edit it first
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(
            request, _("Endpoint enabled again.") if turn_on else _("Endpoint turned off.")
        )
    return redirect("webhook-endpoint", pk=endpoint.pk)


@require_POST
@member_required(Action.MANAGE_WEBHOOKS)
def webhook_delete(request: MemberRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    webhook_endpoint_delete(endpoint=endpoint)
    messages.success(request, _("Endpoint %(url)s removed.") % {"url": endpoint.url})
    return redirect("webhooks")


# --- words ---


def event_label(kind: str) -> str:
    if kind == PING:
        return _("Test (ping)")
    return str(WebhookEvent(kind).label) if kind in WebhookEvent.values else kind


def _event_labels(events: list[str]) -> list[str]:
    """The endpoint's events in words, in the order the form lists them."""
    return [str(label) for value, label in WebhookEvent.choices if value in events]


def _row(endpoint: Any) -> dict[str, Any]:
    return {
        "endpoint": endpoint,
        "events": _event_labels(endpoint.events),
        "last_status": _status_label(endpoint.last_status) if endpoint.last_status else None,
        "last_badge": _badge(endpoint.last_status),
    }


def _delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "delivery": delivery,
        "event": event_label(delivery.kind),
        "status": _status_label(delivery.status),
        "badge": _badge(delivery.status),
        "note": delivery_note(delivery),
    }


def _status_label(status: str) -> str:
    return str(WebhookDelivery.Status(status).label)


def _badge(status: str | None) -> str:
    return {"succeeded": "ok", "failed": "bad", "pending": "warn"}.get(status or "", "")


def delivery_note(delivery: WebhookDelivery) -> str:
    """What went wrong with the delivery's last try, in words (the network's own words
    quoted as they came)."""
    if delivery.error == STOPPED_DISABLED:
        return _("Stopped: the endpoint was disabled after a day of failures.")
    if delivery.error == STOPPED_TURNED_OFF:
        return _("Stopped: the endpoint was turned off.")
    if delivery.error.startswith("refused:"):
        return _("Not sent: %(why)s.") % {"why": delivery.error.removeprefix("refused:").strip()}
    if delivery.error == "timed out":
        return _("No answer in time.")
    if delivery.error:
        return _("No answer: %(why)s") % {"why": delivery.error}
    if delivery.response_status is not None and not 200 <= delivery.response_status < 300:
        return _("Answered %(code)s: %(excerpt)s") % {
            "code": delivery.response_status,
            "excerpt": delivery.response_excerpt[:120] or "—",
        }
    return ""
