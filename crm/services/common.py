from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from orgs.models import Organization


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


def ensure_same_organization(organization: Organization, **related: Model | None) -> None:
    """Refuse links to another organisation's rows, naming the field."""
    for field, obj in related.items():
        if obj is not None and getattr(obj, "organization_id", organization.pk) != organization.pk:
            raise ValidationError({field: _("Not found.")})


def assign(instance: Model, fields: dict[str, Any]) -> list[str]:
    """Set `fields` on `instance`; return the names whose value changed."""
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed
