"""The reviews app's models: what happened and who was told (notifications), and each
member's choices of how to be told; each active plan's drift from its assumptions."""

from reviews.models.drift import DriftSettings, PlanDrift
from reviews.models.notifications import (
    KIND_TOPIC,
    Event,
    Notification,
    Preferences,
    Topic,
)

__all__ = [
    "KIND_TOPIC",
    "DriftSettings",
    "Event",
    "Notification",
    "PlanDrift",
    "Preferences",
    "Topic",
]
