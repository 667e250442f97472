from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from orgs.models import Membership, Organization, Role, User


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        fields = ["id", "slug", "name", "currency"]


class UserSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name"]


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    user = UserSerializer(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = ["id", "user", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH may leave out fields, but the role is the only thing a PATCH can change.
        if "role" not in attrs:
            raise serializers.ValidationError({"role": [_("Give the member's new role.")]})
        return attrs


class MembershipBriefSerializer(serializers.Serializer[Membership]):
    organization = OrganizationSerializer(read_only=True)
    role = serializers.CharField(read_only=True)


class MeSerializer(serializers.Serializer[Membership]):
    user = UserSerializer(read_only=True)
    organization = OrganizationSerializer(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    permissions = serializers.ListField(child=serializers.CharField(), read_only=True)
    memberships = MembershipBriefSerializer(many=True, read_only=True)
    authenticated_by = serializers.ChoiceField(choices=["token", "session"], read_only=True)
