"""What the lower apps announce (smarketing.lib.events) is recorded here, in their
transaction."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from smarketing.lib.events import Happening, happened


@receiver(happened, dispatch_uid="reviews-record-happening")
def record_happening(sender: Any, happening: Happening, **kwargs: Any) -> None:
    from reviews.services.events import event_record

    event_record(happening)
