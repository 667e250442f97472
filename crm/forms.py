"""Forms for CRM records. Related choices are limited to the member's organisation."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import Activity, Campaign, Channel, Company, Deal, Lead, LifecycleStage
from crm.selectors import related_choices
from orgs.models import Organization
from smarketing.lib.bounds import validate_business_date


class ScopedForm(forms.ModelForm):
    """A model form whose links offer only the organisation's records (crm.selectors)."""

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        for name, field in self.fields.items():
            choices = related_choices(name, organization)
            if choices is not None:
                field.queryset = choices  # type: ignore[attr-defined]
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateTimeInput):
                field.widget = forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                )
            elif isinstance(field.widget, forms.DateInput):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LeadForm(ScopedForm):
    stage = forms.ChoiceField(label=_("Stage"))

    class Meta:
        model = Lead
        fields = [
            "name",
            "email",
            "phone",
            "title",
            "company",
            "country",
            "city",
            "channel",
            "campaign",
            "owner",
            "stage",
            "created_at",
            "external_id",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = LifecycleStage.objects.for_org(self.organization)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [
            (s.code, _(s.name)) for s in stages
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(str(cleaned.get(f) or "").strip() for f in Lead.IDENTITY):
            self.add_error("name", Lead.NO_IDENTITY)
        return cleaned


class DealForm(ScopedForm):
    class Meta:
        model = Deal
        fields = [
            "name",
            "lead",
            "company",
            "owner",
            "product",
            "amount",
            "currency",
            "status",
            "pipeline_stage",
            "created_at",
            "closed_at",
            "lost_reason",
            "external_id",
        ]


class CompanyForm(ScopedForm):
    class Meta:
        model = Company
        fields = [
            "name",
            "industry",
            "employees",
            "annual_revenue",
            "country",
            "parent",
            "external_id",
        ]


class CampaignForm(ScopedForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "channel",
            "start_date",
            "end_date",
            "budget",
            "actual_cost",
            "status",
            "owner",
            "external_id",
        ]


class ChannelForm(ScopedForm):
    code = forms.CharField(
        label=_("Code"), max_length=50, help_text=_("Short name, for example trade_fairs.")
    )

    class Meta:
        model = Channel
        fields = ["code", "name"]


class ActivityForm(ScopedForm):
    class Meta:
        model = Activity
        fields = ["kind", "at", "outcome", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class StageMoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to"))
    at = forms.DateTimeField(
        label=_("When"),
        required=False,
        validators=[validate_business_date],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, organization: Organization, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = LifecycleStage.objects.for_org(organization).exclude(code=current)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [
            (s.code, _(s.name)) for s in stages
        ]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
