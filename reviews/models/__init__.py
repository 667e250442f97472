"""The reviews app's models: what happened and who was told (notifications), and each
member's choices of how to be told."""

from reviews.models.digests import DigestSent
from reviews.models.notifications import (
    KIND_TOPIC,
    Event,
    Notification,
    Preferences,
    Topic,
)

__all__ = ["KIND_TOPIC", "DigestSent", "Event", "Notification", "Preferences", "Topic"]
