"""API shapes of webhooks: an endpoint (its secret only in the answer that creates it), the
body that registers or changes one, and a delivery of the log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from reviews.addresses import MAX_URL_LENGTH
from reviews.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from reviews.models.webhooks import validate_webhook_url

MAX_EVENTS = 20  # names in a body, repeats included: more is not a list of six choices


class EndpointInputSerializer(serializers.Serializer):
    """The body of POST /api/v1/webhooks/ and PATCH /api/v1/webhooks/{id}/."""

    url = serializers.CharField(
        max_length=MAX_URL_LENGTH, trim_whitespace=True,
        help_text="http:// or https://, without a user name or password.",
    )  # fmt: skip
    events = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=MAX_EVENTS,
        help_text="Among: " + ", ".join(WebhookEvent.values) + ".",
    )  # fmt: skip
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    active = serializers.BooleanField(
        required=False, help_text="false turns the endpoint off; true enables it again."
    )

    def validate_url(self, value: str) -> str:
        try:
            validate_webhook_url(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value

    def validate_events(self, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(WebhookEvent.values))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown event %(event)s: choose among %(known)s.")
                % {"event": unknown[0], "known": ", ".join(WebhookEvent.values)}
            )
        return sorted(set(value))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not self.partial and "active" in attrs:
            raise serializers.ValidationError(
                {"active": [_("A new endpoint is active: change it afterwards.")]}
            )
        return attrs


class EndpointSerializer(serializers.ModelSerializer):
    """An endpoint as the API answers it. Its secret is never shown again after creation."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))
    secret_prefix = serializers.SerializerMethodField(
        help_text="The secret's first characters, to tell which one the receiver holds."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "events", "description", "active", "failing_since", "last_success_at",
            "disabled_at", "created_at", "secret_prefix",
        ]  # fmt: skip
        read_only_fields = fields

    def get_secret_prefix(self, endpoint: WebhookEndpoint) -> str:
        return endpoint.secret[:10]


class CreatedEndpointSerializer(EndpointSerializer):
    """The answer to a registration: the endpoint with its whole secret, shown this once."""

    secret = serializers.CharField(
        help_text="whsec_ and base64: verify each delivery's signature with it. Shown once."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """One delivery of the log: its event type (`ping` for a test), its `webhook-id`, status
    (pending while tries remain), tries made and the last one's answer."""

    type = serializers.CharField(source="kind")
    event = serializers.IntegerField(source="event_id", allow_null=True)
    webhook_id = serializers.CharField(source="message_id")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "type", "event", "webhook_id", "status", "attempts", "created_at",
            "last_attempt_at", "next_attempt_at", "response_status", "response_excerpt",
            "error", "duration_ms", "succeeded_at", "payload",
        ]  # fmt: skip
        read_only_fields = fields
