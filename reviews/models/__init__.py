"""The reviews app's models: what happened and who was told (notifications), each
member's choices of how to be told, and the organisation's webhooks."""

from reviews.models.notifications import (
    KIND_TOPIC,
    Event,
    Notification,
    Preferences,
    Topic,
)
from reviews.models.webhooks import (
    MAX_ENDPOINTS,
    PING,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "KIND_TOPIC",
    "MAX_ENDPOINTS",
    "PING",
    "Event",
    "Notification",
    "Preferences",
    "Topic",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
