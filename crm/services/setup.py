from __future__ import annotations

from crm.defaults import CHANNELS, LIFECYCLE_STAGES, PIPELINE_STAGES, STAGE_ROLES
from crm.models import Channel, LifecycleStage, PipelineStage
from orgs.models import Organization


def defaults_ensure(*, organization: Organization) -> None:
    """Give the organisation the default stages and channels it does not have yet."""
    if not LifecycleStage.objects.for_org(organization).exists():
        LifecycleStage.objects.bulk_create(
            LifecycleStage(
                organization=organization,
                code=code,
                name=name,
                position=i,
                is_exit=is_exit,
                role=STAGE_ROLES.get(code, ""),
            )
            for i, (code, name, is_exit) in enumerate(LIFECYCLE_STAGES)
        )
    if not PipelineStage.objects.for_org(organization).exists():
        PipelineStage.objects.bulk_create(
            PipelineStage(organization=organization, code=code, name=name, position=i)
            for i, (code, name) in enumerate(PIPELINE_STAGES)
        )
    if not Channel.objects.for_org(organization).exists():
        Channel.objects.bulk_create(
            Channel(organization=organization, code=code, name=name) for code, name in CHANNELS
        )
