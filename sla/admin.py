"""Staff read the SLA here: agreements with their versions and signatures, the calendars,
sales' decisions and the breaches. Every change goes through the pages or the API, whose
services fingerprint, lock, sign and recompute compliance: nothing here writes."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sla.models import Agreement, AgreementVersion, Breach, BusinessCalendar, Decision, Signature


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = AgreementVersion
    extra = 0
    fields = ("number", "mqls_per_month", "first_touch_hours", "attempts", "decision_days",
              "in_force_at", "superseded_at", "reason")  # fmt: skip
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnly):
    list_display = ("__str__", "organization", "first_month", "last_month", "created_at")
    list_filter = ("organization",)
    inlines = (VersionInline,)


@admin.register(Signature)
class SignatureAdmin(ReadOnly):
    list_display = ("version", "organization", "side", "by_name", "stood_in_as_admin", "at")
    list_filter = ("organization", "side")


@admin.register(BusinessCalendar)
class CalendarAdmin(ReadOnly):
    list_display = ("organization", "time_zone", "day_start", "day_end", "holidays_country")


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    list_display = ("lead", "organization", "outcome", "reason", "by", "at")
    list_filter = ("organization", "outcome", "reason")
    raw_id_fields = ("lead",)


@admin.register(Breach)
class BreachAdmin(ReadOnly):
    list_display = ("key", "organization", "side", "kind", "due", "owner", "resolved_at",
                    "notified_at", "escalated_at")  # fmt: skip
    list_filter = ("organization", "side", "kind")
    raw_id_fields = ("lead",)
