"""API shapes of the SLA: the business calendar, the agreement's terms, versions and
signatures."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.selectors import channel_codes
from objectives.serializers import BoundedMonthField
from sla.models import MAX_EXTRA_HOLIDAYS, Breach, RejectionReason, Side
from smarketing.lib.api_conventions import bounded_date

MAX_CHANNELS = 50
PERCENT = partial(
    serializers.DecimalField, max_digits=5, decimal_places=2, min_value=Decimal(0),
    max_value=Decimal(100),
)  # fmt: skip


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


class TermsSerializer(serializers.Serializer):
    """An agreement's terms; on a new agreement, MQLs left out are proposed from the active
    plan. Rates are percentages (70 for 70 %)."""

    mqls_per_month = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)
    channel_mqls = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=10_000_000), required=False,
        help_text='MQLs per month per channel code: {"paid_search": 40}.',
    )  # fmt: skip
    acceptance_rate = PERCENT(required=False)
    fit_share = PERCENT(required=False, allow_null=True)
    shortfall_tolerance = PERCENT(required=False)
    first_touch_hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.25"), max_value=Decimal(720),
        required=False, help_text="Business hours from the hand-off.",
    )  # fmt: skip
    attempts = serializers.IntegerField(min_value=1, max_value=50, required=False)
    attempts_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    decision_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    rejection_reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=RejectionReason.choices), min_length=1,
        max_length=len(RejectionReason.values), required=False,
    )  # fmt: skip

    def validate_channel_mqls(self, value: dict[str, int]) -> dict[str, int]:
        if len(value) > MAX_CHANNELS:
            raise serializers.ValidationError(_("At most %(n)s channels.") % {"n": MAX_CHANNELS})
        known = set(channel_codes(self.context["organization"]))
        unknown = sorted(set(value) - known)
        if unknown:
            raise serializers.ValidationError(
                _("No channel has the code %(code)s here.") % {"code": unknown[0][:50]}
            )
        return value

    def validate_rejection_reasons(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("Name each reason once."))
        return value


class AgreementCreateSerializer(TermsSerializer):
    first_month = BoundedMonthField()
    last_month = BoundedMonthField(required=False)


class AmendSerializer(TermsSerializer):
    reason = serializers.CharField(max_length=2000)


class EditSerializer(TermsSerializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class SignSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)
    fingerprint = serializers.RegexField(
        r"^[0-9a-f]{64}$", required=False,
        help_text="The fingerprint of the terms the signer read: nothing is signed if they changed.",
    )  # fmt: skip


class AgreementSignatureSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)
    by = serializers.CharField()
    stood_in_as_admin = serializers.BooleanField()
    at = serializers.DateTimeField()
    fingerprint = serializers.CharField()


class AgreementVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["draft", "in_force", "superseded"])
    reason = serializers.CharField(allow_blank=True)
    terms = serializers.DictField()
    fingerprint = serializers.CharField()
    in_force_at = serializers.DateTimeField(allow_null=True)
    superseded_at = serializers.DateTimeField(allow_null=True)
    signatures = AgreementSignatureSerializer(many=True)


class AgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_month = serializers.CharField()
    last_month = serializers.CharField()
    in_force_version = serializers.IntegerField(allow_null=True)
    versions = AgreementVersionSerializer(many=True)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class RejectSerializer(DecisionSerializer):
    reason = serializers.ChoiceField(choices=RejectionReason.choices)


class BreachSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["first_touch", "attempts", "decision"])
    due = serializers.DateTimeField()


class LeadSlaSerializer(serializers.Serializer):
    handoff_at = serializers.DateTimeField(allow_null=True)
    first_touch_at = serializers.DateTimeField(allow_null=True)
    response_business_hours = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, help_text='Exact, as "1.25".'
    )
    within_window = serializers.BooleanField(allow_null=True)
    attempts = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=["accepted", "rejected"], allow_null=True)
    decision_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.ChoiceField(choices=RejectionReason.choices, allow_null=True)
    breaches = BreachSerializer(many=True)


SHARE = partial(serializers.DecimalField, max_digits=5, decimal_places=4, allow_null=True,
                help_text="0 to 1; null when there is nothing to measure yet.")  # fmt: skip


class ComplianceQuerySerializer(serializers.Serializer):
    month = BoundedMonthField(required=False)


class ChannelDeliverySerializer(serializers.Serializer):
    channel = serializers.CharField()
    name = serializers.CharField()
    committed = serializers.IntegerField(help_text="MQLs due by now (pro-rated).")
    delivered = serializers.IntegerField()


class MarketingComplianceSerializer(serializers.Serializer):
    committed = serializers.IntegerField(
        help_text="MQLs due by now: each month's commitment, the current month's pro-rated "
        "to the working time gone by."
    )
    delivered = serializers.IntegerField()
    channels = ChannelDeliverySerializer(many=True)
    acceptance_rate = SHARE()
    acceptance_bar = SHARE()
    fit_share = SHARE()
    fit_bar = SHARE()
    breaches = serializers.IntegerField(help_text="Months behind the commitment.")


class SalesBreachCountSerializer(serializers.Serializer):
    first_touch = serializers.IntegerField()
    attempts = serializers.IntegerField()
    decision = serializers.IntegerField()


class SalesComplianceSerializer(serializers.Serializer):
    response_p50_hours = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    response_p90_hours = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    window_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    touched = serializers.IntegerField()
    within_window_share = SHARE()
    attempts_needed = serializers.IntegerField()
    attempts_share = SHARE()
    decided = serializers.IntegerField()
    decided_in_time_share = SHARE()
    untouched_overdue = serializers.IntegerField()
    undecided_overdue = serializers.IntegerField()
    breaches = SalesBreachCountSerializer()


class LossSerializer(serializers.Serializer):
    mqls = serializers.DecimalField(max_digits=12, decimal_places=1)
    customers = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    note = serializers.ChoiceField(choices=["", "no_plan", "not_enough_history"])


class ShortfallSerializer(serializers.Serializer):
    volume = LossSerializer()
    quality = LossSerializer()
    speed = LossSerializer()


class OwesSerializer(serializers.Serializer):
    marketing = serializers.CharField()
    sales = serializers.CharField()


class ComplianceSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    version = serializers.IntegerField()
    month = serializers.CharField(allow_null=True, help_text="YYYY-MM; null: to date.")
    first_month = serializers.CharField()
    last_month = serializers.CharField()
    computed_at = serializers.DateTimeField(allow_null=True)
    currency = serializers.CharField()
    marketing = MarketingComplianceSerializer()
    sales = SalesComplianceSerializer()
    owes = OwesSerializer()
    shortfall = ShortfallSerializer()


class BreachQuerySerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices[:2], required=False)
    kind = serializers.ChoiceField(choices=Breach.Kind.choices, required=False)
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
    month = BoundedMonthField(required=False)


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BreachRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    side = serializers.ChoiceField(choices=Side.choices[:2])
    kind = serializers.ChoiceField(choices=Breach.Kind.choices)
    lead = NamedRefSerializer(allow_null=True)
    owner = NamedRefSerializer(allow_null=True)
    month = serializers.CharField()
    due = serializers.DateTimeField()
    found_at = serializers.DateTimeField()
    delivered = serializers.IntegerField(allow_null=True)
    expected = serializers.IntegerField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    notified_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
