"""REST endpoints of the reviews app: the alignment pulse (its results, the alignment index,
answering it, opening it, its cadence)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.permissions import Action
from reviews.models import Pulse
from reviews.pulse import STATEMENTS
from reviews.pulse_data import overview_data, pulse_data, pulse_head
from reviews.selectors.pulse import (
    alignment_of,
    open_pulse,
    overview_of,
    pulse_of,
    results_of,
    schedule_of,
)
from reviews.serializers.pulse import (
    PulseAnsweredSerializer,
    PulseAnswerSerializer,
    PulseCadenceSerializer,
    PulseHeadSerializer,
    PulseOverviewSerializer,
    PulseResultSerializer,
)
from reviews.services.pulse import pulse_answer, pulse_open, pulse_schedule_set
from smarketing.lib.api_conventions import FastJSONRenderer
from smarketing.lib.api_schema import MAY_BE_MISSING

ANSWER_EXAMPLE = {
    "overlap": 2, "conflict": 1, "projects": 3, "communication": 2, "stuck": 1,
    "comment": "The weekly review helps; the lead form still asks the wrong questions.",
}  # fmt: skip


def _refused(refusal: PermissionDenied) -> exceptions.PermissionDenied:
    return exceptions.PermissionDenied(str(refusal) or None)


class PulseView(APIView):
    """The alignment pulse: the pulse open now (whether the caller answered it, how many of
    each team did), the latest closed pulse's results per team, the alignment index of its
    period with each part, and the last 12 pulses' team scores. A team's results are given
    only after the pulse closed and only if at least `minimum_answers` of its members
    answered; otherwise only how many did. Every member reads it."""

    renderer_classes = [FastJSONRenderer]

    @extend_schema(responses=PulseOverviewSerializer, operation_id="pulse_overview")
    def get(self, request: Request) -> Response:
        now = timezone.now()
        organization = request.organization  # type: ignore[attr-defined]
        found = overview_of(organization, user_id=request.membership.user_id, now=now)  # type: ignore[attr-defined]
        return Response(overview_data(found, now))


class PulseDetailView(APIView):
    """One pulse's results per team (as in the overview) and the alignment index of its
    period. 404 for a pulse of another organisation."""

    renderer_classes = [FastJSONRenderer]

    @extend_schema(responses=PulseResultSerializer, operation_id="pulse_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        organization = request.organization  # type: ignore[attr-defined]
        pulse = pulse_of(organization, pk)
        if pulse is None:
            raise exceptions.NotFound()
        now = timezone.now()
        results = results_of(organization, [pulse], now)[pulse.pk]
        alignment = alignment_of(organization, period=pulse.period, cadence=pulse.cadence,
                                 results=results, now=now)  # fmt: skip
        return Response(pulse_data(pulse, results, alignment, now))


class PulseAnswerView(APIView):
    """Answer the open pulse (or the one named by `pulse`, which must be open): how much
    one agrees with each of the five statements, 1 to 5, and an optional comment of at most
    1,000 characters. Anonymous: the answer is stored with the member's team only; that the
    member answered is stored apart, so nobody answers twice. Marketing and sales members
    answer (`answer_pulse`, and a team: an admin or leadership reads the results instead)."""

    write_action = Action.ANSWER_PULSE
    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        request=PulseAnswerSerializer, responses={201: PulseAnsweredSerializer},
        operation_id="pulse_answer", extensions=MAY_BE_MISSING,
        examples=[OpenApiExample("An answer", value=ANSWER_EXAMPLE, request_only=True)],
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        body = PulseAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        pulse = self._pulse(data.get("pulse"))
        try:
            pulse_answer(pulse=pulse, membership=request.membership,  # type: ignore[attr-defined]
                         scores={c: data[c] for c in STATEMENTS}, comment=data["comment"],
                         now=timezone.now())  # fmt: skip
        except PermissionDenied as refusal:
            raise _refused(refusal) from refusal
        return Response({"pulse": pulse.pk, "answered": True}, status=status.HTTP_201_CREATED)

    def _pulse(self, pk: int | None) -> Pulse:
        organization = self.request.organization  # type: ignore[attr-defined]
        if pk is not None:
            found = pulse_of(organization, pk)
            if found is None:
                raise exceptions.NotFound()
            return found
        running = open_pulse(organization, timezone.now())
        if running is None:
            raise exceptions.ValidationError({"pulse": [_("No pulse is open now.")]})
        return running


class PulseOpenView(APIView):
    """Open the pulse of the current period now (the beat opens it at the period's start in
    the organisation's time zone): it takes answers for 14 days, never past the period's
    end, and its members are told. 400 while another pulse is open or if the period had one.
    Managers and admins (`keep_reviews`)."""

    write_action = Action.KEEP_REVIEWS
    renderer_classes = [FastJSONRenderer]

    @extend_schema(request=None, responses={201: PulseHeadSerializer}, operation_id="pulse_open")
    def post(self, request: Request) -> Response:
        now = timezone.now()
        pulse = pulse_open(organization=request.organization, now=now)  # type: ignore[attr-defined]
        return Response(pulse_head(pulse, now), status=status.HTTP_201_CREATED)


class PulseCadenceView(APIView):
    """How often the pulse opens: `monthly` (the default) or `quarterly`, from the next
    opening on. Every member reads it; managers and admins set it (`keep_reviews`)."""

    write_action = Action.KEEP_REVIEWS
    renderer_classes = [FastJSONRenderer]

    @extend_schema(responses=PulseCadenceSerializer, operation_id="pulse_cadence_retrieve")
    def get(self, request: Request) -> Response:
        return Response({"cadence": schedule_of(request.organization).cadence})  # type: ignore[attr-defined]

    @extend_schema(
        request=PulseCadenceSerializer, responses=PulseCadenceSerializer,
        operation_id="pulse_cadence_update",
    )  # fmt: skip
    def put(self, request: Request) -> Response:
        body = PulseCadenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        schedule = pulse_schedule_set(
            organization=request.organization,  # type: ignore[attr-defined]
            cadence=body.validated_data["cadence"],
        )
        return Response({"cadence": schedule.cadence})
