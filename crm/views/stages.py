"""The organisation's stages, for its admins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.models import LifecycleStage, PipelineStage
from crm.services.stages import Stage, stage_add, stage_delete, stage_update
from orgs.permissions import Action
from orgs.tenancy import MemberRequest, member_required

MODELS: dict[str, type[Stage]] = {"lifecycle": LifecycleStage, "pipeline": PipelineStage}


def _model(kind: str) -> type[Stage]:
    if kind not in MODELS:
        raise Http404
    return MODELS[kind]


@require_GET
@member_required(Action.EDIT_ORGANIZATION)
def stages(request: MemberRequest) -> HttpResponse:
    context = {
        "lifecycle": LifecycleStage.objects.for_org(request.organization),
        "pipeline": PipelineStage.objects.for_org(request.organization),
    }
    return render(request, "crm/stages.html", context)


def _done(request: MemberRequest, action: object) -> HttpResponse:
    try:
        action()  # type: ignore[operator]
        messages.success(request, _("Stages saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ValueError:
        messages.error(request, _("Position must be a whole number."))
    return redirect("crm-stages")


@require_POST
@member_required(Action.EDIT_ORGANIZATION)
def stage_create(request: MemberRequest, kind: str) -> HttpResponse:
    model, data = _model(kind), request.POST
    return _done(
        request,
        lambda: stage_add(
            organization=request.organization,
            model=model,
            code=data.get("code", ""),
            name=data.get("name", ""),
            is_exit=data.get("is_exit") == "on",
        ),
    )


@require_POST
@member_required(Action.EDIT_ORGANIZATION)
def stage_change(request: MemberRequest, kind: str, pk: int) -> HttpResponse:
    stage = get_object_or_404(_model(kind).objects.for_org(request.organization), pk=pk)
    data = request.POST
    if data.get("delete"):
        return _done(request, lambda: stage_delete(stage=stage))
    return _done(
        request,
        lambda: stage_update(
            stage=stage,
            name=data.get("name", ""),
            position=int(data.get("position", "")),
            is_exit=data.get("is_exit") == "on",
        ),
    )
