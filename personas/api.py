"""REST endpoints of buyer personas: list, read, create, edit (a new version once approved),
approve one side, archive, the version history; and discovery from the sales history."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.api_base import OrgScopedViewSet
from orgs.models import Membership, User
from orgs.permissions import Action
from personas.discovery import SMALL_SAMPLE
from personas.models import Persona
from personas.selectors import discovery, persona_settings, persona_versions, personas_of
from personas.serializers import (
    ApproveSerializer,
    DiscoveryQuerySerializer,
    PersonaSerializer,
    PersonaSettingsSerializer,
    PersonaWriteSerializer,
    VersionSerializer,
)
from personas.services import (
    persona_approve,
    persona_archive,
    persona_create,
    persona_settings_update,
    persona_update,
)
from smarketing.lib.api_conventions import FastJSONRenderer


@extend_schema_view(
    create=extend_schema(request=PersonaWriteSerializer, responses={201: PersonaSerializer}),
    partial_update=extend_schema(request=PersonaWriteSerializer, responses=PersonaSerializer),
)
class PersonaViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    OrgScopedViewSet,
):
    """The organisation's buyer personas (archived ones left out of the list), each with its
    current version and the approved version that qualifies leads. PATCH edits a draft in
    place; on an approved persona it makes a new draft version, which both teams approve
    again. Marketing and sales managers edit and approve, each for their side; an admin may
    stand in for either side, and the approval says so; other roles read."""

    model = Persona
    serializer_class = PersonaSerializer
    write_action = Action.EDIT_PERSONAS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Persona.objects.none()
        archived = None if self.action != "list" else False
        return personas_of(self.request.organization, archived=archived)  # type: ignore[attr-defined]

    def get_permissions(self) -> Any:
        if self.action == "approve":
            self.write_action = Action.APPROVE_PERSONAS
        return super().get_permissions()

    def _answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        # Read again through the selector: the answer shows what is stored now.
        return Response(PersonaSerializer(self.get_queryset().get(pk=pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = PersonaWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        persona = persona_create(
            organization=request.organization,  # type: ignore[attr-defined]
            by=cast(User, request.user),
            **body.validated_data,
        )
        return self._answer(persona.pk, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        persona = self.get_object()
        body = PersonaWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        persona_update(persona=persona, by=cast(User, request.user), **body.validated_data)
        return self._answer(persona.pk)

    @extend_schema(request=ApproveSerializer, responses=PersonaSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve the current version for one side ({"side": "marketing"} or "sales"; with
        "version", only if that is still the current one). Refused for a side already
        approved, an approved or old version, or by someone who approved the other side."""
        persona = self.get_object()
        body = ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            persona_approve(
                persona=persona,
                membership=cast(Membership, request.membership),  # type: ignore[attr-defined]
                **body.validated_data,
            )
        except PermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal) or None) from refusal
        return self._answer(persona.pk)

    @extend_schema(request=None, responses=PersonaSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        """Archive the persona: readable still, but no longer edited or approved."""
        persona = self.get_object()
        persona_archive(persona=persona)
        return self._answer(persona.pk)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """Every version, newest first, with its criteria and who approved which side when;
        paginated like every list."""
        page = self.paginate_queryset(persona_versions(self.get_object()))
        return self.get_paginated_response(VersionSerializer(page, many=True).data)


DISCOVERY_EXAMPLE = {
    "dimension": ["industry"],
    "start": "2026-01-01",
    "end": None,
    "currency": "EUR",
    "small_sample_below": SMALL_SAMPLE,
    "overall": {
        "value": None,
        "label": "All closed deals",
        "won_revenue": "410000",
        "won_deals": 40,
        "lost_deals": 60,
        "win_rate": "0.4",
        "avg_deal_size": "10250",
        "median_cycle_days": "41.5",
        "customers": 31,
        "repeat_rate": "0.2258",
        "lift": "1",
        "small_sample": False,
    },
    "segments": [
        {
            "value": "Software",
            "label": "Software",
            "won_revenue": "250000",
            "won_deals": 20,
            "lost_deals": 10,
            "win_rate": "0.6667",
            "avg_deal_size": "12500",
            "median_cycle_days": "35",
            "customers": 14,
            "repeat_rate": "0.3571",
            "lift": "1.6667",
            "small_sample": False,
        }
    ],
}


class DiscoveryView(APIView):
    """What the sales history says about the best customers: the won and lost deals (closed
    from `start` to `end`, both included, when given) per value of a dimension, or of a pair
    of them (`dimension=industry,size_band`), highest won revenue first. A deal belongs to
    its company's segment, or its lead's company's where it has none; the country is the
    company's, else the lead's; the channel is the lead's; the product the deal's. Deals
    with no value form the segment whose value is null ("Unknown"). Amounts are in the
    organisation's `currency`; a segment with fewer than `small_sample_below` closed deals
    is a `small_sample`. Every member reads it."""

    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        operation_id="personas_discovery",
        parameters=[DiscoveryQuerySerializer],
        responses=OpenApiTypes.OBJECT,
        examples=[OpenApiExample("By industry", response_only=True, value=DISCOVERY_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        query = DiscoveryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        dimensions, start, end = (
            query.validated_data.get(k) for k in ("dimension", "start", "end")
        )
        organization = request.organization  # type: ignore[attr-defined]
        figures = discovery(organization, dimensions, start=start, end=end)
        return Response(
            {
                "dimension": dimensions,
                "start": start,
                "end": end,
                "currency": organization.currency,
                "small_sample_below": SMALL_SAMPLE,
                **figures,
            }
        )


class PersonaSettingsView(APIView):
    """How the organisation uses its personas: `qualify_new_leads` (off by default) makes a
    new lead that fits an approved persona an MQL by itself. Every member reads; those who
    edit personas change it (PUT or PATCH with {"qualify_new_leads": true})."""

    write_action = Action.EDIT_PERSONAS

    @extend_schema(operation_id="personas_settings_read", responses=PersonaSettingsSerializer)
    def get(self, request: Request) -> Response:
        found = persona_settings(request.organization.pk)  # type: ignore[attr-defined]
        return Response(PersonaSettingsSerializer(found).data)

    @extend_schema(
        operation_id="personas_settings_update",
        request=PersonaSettingsSerializer,
        responses=PersonaSettingsSerializer,
    )
    def put(self, request: Request) -> Response:
        body = PersonaSettingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = persona_settings_update(
            organization=request.organization,  # type: ignore[attr-defined]
            by=cast(User, request.user),
            qualify_new_leads=body.validated_data["qualify_new_leads"],
        )
        return Response(PersonaSettingsSerializer(found).data)

    @extend_schema(
        operation_id="personas_settings_partial_update",
        request=PersonaSettingsSerializer,
        responses=PersonaSettingsSerializer,
    )
    def patch(self, request: Request) -> Response:
        return self.put(request)
