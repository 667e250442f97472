from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kpis.selectors import GROUP_CHOICES
from smarketing.lib.api_conventions import bounded_date


class KpiQuerySerializer(serializers.Serializer):
    start = bounded_date(required=False, help_text="the first month: this date's month")
    end = bounded_date(required=False, help_text="the last month: this date's month")
    group_by = serializers.ChoiceField(choices=sorted(GROUP_CHOICES), default="month")
    channel = serializers.SlugField(
        required=False, max_length=50, help_text="only this channel's code"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": ["The period must end after it starts."]})
        return attrs
