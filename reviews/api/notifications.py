"""The notification centre over REST: the caller's own notifications (newest first, `unread`
to filter), marking them read, and their choices of how to be told."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.models import User
from orgs.permissions import Action
from reviews.models import Notification, Topic
from reviews.selectors.notifications import inbox_of, preferences_of
from reviews.services.notifications import (
    notification_read,
    notifications_read_all,
    preferences_save,
)
from reviews.words import title


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="The event's type, as webhooks name it.")
    topic = serializers.ChoiceField(choices=Topic.choices)
    title = serializers.CharField(help_text="What happened, in the caller's language.")
    link = serializers.CharField(help_text="The page it is about (a path in the app).")
    data = serializers.DictField(help_text="The event's data, as webhooks receive it.")  # type: ignore[assignment]
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


def notification_data(notification: Notification) -> dict[str, Any]:
    event = notification.event
    return {
        "id": notification.pk, "kind": event.kind, "topic": notification.topic,
        "title": title(event.kind, event.data), "link": event.link, "data": event.data,
        "created_at": notification.created_at, "read_at": notification.read_at,
    }  # fmt: skip


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, help_text="true: only the unread.")


class NotificationListView(ListAPIView):
    """The caller's notifications in this organisation, the newest first."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        query = NotificationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return inbox_of(
            self.request.organization,  # type: ignore[attr-defined]
            cast(User, self.request.user),
            unread_only=bool(query.validated_data.get("unread")),
        )

    @extend_schema(parameters=[NotificationQuerySerializer], operation_id="notifications_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([notification_data(n) for n in page or []])


class NotificationReadView(APIView):
    """Mark one of the caller's notifications read (again: no change)."""

    write_action = Action.VIEW  # one's own notifications, not the organisation's data

    @extend_schema(
        request=None, responses=NotificationSerializer, operation_id="notifications_read"
    )
    def post(self, request: Request, pk: int) -> Response:
        notification = get_object_or_404(
            Notification.objects.for_org(request.organization).select_related("event"),  # type: ignore[attr-defined]
            pk=pk, user=request.user,
        )  # fmt: skip
        notification_read(notification=notification, now=timezone.now())
        return Response(notification_data(notification))


class NotificationReadAllView(APIView):
    """Mark all the caller's unread notifications read."""

    write_action = Action.VIEW

    @extend_schema(
        request=None,
        responses=inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()}),
        operation_id="notifications_read_all",
    )
    def post(self, request: Request) -> Response:
        marked = notifications_read_all(
            organization=request.organization,  # type: ignore[attr-defined]
            user=cast(User, request.user),
            now=timezone.now(),
        )
        return Response({"marked": marked})


class PreferencesSerializer(serializers.Serializer):
    in_app = serializers.ListField(
        child=serializers.ChoiceField(choices=Topic.choices), max_length=len(Topic.choices),
        help_text="The topics shown in the app.",
    )  # fmt: skip
    by_email = serializers.ListField(
        child=serializers.ChoiceField(choices=Topic.choices), max_length=len(Topic.choices),
        help_text="The topics e-mailed.",
    )  # fmt: skip
    weekly_digest = serializers.BooleanField()
    language = serializers.ChoiceField(choices=settings.LANGUAGES)


class PreferencesView(APIView):
    """The caller's choices of how to be told, per topic; the weekly digest; the language
    of their e-mails. PUT replaces them all."""

    write_action = Action.VIEW

    @extend_schema(responses=PreferencesSerializer, operation_id="notifications_preferences_read")
    def get(self, request: Request) -> Response:
        found = preferences_of(request.organization, cast(User, request.user))  # type: ignore[attr-defined]
        return Response(PreferencesSerializer(found).data)

    @extend_schema(
        request=PreferencesSerializer,
        responses=PreferencesSerializer,
        operation_id="notifications_preferences_update",
    )
    def put(self, request: Request) -> Response:
        body = PreferencesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = preferences_save(
            organization=request.organization,  # type: ignore[attr-defined]
            user=cast(User, request.user),
            **body.validated_data,
        )
        return Response(PreferencesSerializer(found).data)
