"""The persona editor's forms: the profile, and the criteria as rows a person fills in (a
kind, its values one per line or separated by commas, or a minimum and a maximum, and a
weight), turned into the criteria personas.services takes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from personas.calculations import (
    MAX_CRITERIA,
    MAX_WEIGHT,
    RANGE_KINDS,
    CriterionError,
    Kind,
    clean_params,
)
from personas.discovery import DIMENSIONS
from personas.models import KIND_CHOICES, PersonaVersion
from smarketing.lib.bounds import validate_business_date

LONG_TEXTS = {"goals", "pains", "whereabouts"}
CRITERIA_PREFIX = "criteria"
# Where an error about a criterion's parameters is shown: the part of params it names.
PARAM_FIELDS = {
    "params.values": "values",
    "params.field": "field",
    "params.min": "minimum",
    "params.max": "maximum",
    "params": None,  # the row as a whole
    "kind": "kind",
    "weight": "weight",
}


class PersonaForm(forms.Form):
    """A version's profile and threshold, as PersonaVersion's fields check them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = forms.fields_for_model(
            PersonaVersion,
            fields=PersonaVersion.PROFILE_FIELDS,
            widgets={name: forms.Textarea(attrs={"rows": 3}) for name in LONG_TEXTS},
        )
        for name, field in fields.items():
            self.fields[name] = field
        threshold = self.fields["threshold"]
        threshold.widget.attrs.update({"min": 0, "max": 100})
        threshold.help_text = _(
            "A lead fits when its fit score (0 to 100, the weighted share of the criteria "
            "it meets) is at least this."
        )

    @classmethod
    def initial_from(cls, version: PersonaVersion) -> dict[str, Any]:
        return {name: getattr(version, name) for name in PersonaVersion.PROFILE_FIELDS}


def split_values(text: str) -> list[str]:
    """The values a person typed: one per line, or on one line separated by commas (so a
    value with a comma in it goes on a line of its own)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1:
        lines = [part.strip() for part in lines[0].split(",")]
    return [value for value in lines if value]


class CriterionForm(forms.Form):
    """One criterion as a person fills it in. Only the inputs its kind reads count: values
    for lists and title words, the field's name and values for a custom field, a minimum
    and a maximum for ranges."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=KIND_CHOICES,
        widget=forms.Select(attrs={"class": "kind"}),
    )
    values = forms.CharField(
        label=_("Values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, or separated by commas."),
    )
    field = forms.CharField(
        label=_("Field name"),
        required=False,
        max_length=200,
        help_text=_("The custom field of the lead or its company."),
    )
    minimum = forms.CharField(
        label=_("Minimum"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    maximum = forms.CharField(
        label=_("Maximum"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Leave one end blank for no limit."),
    )
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=MAX_WEIGHT,
        initial=1,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if not kind:
            return data
        try:
            data["params"] = clean_params(kind, self.raw_params(kind, data))
        except CriterionError as error:
            self.add_error(PARAM_FIELDS.get(error.field), error.message)
        return data

    @staticmethod
    def raw_params(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
        if Kind(kind) in RANGE_KINDS:
            return {"min": _amount(data.get("minimum")), "max": _amount(data.get("maximum"))}
        params: dict[str, Any] = {"values": split_values(data.get("values") or "")}
        if kind == Kind.CUSTOM_FIELD:
            params["field"] = data.get("field") or ""
        return params

    def criterion(self) -> dict[str, Any]:
        """The criterion as personas.services takes it (the form is valid)."""
        return {
            "kind": self.cleaned_data["kind"],
            "weight": self.cleaned_data["weight"],
            "params": self.cleaned_data["params"],
        }

    @staticmethod
    def initial_from(criterion: Mapping[str, Any]) -> dict[str, Any]:
        """A stored criterion (kind, weight, params) as the row shows it."""
        params = criterion["params"] or {}
        return {
            "kind": criterion["kind"],
            "weight": criterion["weight"],
            "values": "\n".join(params.get("values", [])),
            "field": params.get("field", ""),
            "minimum": params.get("min") or "",
            "maximum": params.get("max") or "",
        }


def _amount(raw: object) -> str | None:
    """An amount as typed, with the spaces, apostrophes and underscores people put
    between thousands left out (a comma or a dot stays: what it means differs between
    languages, so clean_params refuses what is not a plain number)."""
    text = re.sub(r"[\s'_\u00a0\u202f]", "", str(raw or ""))
    return text or None


CriteriaFormSet = forms.formset_factory(
    CriterionForm,
    extra=0,
    max_num=MAX_CRITERIA,
    validate_max=True,
    absolute_max=MAX_CRITERIA + 1,
)


def criteria_chosen(formset: forms.BaseFormSet[CriterionForm]) -> list[dict[str, Any]]:
    """The criteria of a valid formset, as personas.services takes them."""
    return [form.criterion() for form in formset.forms]


def rows_typed(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The criteria rows as typed in a posted editor (for adding or removing one without
    checking the others): their fields' raw values, in order."""
    try:
        count = int(data.get(f"{CRITERIA_PREFIX}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        count = 0
    names = list(CriterionForm.base_fields)
    return [
        {name: str(data.get(f"{CRITERIA_PREFIX}-{i}-{name}", "")) for name in names}
        for i in range(max(0, min(count, MAX_CRITERIA + 1)))
    ]


def place_errors(
    error: ValidationError, profile: forms.Form, criteria: Sequence[forms.Form]
) -> forms.Form | None:
    """Show a service's refusal beside what it names: a profile field ("threshold"), a
    criterion's part ("criteria[2].params.values", "criteria[0].kind"), else at the top of
    the profile form. Returns the form it went to."""
    if not hasattr(error, "error_dict"):
        profile.add_error(None, error.messages)
        return profile
    for key, messages in error.message_dict.items():
        found = re.fullmatch(r"criteria\[(\d+)\]\.(.+)", key)
        if found and int(found.group(1)) < len(criteria):
            form = criteria[int(found.group(1))]
            field = PARAM_FIELDS.get(found.group(2))
            form.add_error(field if field in form.fields else None, messages)
        elif key in profile.fields:
            profile.add_error(key, messages)
        else:
            profile.add_error(None, messages)
    return profile


def dimension_choices() -> list[tuple[str, str]]:
    """Discovery's dimensions as people read them."""
    names = {
        "industry": _("Industry"),
        "size_band": _("Company size (employees)"),
        "revenue_band": _("Annual revenue band"),
        "country": _("Country"),
        "channel": _("Channel"),
        "product": _("Product"),
    }
    return [(name, str(names.get(name, name))) for name in DIMENSIONS]


class DiscoveryForm(forms.Form):
    """Discovery's query: a dimension, or a pair of them, and the period of the close."""

    dimension = forms.ChoiceField(label=_("Segments by"), choices=dimension_choices)
    second = forms.ChoiceField(
        label=_("and by"),
        required=False,
        choices=lambda: [("", _("— nothing else —")), *dimension_choices()],
    )
    start = forms.DateField(
        label=_("Closed from"),
        required=False,
        validators=[validate_business_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("to"),
        required=False,
        validators=[validate_business_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("second") and data.get("second") == data.get("dimension"):
            self.add_error("second", _("Choose another dimension, or nothing else."))
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period must end after it starts."))
        return data

    def dimensions(self) -> list[str]:
        return [d for d in (self.cleaned_data["dimension"], self.cleaned_data.get("second")) if d]
