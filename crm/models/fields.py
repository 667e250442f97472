"""What the CRM's models share: bounded dates, money, and external ids unique when set."""

from __future__ import annotations

import math
import re
from typing import Any

from django.core.exceptions import ValidationError
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


CUSTOM_KEYS = 50  # fields of one record
CUSTOM_LIST = 20  # values of one field
CUSTOM_TEXT = 100  # characters of one value, like the CRM's own text columns
CUSTOM_KEY = re.compile(r"[\w.-]{1,50}")


def validate_custom(value: object) -> None:
    """A record's own fields, as a JSON object: at most 50 names (letters, digits, dots,
    dashes, underscores; no two alike but for case), each a text, number, true or false,
    or a list of at most 20 of them; texts of at most 100 characters."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise ValidationError(_("Give the custom fields as a JSON object."), code="custom")
    if len(value) > CUSTOM_KEYS:
        raise ValidationError(
            _("Give at most %(n)s custom fields.") % {"n": CUSTOM_KEYS}, code="custom"
        )
    seen: set[str] = set()
    for key, item in value.items():
        if not CUSTOM_KEY.fullmatch(key) or key.lower() in seen:
            raise ValidationError(
                _(
                    "Name each custom field once, with up to 50 letters, digits, dots, dashes "
                    "or underscores: not «%(key)s»."
                )
                % {"key": str(key)[:60]},
                code="custom",
            )
        seen.add(key.lower())
        items = item if isinstance(item, list) else [item]
        if len(items) > CUSTOM_LIST or not all(_custom_value(v) for v in items):
            raise ValidationError(
                _(
                    "Field «%(key)s»: give a text of up to %(chars)s characters, a number, true "
                    "or false, or a list of at most %(n)s of them."
                )
                % {"key": key, "chars": CUSTOM_TEXT, "n": CUSTOM_LIST},
                code="custom",
            )


def _custom_value(value: object) -> bool:
    if isinstance(value, str):
        return len(value) <= CUSTOM_TEXT
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, bool | int)


class CustomFields(models.JSONField):
    """A record's own fields, their names stored in lower case: a lead's and its company's
    merge name by name (the lead's taking precedence), as a persona's criterion reads them,
    whatever case each was given in."""

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            value = {str(k).lower(): v for k, v in value.items()}
        return super().get_prep_value(value)


def custom_field() -> CustomFields:
    """A record's own fields (see validate_custom), set through the API; None: none."""
    return CustomFields(
        _("custom fields"), null=True, blank=True, editable=False, validators=[validate_custom]
    )
