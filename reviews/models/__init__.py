"""The reviews app's models: what happened and who was told (notifications), each
member's choices of how to be told, the weekly digests sent, each active plan's drift from
its assumptions, the alignment pulse and its anonymous answers, the decisions of the monthly
reviews, and the organisation's webhooks."""

from reviews.models.decisions import ReviewDecision
from reviews.models.digests import DigestSent
from reviews.models.drift import DriftSettings, PlanDrift
from reviews.models.notifications import (
    KIND_TOPIC,
    Event,
    Notification,
    Preferences,
    Topic,
)
from reviews.models.pulse import (
    Cadence,
    Pulse,
    PulseAnswer,
    PulseParticipation,
    PulseSchedule,
    Team,
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
    "Cadence",
    "DigestSent",
    "DriftSettings",
    "Event",
    "Notification",
    "PlanDrift",
    "Preferences",
    "Pulse",
    "PulseAnswer",
    "PulseParticipation",
    "PulseSchedule",
    "ReviewDecision",
    "Team",
    "Topic",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
