"""REST endpoints of shared objectives: the stateless SMART check, list (filtered by status,
owner and shared), read with progress, create, edit, delete, split into rep targets,
propose from a plan, and the joint scorecard."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from objectives.models import Objective
from objectives.presenters import objective_data
from objectives.reasons import explained
from objectives.selectors import members_of, objectives_of, plan_of, scorecard
from objectives.serializers import (
    CheckSerializer,
    FromPlanSerializer,
    ListQuerySerializer,
    ObjectiveInputSerializer,
    ObjectiveSerializer,
    ScorecardQuerySerializer,
    ScorecardSerializer,
    SplitSerializer,
)
from objectives.services import (
    draft_of,
    objective_check,
    objective_create,
    objective_delete,
    objective_split,
    objective_update,
    objectives_from_plan,
)
from orgs.api_base import OrgScopedViewSet
from orgs.models import User
from orgs.permissions import Action
from smarketing.lib.api_conventions import FastJSONRenderer
from smarketing.lib.months import add_months

CHECK_EXAMPLE = {
    "metric": "mqls",
    "target": "1200",
    "first_month": "2027-01",
    "last_month": "2027-06",
    "scope": {"channel": "webinar"},
    "owners": [{"member": 3, "weight": "20"}, {"member": 5, "weight": "15"}],
}


def _today() -> date:
    return timezone.now().date()


class ObjectiveViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, OrgScopedViewSet
):
    """Shared SMART objectives. Every member reads them; marketing and sales managers (and
    admins) create, edit, split and delete them. Targets of rates are in percent, money in
    the organisation's currency, response times in hours, sales cycles in days."""

    model = Objective
    serializer_class = ObjectiveSerializer
    # Answers are plain data (objective_data): orjson writes Decimals as exact strings.
    renderer_classes = [FastJSONRenderer]
    write_action = Action.EDIT_OBJECTIVES
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self) -> Any:
        if self.action == "check":
            self.write_action = Action.VIEW  # a check writes nothing: open to every member
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[Objective]:
        if getattr(self, "swagger_fake_view", False):
            return Objective.objects.none()
        organization = self.request.organization  # type: ignore[attr-defined]
        if self.action != "list":
            return objectives_of(organization)
        query = ListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return objectives_of(organization, **query.validated_data).order_by(
            "first_month", "title", "pk"
        )

    def _data(self, objective: Objective) -> dict[str, Any]:
        return objective_data(objective, self.request.organization.currency)  # type: ignore[attr-defined]

    def _answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(self._data(self.get_queryset().get(pk=pk)), status=code)

    @extend_schema(parameters=[ListQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([self._data(o) for o in page or []])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._data(self.get_object()))

    @extend_schema(request=ObjectiveInputSerializer, responses={201: ObjectiveSerializer},
                   examples=[OpenApiExample("MQLs from webinars", value=CHECK_EXAMPLE, request_only=True)])  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ObjectiveInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objective = objective_create(
            organization=request.organization,  # type: ignore[attr-defined]
            by=cast(User, request.user),
            draft=body.draft(request.organization),  # type: ignore[attr-defined]
            today=_today(),
        )
        return self._answer(objective.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ObjectiveInputSerializer, responses=ObjectiveSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        objective = self.get_object()
        body = ObjectiveInputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        draft = body.draft(request.organization, base=draft_of(objective))  # type: ignore[attr-defined]
        objective_update(objective=objective, draft=draft, today=_today())
        return self._answer(objective.pk)

    def perform_destroy(self, instance: Objective) -> None:
        objective_delete(objective=instance)

    @extend_schema(request=ObjectiveInputSerializer, responses=CheckSerializer,
                   examples=[OpenApiExample("MQLs from webinars", value=CHECK_EXAMPLE, request_only=True)])  # fmt: skip
    @action(detail=False, methods=["post"])
    def check(self, request: Request) -> Response:
        """The SMART check of an objective as given (the body of creating one), letter by
        letter with its reason; nothing is saved. The probability of reaching the target
        resamples the organisation's own months with a fixed seed: the same inputs give the
        same answer."""
        body = ObjectiveInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        organization = request.organization  # type: ignore[attr-defined]
        draft = body.draft(organization)
        found = objective_check(organization=organization, draft=draft, today=_today())
        return Response({"smart": explained(found["smart"], draft.metric, organization.currency),
                         "shared": found["shared"]})  # fmt: skip

    @extend_schema(request=SplitSerializer, responses=ObjectiveSerializer)
    @action(detail=True, methods=["post"])
    def split(self, request: Request, pk: str | None = None) -> Response:
        """Split the target into rep targets that add up exactly to it: "equal", by
        "weights" ({member id: weight}), or by each rep's share of "last_year"'s figure."""
        objective = self.get_object()
        body = SplitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        members = None
        if "members" in body.validated_data:
            found = members_of(objective.organization, body.validated_data["members"])
            missing = set(body.validated_data["members"]) - set(found)
            if missing:
                raise ValidationError(
                    {"members": [_("No such member here: %(id)s.") % {"id": sorted(missing)[0]}]}
                )
            members = list(found.values())
        objective_split(objective=objective, method=body.validated_data["method"], today=_today(),
                        members=members, weights=body.validated_data.get("weights"))  # fmt: skip
        return self._answer(objective.pk)

    @extend_schema(request=FromPlanSerializer, responses={201: ObjectiveSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="from-plan")
    def from_plan(self, request: Request) -> Response:
        """Propose the shared objectives of a plan's period with its figures as targets (won
        revenue, new customers, SQLs; MQLs and leads per channel), without owners yet. What
        the plan already has is not proposed again."""
        body = FromPlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = plan_of(request.organization, body.validated_data["plan"])  # type: ignore[attr-defined]
        if plan is None:
            raise ValidationError({"plan": [_("No such plan here.")]})
        made = objectives_from_plan(plan=plan, by=cast(User, request.user), today=_today())
        rows = self.get_queryset().filter(pk__in=[o.pk for o in made])
        return Response([self._data(o) for o in rows], status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ScorecardQuerySerializer], responses=ScorecardSerializer)
    @action(detail=False, methods=["get"])
    def scorecard(self, request: Request) -> Response:
        """Both teams' objectives of a period side by side (default: this year), the shared
        ones first, and how much of each team's incentive weight sits on shared ones."""
        query = ScorecardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = _today()
        first = query.validated_data.get("first_month") or today.replace(month=1, day=1)
        last = query.validated_data.get("last_month") or add_months(first, 11)
        card = scorecard(request.organization, first=first, last=last)  # type: ignore[attr-defined]
        return Response({
            "first_month": f"{first:%Y-%m}", "last_month": f"{last:%Y-%m}",
            "groups": {k: [self._data(o) for o in v] for k, v in card["groups"].items()},
            "teams": card["teams"],
        })  # fmt: skip
