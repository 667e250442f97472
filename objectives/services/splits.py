"""A sales objective split into rep targets that add up exactly to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from objectives.calculations import split
from objectives.metrics import BY_CODE
from objectives.models import Objective, RepTarget, SplitMethod
from objectives.selectors import (
    last_year_shares,
)
from objectives.services.progress import refresh_progress
from orgs.models import Membership, Role

SPLITTABLE_SCOPES = ("", "channel", "campaign")


def objective_split(
    *,
    objective: Objective,
    method: str,
    today: date,
    members: Sequence[Membership] | None = None,
    weights: Mapping[int, Decimal] | None = None,
) -> list[RepTarget]:
    """Split the objective's target among sales reps (`members`, default: the
    organisation's sales reps): in equal shares, by `weights` (membership id -> weight), or
    by each rep's share of last year's figure of the metric. The parts add up exactly to
    the target (whole units for counts, cents for money)."""
    metric = BY_CODE[objective.metric]
    if not metric.per_owner or objective.scope_kind not in SPLITTABLE_SCOPES:
        raise ValidationError({"method": _(
            "%(metric)s is not counted per rep: it cannot be split into rep targets."
        ) % {"metric": metric.name}})  # fmt: skip
    if method not in SplitMethod.values:
        raise ValidationError({"method": _("Choose equal, weights or last_year.")})
    reps = list(members) if members is not None else list(
        Membership.objects.for_org(objective.organization).filter(role=Role.SALES_REP)
        .select_related("user").order_by("user__username")
    )  # fmt: skip
    if not reps:
        raise ValidationError({"members": _("Name the reps to split the target among.")})
    by_id = {m.pk: m for m in reps}
    if method == SplitMethod.WEIGHTS:
        given = weights or {}
        if set(given) - set(by_id) or not any(Decimal(w) > 0 for w in given.values()):
            raise ValidationError(
                {"weights": _("Give a positive weight for some of the reps named.")}
            )
        shares = {pk: Decimal(given.get(pk, 0)) for pk in by_id}
    elif method == SplitMethod.LAST_YEAR:
        shares = last_year_shares(objective.organization, metric, by_id, today=today)
        if not any(shares.values()):
            raise ValidationError({"method": _(
                "None of these reps has any of it in the last twelve months: split equally or "
                "by weights."
            )})  # fmt: skip
    else:
        shares = dict.fromkeys(by_id, Decimal(1))
    parts = split(objective.target, shares, whole=metric.whole)
    with transaction.atomic():
        RepTarget.objects.filter(organization=objective.organization, objective=objective).delete()
        made = RepTarget.objects.bulk_create(
            RepTarget(organization=objective.organization, objective=objective,
                      membership=by_id[pk], target=part)
            for pk, part in parts.items() if part > 0 or method != SplitMethod.WEIGHTS
        )  # fmt: skip
        objective.split_method = method
        objective.save(update_fields=["split_method"])
        refresh_progress(objective, today=today)
    return made
