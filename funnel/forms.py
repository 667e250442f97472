"""The plan editor: the plan's period and mode, and the calculator's inputs as form fields."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from funnel.models import Plan
from smarketing.lib.bounds import check_period, validate_business_date
from smarketing.lib.months import MONTH_INPUT, month_start


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month input), stored as its first day."""

    widget = forms.DateInput(attrs={"type": "month"})
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_validators = [validate_business_date]

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, str) and value.strip() and not MONTH_INPUT.fullmatch(value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        found = super().to_python(value)
        return month_start(found) if found else None

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, date) else value


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    first_month = MonthField(label=_("First month"))
    last_month = MonthField(label=_("Last month"))
    mode = forms.ChoiceField(label=_("Assumptions"), choices=Plan.Mode.choices)
    revenue_goal = forms.DecimalField(label=_("Revenue goal"), min_value=0, required=False)
    baseline_revenue = forms.DecimalField(label=_("Baseline revenue"), min_value=0, required=False)
    growth_pct = forms.DecimalField(label=_("Growth %"), required=False)
    average_deal_size = forms.DecimalField(
        label=_("Average deal size"),
        required=False,
        help_text=_("Blank in learned mode: the average of the last 12 months' won deals."),
    )

    def __init__(self, *args: Any, stages: list[str], channels: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.stages, self.channels = stages, channels
        self.pairs = [f"{a}->{b}" for a, b in itertools.pairwise(stages)]
        for i, pair in enumerate(self.pairs):
            self.fields[f"rate_{i}"] = forms.DecimalField(label=pair, required=False)
            self.fields[f"days_{i}"] = forms.DecimalField(label=pair, required=False, min_value=0)
        for code in channels:
            self.fields[f"share_{code}"] = forms.DecimalField(label=code, required=False)
            self.fields[f"cpl_{code}"] = forms.DecimalField(label=code, required=False, min_value=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            check_period(data.get("first_month"), data.get("last_month"), field="last_month")
        except ValidationError as error:
            self.add_error(None, error)
        return data

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"rate_{i}"], self[f"days_{i}"]) for i, p in enumerate(self.pairs)]

    def channel_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"share_{c}"], self[f"cpl_{c}"]) for c in self.channels]

    def inputs(self) -> dict[str, Any]:
        """The calculator's body from the cleaned fields: blanks are left for learning."""
        data = self.cleaned_data
        body: dict[str, Any] = {"stages": self.stages}
        for name in ("revenue_goal", "baseline_revenue", "growth_pct", "average_deal_size"):
            if data.get(name) is not None:
                body[name] = str(data[name])
        rates = [data.get(f"rate_{i}") for i in range(len(self.pairs))]
        if any(r is not None for r in rates):
            body["conversion_rates"] = [str(r) if r is not None else "" for r in rates]
        days = [data.get(f"days_{i}") for i in range(len(self.pairs))]
        if any(d is not None for d in days):
            body["stage_days"] = [str(d if d is not None else 0) for d in days]
        channels = [
            {"code": c, "share": str(data[f"share_{c}"])}
            | ({"cost_per_lead": str(data[f"cpl_{c}"])} if data.get(f"cpl_{c}") is not None else {})
            for c in self.channels
            if data.get(f"share_{c}") is not None
        ]
        if channels:
            body["channels"] = channels
        return body

    @classmethod
    def initial_from(cls, plan: Plan) -> dict[str, Any]:
        given = plan.inputs
        initial: dict[str, Any] = {
            "name": plan.name,
            "first_month": plan.first_month,
            "last_month": plan.last_month,
            "mode": plan.mode,
        } | {
            k: given.get(k)
            for k in ("revenue_goal", "baseline_revenue", "growth_pct", "average_deal_size")
        }
        for i, rate in enumerate(given.get("conversion_rates") or []):
            initial[f"rate_{i}"] = rate
        for i, days in enumerate(given.get("stage_days") or []):
            initial[f"days_{i}"] = days
        for channel in given.get("channels") or []:
            initial[f"share_{channel['code']}"] = channel.get("share")
            initial[f"cpl_{channel['code']}"] = channel.get("cost_per_lead")
        return initial
