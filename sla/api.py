"""REST endpoints of the SLA: the business calendar, the agreements, a lead's clock and
sales' decision, compliance and breaches."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.selectors import lead_of
from orgs.api_base import OrgScopedViewSet
from orgs.models import User
from orgs.permissions import Action
from sla.clock import LeadClock
from sla.compliance import compliance_of
from sla.models import Agreement, Breach, BusinessCalendar
from sla.presenters import agreement_data, breach_data, compliance_data
from sla.selectors import agreements_of, breaches_of, calendar_of, coming_holidays
from sla.serializers import (
    AgreementCreateSerializer,
    AgreementSerializer,
    AmendSerializer,
    BreachQuerySerializer,
    BreachRecordSerializer,
    CalendarAnswerSerializer,
    CalendarSerializer,
    ComplianceQuerySerializer,
    ComplianceSerializer,
    DecisionSerializer,
    EditSerializer,
    LeadSlaSerializer,
    RejectSerializer,
    SignSerializer,
    TermsSerializer,
)
from sla.services import (
    agreement_amend,
    agreement_create,
    agreement_edit,
    agreement_sign,
    calendar_update,
    lead_accept,
    lead_reject,
    lead_sla,
)
from smarketing.lib.api_conventions import FastJSONRenderer
from smarketing.lib.api_schema import MAY_BE_MISSING

EXAMPLE = {
    "time_zone": "Europe/Rome",
    "working_days": [1, 2, 3, 4, 5],
    "day_start": "09:00",
    "day_end": "18:00",
    "holidays_country": "IT",
    "extra_holidays": ["2027-08-16"],
}


class CalendarView(APIView):
    """The organisation's business calendar: the time SLA response times count (working
    days and hours in its time zone, less public and own holidays). Every member reads it;
    managers and admins set it (`edit_sla`)."""

    write_action = Action.EDIT_SLA

    def _answer(self, calendar: BusinessCalendar) -> Response:
        data: dict[str, Any] = CalendarSerializer(calendar).data
        data["coming_holidays"] = [
            d.isoformat() for d in coming_holidays(calendar, today=timezone.localdate())
        ]
        return Response(data)

    @extend_schema(responses=CalendarAnswerSerializer, operation_id="sla_calendar_retrieve")
    def get(self, request: Request) -> Response:
        return self._answer(calendar_of(request.organization))  # type: ignore[attr-defined]

    @extend_schema(
        request=CalendarSerializer, responses=CalendarAnswerSerializer, operation_id="sla_calendar_update",
        examples=[OpenApiExample("Rome, Monday to Friday", value=EXAMPLE, request_only=True)],
    )  # fmt: skip
    def put(self, request: Request) -> Response:
        body = CalendarSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        calendar = calendar_update(organization=request.organization, **data)  # type: ignore[attr-defined]
        return self._answer(calendar)


@extend_schema_view(
    create=extend_schema(request=AgreementCreateSerializer, responses={201: AgreementSerializer}),
    partial_update=extend_schema(request=EditSerializer, responses=AgreementSerializer),
)
class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """The Sales-Marketing agreements: one per period, each with its versions. Managers (and
    admins) draft, edit a draft (PATCH: the newest version until it is in force; its
    signatures are withdrawn) and amend an agreement in force (a new version with its
    reason). A marketing manager signs for marketing, a sales manager for sales (an admin may
    stand in for either, and it is recorded); once both have signed, the version is in force
    and the earlier one superseded; leadership may countersign. Every member reads them."""

    model = Agreement
    serializer_class = AgreementSerializer
    write_action = Action.EDIT_SLA
    renderer_classes = [FastJSONRenderer]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self) -> Any:
        if self.action == "sign":
            self.write_action = Action.VIEW  # who signs which side: agreement_sign decides
        return super().get_permissions()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        return agreements_of(self.request.organization)  # type: ignore[attr-defined]

    def _answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(agreement_data(self.get_queryset().get(pk=pk)), status=code)

    def _terms(self, serializer_class: type[TermsSerializer]) -> dict[str, Any]:
        organization = self.request.organization  # type: ignore[attr-defined]
        body = serializer_class(data=self.request.data, context={"organization": organization})
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([agreement_data(a) for a in page or []])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(agreement_data(self.get_object()))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        terms = self._terms(AgreementCreateSerializer)
        first, last = terms.pop("first_month"), terms.pop("last_month", None)
        agreement = agreement_create(organization=request.organization, by=cast(User, request.user),  # type: ignore[attr-defined]
                                     first_month=first, last_month=last, terms=terms)  # fmt: skip
        return self._answer(agreement.pk, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        agreement = self.get_object()
        terms = self._terms(EditSerializer)
        reason = terms.pop("reason", None)
        agreement_edit(agreement=agreement, terms=terms, reason=reason)
        return self._answer(agreement.pk)

    @extend_schema(request=AmendSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        """The next version of an agreement in force, with the terms that change and why."""
        agreement = self.get_object()
        terms = self._terms(AmendSerializer)
        reason = terms.pop("reason")
        agreement_amend(
            agreement=agreement, by=cast(User, request.user), reason=reason, terms=terms
        )
        return self._answer(agreement.pk)

    @extend_schema(request=SignSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        """Sign the newest version for one side ({"side": "marketing"}, "sales", or
        "leadership" to countersign one in force); with "fingerprint", only if the terms are
        still the ones read."""
        agreement = self.get_object()
        body = SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            agreement_sign(agreement=agreement, membership=request.membership,  # type: ignore[attr-defined]
                           side=body.validated_data["side"], seen=body.validated_data.get("fingerprint"))  # fmt: skip
        except PermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal) or None) from refusal
        return self._answer(agreement.pk)


class LeadDecisionView(APIView):
    """Base of a lead's accept and reject: the lead of the caller's organisation (404 for
    another's), and the right to decide on MQLs (sales managers, reps and admins)."""

    write_action: Action | None = Action.DECIDE_MQLS
    renderer_classes = [FastJSONRenderer]

    def lead(self, pk: int) -> Any:
        found = lead_of(self.request.organization, pk)  # type: ignore[attr-defined]
        if found is None:
            raise exceptions.NotFound()
        return found

    def answer(self, lead: Any) -> Response:
        now = timezone.now()
        return Response(lead_sla_data(lead_sla(lead.organization, lead, now=now)))


def lead_sla_data(clock: LeadClock) -> dict[str, Any]:
    return {
        "handoff_at": clock.handoff_at,
        "first_touch_at": clock.first_touch_at,
        "response_business_hours": None
        if clock.response_business_hours is None
        else str(clock.response_business_hours),
        "within_window": clock.within_window,
        "attempts": clock.attempts,
        "decision": clock.decision,
        "decision_at": clock.decision_at,
        "reason": clock.reason,
        "breaches": [{"kind": b.kind, "due": b.due} for b in clock.breaches],
    }


class LeadAcceptView(LeadDecisionView):
    @extend_schema(
        request=DecisionSerializer, responses=LeadSlaSerializer, operation_id="lead_accept"
    )
    def post(self, request: Request, pk: int) -> Response:
        """Accept the MQL: it moves to the funnel's stage after the hand-off."""
        lead = self.lead(pk)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = request.membership  # type: ignore[attr-defined]
        lead_accept(lead=lead, membership=membership, note=body.validated_data.get("note", ""))
        return self.answer(self.lead(pk))


class LeadRejectView(LeadDecisionView):
    @extend_schema(
        request=RejectSerializer, responses=LeadSlaSerializer, operation_id="lead_reject"
    )
    def post(self, request: Request, pk: int) -> Response:
        """Reject the MQL with a reason the agreement allows: it goes back to marketing
        (disqualified when it is not a lead to have, recycled otherwise)."""
        lead = self.lead(pk)
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lead_reject(lead=lead, membership=request.membership, **body.validated_data)  # type: ignore[attr-defined]
        return self.answer(self.lead(pk))


class LeadSlaView(LeadDecisionView):
    write_action = None  # a read

    @extend_schema(responses=LeadSlaSerializer, operation_id="lead_sla")
    def get(self, request: Request, pk: int) -> Response:
        """The SLA's view of the lead's latest hand-off: response time in business hours
        (an exact decimal string, null until touched), within the window, attempts, the
        decision and its reason, and the breaches whose deadlines have passed."""
        return self.answer(self.lead(pk))


class ComplianceView(APIView):
    """Compliance with the Sales-Marketing agreement, for both sides: of one month
    (`?month=YYYY-MM`) or of the agreement in force to date. Marketing: MQLs delivered
    against the commitment pro-rated to now (in total and per channel), the share sales
    accepted, the share that fits a buyer persona; sales: response time p50 and p90 in
    business hours, the share touched within the window, attempts, decisions in time, and
    what is overdue now; who owes whom, in one line each; and the shortfall in volume,
    quality and speed turned into customers and revenue through the active plan's rates.
    Read from the figures the background recompute keeps (`computed_at`). 404 without a
    signed agreement for that period. Every member reads it."""

    renderer_classes = [FastJSONRenderer]

    @extend_schema(parameters=[ComplianceQuerySerializer], responses=ComplianceSerializer,
                   operation_id="sla_compliance", extensions=MAY_BE_MISSING)  # fmt: skip
    def get(self, request: Request) -> Response:
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = compliance_of(request.organization, month=query.validated_data.get("month"),  # type: ignore[attr-defined]
                              now=timezone.now())  # fmt: skip
        if found is None:
            raise exceptions.NotFound(_("No signed agreement covers that period."))
        return Response(compliance_data(found))


class BreachListView(ListAPIView):
    """Breaches of the agreement, the latest deadline first: a lead not touched in time,
    without its attempts, or not decided in time (`side=sales`, owned by the lead's owner);
    a month's MQLs behind the commitment by more than its tolerance (`side=marketing`).
    Each is recorded once, when found; `resolved_at` once the lead was touched or decided
    after all. Filters: `side`, `kind`, `open` (true: not resolved), `month`. Every member
    reads them."""

    renderer_classes = [FastJSONRenderer]
    serializer_class = BreachRecordSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Breach.objects.none()
        query = BreachQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return breaches_of(
            self.request.organization, side=data.get("side"), kind=data.get("kind"),  # type: ignore[attr-defined]
            still_open=data.get("open"), month=data.get("month"),
        )  # fmt: skip

    @extend_schema(parameters=[BreachQuerySerializer], operation_id="sla_breaches_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([breach_data(b) for b in page or []])
