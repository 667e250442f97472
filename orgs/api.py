"""REST endpoints of the orgs app: who am I, and the organisation's members."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs import services
from orgs.api_base import OrgScopedViewSet
from orgs.models import ApiToken, Membership
from orgs.permissions import Action, allowed_actions
from orgs.selectors import memberships_of_user
from orgs.serializers import MembershipSerializer, MeSerializer


class MeView(APIView):
    """The caller: user, current organisation, role, what the role allows, all memberships."""

    @extend_schema(responses=MeSerializer, operation_id="me")
    def get(self, request: Request) -> Response:
        membership = request.membership  # type: ignore[attr-defined]
        data = {
            "user": membership.user,
            "organization": membership.organization,
            "role": membership.role,
            "permissions": [str(action) for action in allowed_actions(membership.role)],
            "memberships": memberships_of_user(membership.user),
            "authenticated_by": "token" if isinstance(request.auth, ApiToken) else "session",
        }
        return Response(MeSerializer(data).data)  # type: ignore[arg-type]


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
