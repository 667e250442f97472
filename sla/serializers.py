"""API shapes of the SLA: the business calendar."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sla.models import MAX_EXTRA_HOLIDAYS
from smarketing.lib.api_conventions import bounded_date


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:00"}
)
class ClockField(serializers.TimeField):
    """A time of day written HH:MM (documented as such: OpenAPI's "time" wants seconds and
    an offset)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], help_text="HH:MM", **kwargs)


class CalendarSerializer(serializers.Serializer):
    """The body of PUT /api/v1/sla/calendar/ (its answer adds the coming holidays)."""

    time_zone = serializers.CharField(max_length=64, help_text="IANA name: Europe/Rome.")
    working_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        min_length=1,
        max_length=7,
        help_text="ISO weekdays, Monday 1 ... Sunday 7.",
    )
    day_start = ClockField()
    day_end = ClockField()
    holidays_country = serializers.CharField(
        max_length=8, allow_blank=True, required=False, default="",
        help_text="ISO 3166 code whose public holidays are not worked: IT.",
    )  # fmt: skip
    extra_holidays = serializers.ListField(
        child=bounded_date(), max_length=MAX_EXTRA_HOLIDAYS, required=False, default=list,
        help_text="The organisation's own days off: YYYY-MM-DD.",
    )  # fmt: skip

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["day_end"] <= attrs["day_start"]:
            raise serializers.ValidationError(
                {"day_end": [_("A working day ends after it starts.")]}
            )
        return attrs


class CalendarAnswerSerializer(CalendarSerializer):
    coming_holidays = serializers.ListField(
        child=serializers.DateField(),
        help_text="Public and own holidays of the next twelve months.",
    )
