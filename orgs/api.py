"""REST endpoints of the orgs app: who am I, and the organisation's members."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs import services
from orgs.api_base import OrgScopedViewSet
from orgs.models import ApiToken, Membership, User
from orgs.permissions import Action, allowed_actions
from orgs.selectors import memberships_brief
from orgs.serializers import MembershipSerializer, MeSerializer
from smarketing.lib.api_conventions import FastJSONRenderer


class MeView(APIView):
    """The caller: user, current organisation, role, what the role allows, all memberships."""

    # Every client asks this first and often: the answer is built from what authentication
    # loaded and one values() read, as plain data (MeSerializer documents its shape; built
    # through it, the nested serializers cost twice the rest of the request).
    renderer_classes = [FastJSONRenderer]

    @extend_schema(responses=MeSerializer, operation_id="me")
    def get(self, request: Request) -> Response:
        membership = request.membership  # type: ignore[attr-defined]
        user, organization = cast(User, request.user), membership.organization
        return Response(
            {
                "user": {
                    "id": user.pk,
                    "username": user.username,
                    "email": user.email,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                },
                "organization": {
                    "id": organization.pk,
                    "slug": organization.slug,
                    "name": organization.name,
                    "currency": organization.currency,
                },
                "role": membership.role,
                "permissions": [str(action) for action in allowed_actions(membership.role)],
                "memberships": memberships_brief(user.pk),
                "authenticated_by": "token" if isinstance(request.auth, ApiToken) else "session",
            }
        )


class MemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """Members of the caller's organisation. Admins change roles (PATCH) and remove members;
    new members join by invitation."""

    model = Membership
    serializer_class = MembershipSerializer
    write_action = Action.MANAGE_MEMBERS
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("user").order_by("user__username")

    def perform_update(self, serializer: MembershipSerializer) -> None:  # type: ignore[override]
        assert serializer.instance is not None
        services.membership_change_role(
            membership=serializer.instance, role=serializer.validated_data["role"]
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(membership=instance)
