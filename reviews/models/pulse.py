"""The alignment pulse: how often an organisation asks it, each pulse (one period's), the
members who answered it, and the answers, which know nothing of who gave them."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgScopedModel
from reviews.pulse import COMMENT_LENGTH, HIGHEST, LOWEST, MONTHLY, QUARTERLY, STATEMENTS
from smarketing.lib.months import add_months


class Cadence(models.TextChoices):
    MONTHLY = MONTHLY, _("Monthly")
    QUARTERLY = QUARTERLY, _("Quarterly")


class Team(models.TextChoices):
    """The two teams the pulse asks: a marketing manager is marketing; a sales manager and
    a sales rep are sales. Admins and leadership read the results."""

    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")


class PulseSchedule(OrgScopedModel):
    """How often the organisation's pulse opens (monthly unless a manager chose quarterly):
    the next opening follows it; a pulse already open keeps its period."""

    cadence = models.CharField(
        _("cadence"), max_length=12, choices=Cadence.choices, default=Cadence.MONTHLY
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="pulse_schedule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.cadence}"


class Pulse(OrgScopedModel):
    """One period's pulse (`period` is its first day: a month's, or a quarter's), open to
    answers from `opens_at` until `closes_at`. Its results are read once it closes, so that
    one late answer cannot be told apart by comparing the results before and after it."""

    period = models.DateField(_("period"))
    cadence = models.CharField(_("cadence"), max_length=12, choices=Cadence.choices)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))

    class Meta:
        ordering: ClassVar = ["-period"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "period"], name="pulse_period_once"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="pulse_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.period:%Y-%m} ({self.cadence})"

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    @property
    def last_month(self) -> date:
        return add_months(self.period, 2 if self.cadence == Cadence.QUARTERLY else 0)


class PulseParticipation(OrgScopedModel):
    """That a member answered a pulse, so that nobody answers twice; never what they
    answered (no link to the answer, no time: the pulse's own period is all it says)."""

    # No foreign key in the database (the org-scoped tables' rule, see sla.Scorecard): Django
    # deletes a pulse's rows with it.
    pulse = models.ForeignKey(
        Pulse, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "pulse", "user"], name="pulse_answered_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pulse_id}: {self.user_id}"


def random_id() -> int:
    """A positive 63-bit integer at random (a collision, one in billions of billions, is a
    primary-key error: the answer is refused and can be sent again)."""
    return secrets.randbelow(2**63 - 1) + 1


def _score(name: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        STATEMENTS[name], validators=[MinValueValidator(LOWEST), MaxValueValidator(HIGHEST)]
    )


class PulseAnswer(OrgScopedModel):
    """One member's answers to a pulse: their team, how much they agree with each statement
    (1 to 5) and a comment. Anonymous by construction: no member, no time, and a random id,
    so neither its id nor its order says who gave it or when; read only through the team's
    results, shown at MIN_ANSWERS answers."""

    # Drawn at random, never from the table's sequence: an id in answering order would pair
    # the n-th answer with the n-th member recorded as having answered.
    id = models.BigAutoField(primary_key=True, default=random_id, editable=False)
    # No foreign key in the database (the org-scoped tables' rule, see sla.Scorecard): Django
    # deletes a pulse's rows with it.
    pulse = models.ForeignKey(
        Pulse, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    team = models.CharField(_("team"), max_length=12, choices=Team.choices)
    overlap = _score("overlap")
    conflict = _score("conflict")
    projects = _score("projects")
    communication = _score("communication")
    stuck = _score("stuck")
    comment = models.TextField(
        _("comment"), blank=True, validators=[MaxLengthValidator(COMMENT_LENGTH)]
    )

    class Meta:
        ordering: ClassVar = ["comment"]
        indexes: ClassVar = [
            models.Index(fields=["organization", "pulse", "team"], name="pulse_answer_team_idx")
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{code}__gte": LOWEST, f"{code}__lte": HIGHEST}),
                    name=f"pulse_answer_{code}_on_scale",
                )
                for code in STATEMENTS
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), COMMENT_LENGTH),
                name="pulse_answer_comment_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pulse_id} {self.team}"
