"""An organisation's lifecycle and pipeline stages: add, rename, reorder, remove unused ones."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from crm.journal import mark_everything
from crm.models import Deal, Lead, LeadStageChange, LifecycleStage, PipelineStage
from orgs.models import Organization

Stage = LifecycleStage | PipelineStage


@transaction.atomic
def stage_add(
    *, organization: Organization, model: type[Stage], code: str, name: str, is_exit: bool = False
) -> Stage:
    last = model.objects.for_org(organization).aggregate(last=Max("position"))["last"]
    stage = model(
        organization=organization,
        code=code.strip().lower(),
        name=name.strip(),
        position=(last or 0) + 1,
    )
    if isinstance(stage, LifecycleStage):
        stage.is_exit = is_exit
    stage.full_clean()
    stage.save()
    return stage


@transaction.atomic
def stage_update(*, stage: Stage, name: str, position: int, is_exit: bool = False) -> Stage:
    """Rename or move a stage; its code stays, because history refers to it."""
    if isinstance(stage, LifecycleStage):
        if stage.role == LifecycleStage.Role.CUSTOMER and is_exit:
            raise ValidationError(_("The customer stage cannot be an exit: won deals lead there."))
        if (stage.is_exit, stage.position) != (is_exit, position):
            mark_everything(stage.organization_id)  # every count by stage is reshaped
        stage.is_exit = is_exit
    stage.name, stage.position = name.strip(), position
    stage.full_clean()
    stage.save()
    return stage


def stage_in_use(stage: Stage) -> bool:
    if isinstance(stage, LifecycleStage):
        changes = LeadStageChange.objects.for_org(stage.organization).filter(
            Q(from_stage=stage.code) | Q(to_stage=stage.code)
        )
        return (
            Lead.objects.for_org(stage.organization).filter(stage=stage.code).exists()
            or changes.exists()
        )
    return Deal.objects.for_org(stage.organization).filter(pipeline_stage=stage.code).exists()


def stage_removal_refused(stage: Stage) -> str | None:
    """Why the stage cannot be removed, or None when it can."""
    if isinstance(stage, LifecycleStage) and stage.role == LifecycleStage.Role.CUSTOMER:
        return _("The customer stage cannot be removed: won deals lead there.")
    if stage_in_use(stage):
        return _("%(stage)s is in use by records or their history; rename it instead.") % {
            "stage": stage.name
        }
    return None


@transaction.atomic
def stage_delete(*, stage: Stage) -> None:
    if refusal := stage_removal_refused(stage):
        raise ValidationError(refusal)
    if isinstance(stage, LifecycleStage) and not stage.is_exit:
        # Unused, yet counted: a lead that skipped it reached it on the way further.
        mark_everything(stage.organization_id)
    stage.delete()
