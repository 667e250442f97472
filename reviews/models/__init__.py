"""The reviews app's models: what happened and who was told (notifications), and each
member's choices of how to be told; the decisions of the monthly reviews."""

from reviews.models.decisions import ReviewDecision
from reviews.models.notifications import (
    KIND_TOPIC,
    Event,
    Notification,
    Preferences,
    Topic,
)

__all__ = ["KIND_TOPIC", "Event", "Notification", "Preferences", "ReviewDecision", "Topic"]
