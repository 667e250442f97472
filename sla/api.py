"""REST endpoints of the SLA: the business calendar."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.permissions import Action
from sla.models import BusinessCalendar
from sla.selectors import calendar_of, coming_holidays
from sla.serializers import CalendarAnswerSerializer, CalendarSerializer
from sla.services import calendar_update

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
