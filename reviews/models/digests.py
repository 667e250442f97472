"""Weekly digests sent, one a member a week."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from orgs.models import OrgScopedModel


class DigestSent(OrgScopedModel):
    """The week's digest claimed for one member before it goes (removed if the send fails,
    `sent` once it went; a claim a dead run left unsent is taken again after a while), so
    the hourly run sends each member one digest a week, never two."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # its Monday, in the organisation's time zone
    sent_at = models.DateTimeField(default=timezone.now)  # claimed at, until `sent`
    sent = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "user", "week"], name="digest_once_a_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week}"
