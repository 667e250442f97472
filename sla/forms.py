"""The SLA's page forms: the agreement's terms as a manager fills them in (MQLs per channel
one input a channel, rates in percent, rejection reasons as boxes to tick), the first month
of a new agreement, the side to sign, the business calendar, and what the scorecard and the
breaches are read for. The services hold the
rules; their refusals are placed beside the field they name (place_errors)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from babel import Locale
from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from funnel.forms import MonthField
from sla.models import (
    MAX_EXTRA_HOLIDAYS,
    AgreementVersion,
    Breach,
    BusinessCalendar,
    RejectionReason,
    Side,
    holiday_countries,
    time_zone_names,
)
from smarketing.lib.months import ISO_DAY

CHANNEL_PREFIX = "channel_"
DECIMAL_INPUT = {"step": "any", "inputmode": "decimal"}


def plain(value: object) -> object:
    """A stored figure as an input shows it: 70, 12.5 (not 70.00)."""
    if not isinstance(value, Decimal | str) or value == "":
        return value
    amount = Decimal(str(value))
    return (
        amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()
    )


def _percent(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=Decimal(0), max_value=Decimal(100), max_digits=5,
        decimal_places=2, widget=forms.NumberInput(attrs=DECIMAL_INPUT), **kwargs,
    )  # fmt: skip


def _days(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=90)


class TermsForm(forms.Form):
    """A version's terms: marketing's MQLs (in total and per channel, one input for each of
    the organisation's channels) and their quality, sales' response times and the reasons a
    rejection may give; with `reason` "required" (an amendment) or "optional" (a draft
    amendment edited), why the agreement changes."""

    mqls_per_month = forms.IntegerField(
        label=_("MQLs per month, in total"), min_value=0, max_value=10_000_000
    )
    acceptance_rate = _percent(_("Share sales accepts (%)"))
    fit_share = _percent(
        _("Share that fits an approved buyer persona (%)"),
        required=False,
        help_text=_("Blank: no promise about fit."),
    )
    shortfall_tolerance = _percent(
        _("Shortfall tolerated before a month is a breach (%)"),
        help_text=_(
            "With 10, a month that brings at least 90 in 100 of the MQLs promised is kept."
        ),
    )
    first_touch_hours = forms.DecimalField(
        label=_("First touch within (business hours)"), min_value=Decimal("0.25"),
        max_value=Decimal(720), max_digits=6, decimal_places=2,
        widget=forms.NumberInput(attrs=DECIMAL_INPUT),
    )  # fmt: skip
    attempts = forms.IntegerField(label=_("Attempts, at least"), min_value=1, max_value=50)
    attempts_days = _days(_("Attempts within (business days)"))
    decision_days = _days(_("Accept or reject within (business days)"))
    rejection_reasons = forms.MultipleChoiceField(
        label=_("Reasons a rejection may give"),
        choices=RejectionReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Keep at least one reason.")},
    )

    def __init__(
        self, *args: Any, channel_names: Mapping[str, str], reason: str | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.channel_errors: list[str] = []
        known = dict(channel_names)
        for code in self.initial.get("channel_mqls") or {}:
            known.setdefault(code, code)  # a channel since removed keeps its input
        self.channel_codes = sorted(known, key=lambda code: str(known[code]).lower())
        for code in self.channel_codes:
            self.fields[CHANNEL_PREFIX + code] = forms.IntegerField(
                label=known[code], required=False, min_value=0, max_value=10_000_000
            )
            self.initial.setdefault(
                CHANNEL_PREFIX + code, (self.initial.get("channel_mqls") or {}).get(code)
            )
        if reason is not None:
            self.fields["reason"] = forms.CharField(
                label=_("Why the agreement changes"), max_length=2000,
                required=reason == "required", widget=forms.Textarea(attrs={"rows": 3}),
            )  # fmt: skip

    @classmethod
    def initial_from(cls, terms: Mapping[str, Any]) -> dict[str, Any]:
        return {name: plain(value) for name, value in terms.items()}

    def channels(self) -> list[forms.BoundField]:
        return [self[CHANNEL_PREFIX + code] for code in self.channel_codes]

    def terms_fields(self) -> list[forms.BoundField]:
        """The inputs of each team's commitments, in the order the page shows them."""
        return [self[name] for name in self.fields if not name.startswith(CHANNEL_PREFIX)]

    def terms(self) -> dict[str, Any]:
        """The terms as the services take them: a channel left blank promises nothing."""
        data = self.cleaned_data
        chosen = {name: data[name] for name in AgreementVersion.TERMS if name in data}
        chosen["channel_mqls"] = {
            code: data[CHANNEL_PREFIX + code]
            for code in self.channel_codes
            if data.get(CHANNEL_PREFIX + code)
        }
        return chosen


class DraftForm(TermsForm):
    """A new agreement: its first month (it lasts a year) and its terms."""

    first_month = MonthField(
        label=_("First month"), help_text=_("The agreement runs for twelve months from it.")
    )

    field_order = ["first_month"]
    proposed = False  # whether the active plan proposed its MQLs


class SignForm(forms.Form):
    """A sign button: the side, and the fingerprint of the terms the page showed."""

    side = forms.ChoiceField(choices=Side.choices)
    fingerprint = forms.RegexField(r"^[0-9a-f]{64}$")


def place_errors(error: ValidationError, form: forms.Form) -> None:
    """Show a service's refusal beside the field it names; the channels' total beside the
    channels; anything else at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        if key == "channel_mqls" and isinstance(form, TermsForm):
            form.channel_errors.extend(messages)
        elif key in form.fields:
            form.add_error(key, messages)
        else:
            form.add_error(None, messages)


# --- the business calendar ---


@lru_cache(maxsize=8)
def _countries(language: str) -> list[tuple[str, str]]:
    """The countries whose public holidays are known, by their name in `language`."""
    names = Locale.parse(to_locale(language)).territories
    found = [(code, names.get(code, code)) for code in holiday_countries()]
    return sorted(found, key=lambda pair: pair[1])


def country_choices() -> list[tuple[str, str]]:
    return _countries(get_language() or "en")


def country_name(code: str) -> str:
    return dict(country_choices()).get(code, code)


def weekday_name(day: int) -> str:
    """An ISO weekday (Monday 1) by name, in the active language."""
    return str(WEEKDAYS[day - 1])


class CalendarForm(forms.Form):
    """The business calendar: time zone, working days and hours, holidays."""

    time_zone = forms.ChoiceField(label=_("Time zone"))
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        coerce=int,
        choices=[(day, WEEKDAYS[day - 1]) for day in range(1, 8)],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one working day.")},
    )
    day_start = forms.TimeField(
        label=_("Working day starts"),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    day_end = forms.TimeField(
        label=_("Working day ends"),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    holidays_country = forms.ChoiceField(label=_("Public holidays of"), required=False)
    extra_holidays = forms.CharField(
        label=_("The organisation's own holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One date a line, like 2027-08-16."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = sorted(time_zone_names())
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [
            (zone, zone.replace("_", " ")) for zone in zones
        ]
        cast(forms.ChoiceField, self.fields["holidays_country"]).choices = [
            ("", _("None: work through public holidays")),
            *country_choices(),
        ]

    @classmethod
    def initial_from(cls, calendar: BusinessCalendar) -> dict[str, Any]:
        return {
            "time_zone": calendar.time_zone,
            "working_days": list(calendar.working_days),
            "day_start": calendar.day_start,
            "day_end": calendar.day_end,
            "holidays_country": calendar.holidays_country,
            "extra_holidays": "\n".join(d.isoformat() for d in calendar.extra_holidays or []),
        }

    def clean_extra_holidays(self) -> list[date]:
        lines = [line.strip() for line in self.cleaned_data["extra_holidays"].splitlines()]
        days = []
        for line in filter(None, lines):
            try:
                if not ISO_DAY.fullmatch(line):
                    raise ValueError(line)
                days.append(date.fromisoformat(line))
            except ValueError:
                raise ValidationError(
                    _("«%(line)s» is not a date like 2027-08-16."), params={"line": line[:40]}
                ) from None
        if len(days) > MAX_EXTRA_HOLIDAYS:
            raise ValidationError(
                _("At most %(n)s holidays of your own."), params={"n": MAX_EXTRA_HOLIDAYS}
            )
        return days

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("day_start"), data.get("day_end")
        if start and end and end <= start:
            self.add_error("day_end", _("A working day ends after it starts."))
        return data


class DecideForm(forms.Form):
    """The queue's decision on one lead or the leads ticked."""

    leads = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.ChoiceField(choices=[("", "—"), *RejectionReason.choices], required=False)
    note = forms.CharField(max_length=1000, required=False)

    MAX_LEADS = 200

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any ids: the queue's own check is the service's (a lead no longer waiting is refused).
        self.fields["leads"].valid_value = lambda value: str(value).isdigit()  # type: ignore[attr-defined]

    def clean_leads(self) -> list[int]:
        leads = self.cleaned_data["leads"]
        if len(leads) > self.MAX_LEADS:
            raise ValidationError(
                _("Decide on at most %(n)s leads at once.") % {"n": self.MAX_LEADS}
            )
        return leads

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not data.get("reason"):
            self.add_error("reason", _("Choose why the MQLs are rejected."))
        return data


# --- compliance ---

MONTH_ERROR = _("Enter a month like 2026-03.")


class ScorecardMonthForm(forms.Form):
    """The month a scorecard is read for; blank: the agreement to date."""

    month = MonthField(label=_("Period"), required=False, error_messages={"invalid": MONTH_ERROR})

    def clean_month(self) -> date | None:
        month = self.cleaned_data["month"]
        return month.replace(day=1) if month else None


class BreachFilterForm(forms.Form):
    """The breaches' filters, as the API's list takes them, and the reader's own."""

    side = forms.ChoiceField(
        label=_("Side"), required=False, choices=[("", _("Both sides")), *Side.choices[:2]]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Breach.Kind.choices]
    )
    open = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Open and resolved")), ("true", _("Open")), ("false", _("Resolved"))],
    )
    month = MonthField(label=_("Month"), required=False, error_messages={"invalid": MONTH_ERROR})
    mine = forms.BooleanField(label=_("Mine only"), required=False)

    def filters(self) -> dict[str, Any]:
        """The cleaned filters as sla.selectors.breaches_of takes them (without the owner)."""
        data = self.cleaned_data
        return {
            "side": data.get("side") or None,
            "kind": data.get("kind") or None,
            "still_open": {"true": True, "false": False}.get(data.get("open") or ""),
            "month": data["month"].replace(day=1) if data.get("month") else None,
        }
