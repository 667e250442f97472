"""REST endpoints of the reviews app: the organisation's webhooks."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_base import OrgScopedViewSet
from orgs.models import User
from orgs.permissions import Action
from reviews.models import WebhookEndpoint
from reviews.selectors.webhooks import deliveries_of
from reviews.serializers.webhooks import (
    CreatedEndpointSerializer,
    DeliverySerializer,
    EndpointInputSerializer,
    EndpointSerializer,
)
from reviews.services.webhooks import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_test,
    webhook_endpoint_update,
)

WEBHOOK_EXAMPLE = {
    "url": "https://tools.example.com/hooks/smarketing",
    "events": ["sla.breach", "kpis.updated"],
    "description": "BI refresh",
}


class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, OrgScopedViewSet
):
    """The organisation's webhook endpoints (admins only, reads too). Each delivery is a POST
    signed after the Standard Webhooks specification (`webhook-id`, `webhook-timestamp`,
    `webhook-signature`: HMAC-SHA256 with the endpoint's secret) of `{"type", "timestamp",
    "data"}`; events: sla.breach, objective.status_changed, plan.activated, plan.at_risk,
    kpis.updated, import.finished. A failed delivery is tried again with growing waits for a
    day; an endpoint failing for a day is disabled and the admins told. Deliveries go only to
    public addresses."""

    model = WebhookEndpoint
    serializer_class = EndpointSerializer
    read_action = Action.MANAGE_WEBHOOKS
    write_action = Action.MANAGE_WEBHOOKS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return super().get_queryset().order_by("created_at", "pk")

    @extend_schema(
        request=EndpointInputSerializer, responses={201: CreatedEndpointSerializer},
        examples=[OpenApiExample("A BI tool", value=WEBHOOK_EXAMPLE, request_only=True)],
    )  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Register an endpoint; the answer holds its secret (`whsec_...`), shown this once.
        At most ten an organisation."""
        body = EndpointInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        endpoint = webhook_endpoint_create(
            organization=request.organization, by=cast(User, request.user),  # type: ignore[attr-defined]
            url=data["url"], events=data["events"], description=data.get("description", ""),
        )  # fmt: skip
        return Response(CreatedEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndpointInputSerializer, responses=EndpointSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the URL, events or description; `"active": true` enables a disabled
        endpoint again (its failures forgotten), false turns it off."""
        endpoint = self.get_object()
        body = EndpointInputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changed = webhook_endpoint_update(endpoint=endpoint, **body.validated_data)
        return Response(EndpointSerializer(changed).data)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        webhook_endpoint_delete(endpoint=instance)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Send the endpoint a `ping` event now (even a disabled one); the answer is its
        delivery, whose result the deliveries list shows a moment later."""
        delivery = webhook_endpoint_test(endpoint=self.get_object(), now=timezone.now())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The endpoint's deliveries, the newest first (kept for WEBHOOKS_LOG_DAYS)."""
        page = self.paginate_queryset(deliveries_of(self.get_object()))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        request=None, responses={202: DeliverySerializer},
        parameters=[OpenApiParameter("delivery_id", int, OpenApiParameter.PATH)],
    )  # fmt: skip
    @action(
        detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]{1,18})/resend"
    )
    def resend(self, request: Request, pk: str | None = None, delivery_id: str = "") -> Response:
        """Try a delivery again now with the same `webhook-id` (the receiver can tell it has
        it); failing, it is retried for a day from now. 400 while its endpoint is disabled."""
        endpoint = self.get_object()
        delivery = get_object_or_404(deliveries_of(endpoint), pk=int(delivery_id))
        delivery.endpoint = endpoint
        webhook_delivery_resend(delivery=delivery, now=timezone.now())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
