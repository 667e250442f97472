"""What the CRM's models share: bounded dates, money, and external ids unique when set."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from smarketing.lib.bounds import validate_business_date

BOUNDED = [validate_business_date]  # every date a user gives lies within smarketing.lib.bounds
MONEY_DIGITS, MONEY_PLACES = 16, 2  # numeric(16, 2): 14 digits before the point, 2 after


def money_field(verbose_name: StrOrPromise) -> models.DecimalField:
    """An optional amount of money: 14 digits before the point, 2 after."""
    return models.DecimalField(
        verbose_name,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )


def unique_when_set(field: str, name: str, message: StrOrPromise) -> models.UniqueConstraint:
    """`field` is unique within the organisation whenever it is not blank."""
    return models.UniqueConstraint(
        fields=["organization", field],
        condition=~Q(**{field: ""}),
        name=name,
        violation_error_message=message,
    )


DUPLICATE_ID = _("A record with this external id already exists.")


def null_free(*fields: str, prefix: str) -> list[models.Index]:
    """Indexes on optional references, of the rows where they are set: a delete
    of the row referred to, and a filter by it, still find their rows by index, while the
    many rows that refer to nothing (an import's leads, mostly) cost no index entry. Any
    `field = value` implies `field IS NOT NULL`, so the planner uses them for every lookup."""
    return [
        models.Index(
            fields=[field], condition=Q(**{f"{field}__isnull": False}), name=f"{prefix}_{field}_idx"
        )
        for field in fields
    ]
