"""Reads of webhooks, always within one organisation."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from orgs.models import Organization
from reviews.models import WebhookDelivery, WebhookEndpoint


def endpoints_of(organization: Organization) -> QuerySet[WebhookEndpoint]:
    """The organisation's endpoints, oldest first, each with its latest delivery's status
    and time (`last_status`, `last_at`; None before any)."""
    latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        WebhookEndpoint.objects.for_org(organization)
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("created_at", "pk")
    )


def endpoint_of(organization: Organization, pk: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.for_org(organization).filter(pk=pk).first()


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, the newest first."""
    return WebhookDelivery.objects.filter(
        organization_id=endpoint.organization_id, endpoint=endpoint
    ).order_by("-created_at", "-pk")
