"""REST endpoints of the reviews app: the monthly review pack and the decisions kept on it."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.api_base import OrgScopedViewSet
from orgs.models import Membership, Organization, User
from orgs.permissions import Action
from orgs.selectors import members_of
from reviews.models import ReviewDecision
from reviews.pack_figures import PackMonths, parse_month
from reviews.selectors.decisions import decision_data, decisions_of
from reviews.selectors.pack import clock_of, pack_calendar, review_pack
from reviews.serializers.pack import (
    ReviewDecisionInputSerializer,
    ReviewDecisionQuerySerializer,
    ReviewDecisionSerializer,
    ReviewDecisionUpdateSerializer,
    ReviewPackSerializer,
)
from reviews.services.decisions import (
    decision_create,
    decision_delete,
    decision_edit,
    decision_mark_done,
)
from smarketing.lib.api_conventions import FastJSONRenderer
from smarketing.lib.formatting import month_label

MONTH_IN_PATH = OpenApiParameter(
    "month", str, OpenApiParameter.PATH, pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM"
)


def _outside(months: PackMonths, month: date | None) -> str:
    return _("No review pack for %(month)s: the packs run from %(first)s to %(last)s.") % {
        "month": month_label(month) if month else _("that month"),
        "first": f"{months.first:%Y-%m}",
        "last": f"{months.last:%Y-%m}",
    }


class ReviewPackView(APIView):
    """The monthly review pack of `month`: plan versus actual along the journey (the month,
    the plan to date, the whole plan), the shared objectives covering it, the SLA's
    scorecard and breaches of the month, each channel's and campaign's leads, MQLs, new
    customers, won revenue, cost, cost per lead and ROI, each active plan's drift as measured
    now (those at risk first), the alignment pulse of the period holding the month (each
    team's results only where the anonymity threshold lets them through) with its period's
    alignment index, and the decisions the review follows up (the last review's, earlier ones
    still open) and takes. Read from stored results. 404 for a month before the organisation's first data or after the current
    one. Every member reads it."""

    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        parameters=[MONTH_IN_PATH], responses=ReviewPackSerializer, operation_id="reviews_pack"
    )
    def get(self, request: Request, month: str) -> Response:
        organization = cast(Organization, request.organization)  # type: ignore[attr-defined]
        clock, months = pack_calendar(organization, timezone.now())
        chosen = parse_month(month)
        if chosen is None or not months.holds(chosen):
            raise exceptions.NotFound(_outside(months, chosen))
        return Response(review_pack(organization, chosen, clock=clock, months=months).data())


class ReviewDecisionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, OrgScopedViewSet
):
    """The decisions of the monthly reviews: what, who sees it through (a member) and by
    when, ticked off when done (PATCH {"done": true}). Every member reads them (`?month=`
    one review's); the marketing and sales managers and admins keep them (`keep_reviews`)."""

    model = ReviewDecision
    serializer_class = ReviewDecisionSerializer
    renderer_classes = [FastJSONRenderer]
    write_action = Action.KEEP_REVIEWS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[ReviewDecision]:
        if getattr(self, "swagger_fake_view", False):
            return ReviewDecision.objects.none()
        organization = self.request.organization  # type: ignore[attr-defined]
        if self.action != "list":
            return decisions_of(organization)
        query = ReviewDecisionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return decisions_of(organization, month=query.validated_data.get("month"))

    def _answer(self, decision: ReviewDecision, code: int = status.HTTP_200_OK) -> Response:
        today = clock_of(decision.organization, timezone.now()).today
        fresh = decisions_of(decision.organization).get(pk=decision.pk)
        return Response(decision_data(fresh, today), status=code)

    def _owner(self, pk: int) -> Membership:
        found = members_of(self.request.organization).filter(pk=pk).first()  # type: ignore[attr-defined]
        if found is None:
            raise exceptions.ValidationError({"owner": [_("No such member here.")]})
        return found

    @extend_schema(parameters=[ReviewDecisionQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        today = clock_of(request.organization, timezone.now()).today  # type: ignore[attr-defined]
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([decision_data(d, today) for d in page or []])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer(self.get_object())

    @extend_schema(request=ReviewDecisionInputSerializer, responses={201: ReviewDecisionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organization = request.organization  # type: ignore[attr-defined]
        body = ReviewDecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        clock, months = pack_calendar(organization, timezone.now())
        if not months.holds(data["month"]):
            raise exceptions.ValidationError({"month": [_outside(months, data["month"])]})
        decision = decision_create(
            organization=organization, month=data["month"], text=data["text"],
            owner=self._owner(data["owner"]), due=data["due"], by=cast(User, request.user),
            today=clock.today,
        )  # fmt: skip
        return self._answer(decision, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewDecisionUpdateSerializer, responses=ReviewDecisionSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        decision = self.get_object()
        body = ReviewDecisionUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if {"text", "owner", "due"} & set(data):
            owner = self._owner(data["owner"]) if "owner" in data else decision.owner
            today = clock_of(decision.organization, timezone.now()).today
            decision_edit(
                decision=decision, text=data.get("text", decision.text), owner=owner,
                due=data.get("due", decision.due), today=today,
            )  # fmt: skip
        if "done" in data:
            decision_mark_done(decision=decision, done=data["done"])
        return self._answer(decision)

    def perform_destroy(self, instance: ReviewDecision) -> None:
        decision_delete(decision=instance)
