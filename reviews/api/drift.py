"""REST endpoints of the reviews app: the stored drift of the active plans, and the window
it is measured over."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.selectors import lifecycle_stage_names
from funnel.models import Plan
from orgs.models import User
from orgs.permissions import Action
from reviews.models import PlanDrift
from reviews.selectors.drift import drift_of, drift_settings_of
from reviews.serializers.drift import DriftQuerySerializer, DriftSerializer, DriftSettingsSerializer
from reviews.services.drift import drift_settings_update


class DriftListView(ListAPIView):
    """Each active plan's conversion rates and stage times measured on its latest cohorts,
    with a 95 % interval (Wilson for rates, order statistics for the median days), as the
    last recompute stored them (after KPI changes and each night). A row whose interval
    lies wholly below or above the assumption puts its plan at risk, and says what it means
    in customers and revenue. `?plan=<id>` for one plan."""

    serializer_class = DriftSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return PlanDrift.objects.none()
        organization = self.request.organization  # type: ignore[attr-defined]
        query = DriftQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        plan = None
        if "plan" in query.validated_data:
            plan = get_object_or_404(
                Plan.objects.for_org(organization), pk=query.validated_data["plan"]
            )
        return drift_of(organization, plan=plan)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        organization = getattr(self.request, "organization", None)
        if organization is not None:
            context |= {"stage_names": lifecycle_stage_names(organization),
                        "currency": organization.currency}  # fmt: skip
        return context

    @extend_schema(parameters=[DriftQuerySerializer], operation_id="drift_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class DriftSettingsView(APIView):
    """The window of days whose cohorts drift is measured on (90 by default). Every member
    reads it; plan editors change it (`edit_plans`), and the plans are measured again."""

    write_action = Action.EDIT_PLANS

    @extend_schema(responses=DriftSettingsSerializer, operation_id="drift_settings_retrieve")
    def get(self, request: Request) -> Response:
        found = drift_settings_of(request.organization)  # type: ignore[attr-defined]
        return Response(DriftSettingsSerializer(found).data)

    @extend_schema(
        request=DriftSettingsSerializer, responses=DriftSettingsSerializer,
        operation_id="drift_settings_update",
        examples=[OpenApiExample("Four months", value={"window_days": 120}, request_only=True)],
    )  # fmt: skip
    def put(self, request: Request) -> Response:
        body = DriftSettingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = drift_settings_update(
            organization=request.organization,  # type: ignore[attr-defined]
            by=request.user if isinstance(request.user, User) else None,
            window_days=body.validated_data["window_days"],
        )
        return Response(DriftSettingsSerializer(found).data)
