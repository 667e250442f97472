"""REST endpoints of buyer personas: list, read, create, edit (a new version once approved),
approve one side, archive, and the version history."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_base import OrgScopedViewSet
from orgs.models import Membership, User
from orgs.permissions import Action
from personas.models import Persona
from personas.selectors import persona_versions, personas_of
from personas.serializers import (
    ApproveSerializer,
    PersonaSerializer,
    PersonaWriteSerializer,
    VersionSerializer,
)
from personas.services import persona_approve, persona_archive, persona_create, persona_update


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
