"""The reviews app's models: what happened and who was told (notifications), and each
member's choices of how to be told; the alignment pulse and its anonymous answers."""

from reviews.models.digests import DigestSent
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

__all__ = [
    "KIND_TOPIC",
    "Cadence",
    "DigestSent",
    "Event",
    "Notification",
    "Preferences",
    "Pulse",
    "PulseAnswer",
    "PulseParticipation",
    "PulseSchedule",
    "Team",
    "Topic",
]
