"""What the managers decided at a monthly review: a short list each pack keeps, each
decision with its owner and due date, ticked off when done."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgScopedModel
from smarketing.lib.bounds import validate_business_date

DECISION_LENGTH = 500  # characters: a decision is a sentence or two, not minutes
MAX_DECISIONS = 30  # a review's list: short enough to be read out and followed up
MAX_DUE_DAYS = 731  # a due date more than two years away is a typo, not a plan


class ReviewDecision(OrgScopedModel):
    """One decision taken at the review of `month` (its first day): what, who sees it
    through (a member of the organisation; none once they leave it) and by when. The next
    month's pack lists it with its state, so the managers follow it up together."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        OVERDUE = "overdue", _("overdue")
        DONE = "done", _("done")

    month = models.DateField(_("review of"), validators=[validate_business_date])
    text = models.CharField(_("decision"), max_length=DECISION_LENGTH)
    owner = models.ForeignKey(
        "orgs.Membership", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("owner"),
    )  # fmt: skip
    due = models.DateField(_("due"), validators=[validate_business_date])
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering: ClassVar = ["month", "due", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(month__day=1), name="review_decision_month_first_day"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "month"], name="review_decision_month_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    def state(self, today: date) -> ReviewDecision.State:
        """Done, overdue (its due date passed without it) or open."""
        if self.done_at is not None:
            return self.State.DONE
        return self.State.OVERDUE if self.due < today else self.State.OPEN
