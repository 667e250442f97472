"""The objectives' page forms: an objective as a person fills it in (its owners as rows of a
member and a weight), turned into the services' Draft; the scorecard's filters; a split into
rep targets; the plan to propose objectives from."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.selectors import campaign_by_id, channel_by_code
from funnel.forms import MonthField
from objectives.metrics import OBJECTIVE_METRICS, Direction
from objectives.models import SplitMethod, Status
from objectives.selectors import EditorChoices, plan_of
from objectives.services import MAX_OWNERS, Draft
from orgs.models import Membership, Organization, Role

OWNERS_PREFIX = "owners"
NOTHING = ("", "—")


def plain(value: Decimal) -> Decimal:
    """A stored amount as an input shows it: 500000, 12.5 (not 500000.00 or 5E+5)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def member_label(membership: Membership) -> str:
    return f"{membership.user} · {membership.get_role_display()}"


class ObjectiveForm(forms.Form):
    """An objective's fields as the editor shows them; its scope is one of a channel, a
    campaign, a persona or a product (more than one is the SMART check's "not specific" and
    the service's refusal, so the form lets it through to be explained)."""

    title = forms.CharField(
        label=_("Title"),
        max_length=160,
        required=False,
        help_text=_("Blank: the metric's name."),
    )
    metric = forms.ChoiceField(
        label=_("Metric"), choices=[(m.code, m.name) for m in OBJECTIVE_METRICS]
    )
    target = forms.DecimalField(
        label=_("Target"),
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_(
            "Rates in percent (25 for 25 %%), money in %(currency)s, response times in hours, "
            "sales cycles in days."
        ),
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("The metric's usual")), *Direction.choices],
        help_text=_("Counts and money: at least; times and costs: at most."),
    )
    first_month = MonthField(label=_("First month"))
    last_month = MonthField(label=_("Last month"))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    campaign = forms.TypedChoiceField(
        label=_("Campaign"), required=False, coerce=int, empty_value=None
    )
    persona = forms.TypedChoiceField(
        label=_("Buyer persona"), required=False, coerce=int, empty_value=None
    )
    product = forms.ChoiceField(label=_("Product"), required=False)
    plan = forms.TypedChoiceField(
        label=_("Plan it serves"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, choices: EditorChoices, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["target"].help_text = str(fields["target"].help_text) % {"currency": currency}
        fields["channel"].choices = [NOTHING, *choices.channels]  # type: ignore[attr-defined]
        fields["campaign"].choices = [NOTHING, *choices.campaigns]  # type: ignore[attr-defined]
        fields["persona"].choices = [NOTHING, *choices.personas]  # type: ignore[attr-defined]
        fields["product"].choices = [NOTHING, *((p, p) for p in choices.products)]  # type: ignore[attr-defined]
        fields["plan"].choices = [("", _("The active plan")), *choices.plans]  # type: ignore[attr-defined]
        self.scope_errors: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_month"), data.get("last_month")
        if first and last and last < first:
            self.add_error("last_month", _("The period ends before it starts."))
        return data

    def scope_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("channel", "campaign", "persona", "product")]

    def draft(
        self, organization: Organization, owners: Sequence[tuple[Membership, Decimal]]
    ) -> Draft:
        """The valid form as a draft; its references are the organisation's (the choices
        offered only them)."""
        data = self.cleaned_data
        metric = data["metric"]
        return Draft(
            title=data["title"].strip() or str(dict(self.fields["metric"].choices)[metric]),  # type: ignore[attr-defined]
            metric=metric,
            target=data["target"],
            first_month=data["first_month"],
            last_month=data["last_month"],
            direction=data["direction"],
            channel=channel_by_code(organization, data["channel"]) if data["channel"] else None,
            campaign=campaign_by_id(organization, data["campaign"]) if data["campaign"] else None,
            persona_id=data["persona"],
            product=data["product"],
            owners=list(owners),
            plan=plan_of(organization, data["plan"]) if data["plan"] else None,
        )

    @staticmethod
    def initial_from(draft: Draft) -> dict[str, Any]:
        return {
            "title": draft.title,
            "metric": draft.metric,
            "target": plain(draft.target),
            "direction": draft.direction,
            "first_month": draft.first_month,
            "last_month": draft.last_month,
            "channel": draft.channel.code if draft.channel is not None else "",
            "campaign": draft.campaign.pk if draft.campaign is not None else "",
            "persona": draft.persona_id or "",
            "product": draft.product,
            "plan": draft.plan.pk if draft.plan is not None else "",
        }


class OwnerForm(forms.Form):
    """One owner row: a member and their incentive weight. A row left blank is no owner."""

    member = forms.TypedChoiceField(label=_("Member"), required=False, coerce=int, empty_value=None)
    weight = forms.DecimalField(
        label=_("Incentive weight (%)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, members: Mapping[int, Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [  # type: ignore[attr-defined]
            ("", _("— nobody —")),
            *((pk, member_label(m)) for pk, m in members.items()),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("member") is None and data.get("weight") is not None:
            self.add_error("member", _("Choose who carries this weight."))
        if data.get("member") is not None and data.get("weight") is None:
            self.add_error(
                "weight", _("Give the share of their variable pay tied to it: 0 to 100 %.")
            )
        return data


OwnerFormSet = forms.formset_factory(
    OwnerForm, extra=0, max_num=MAX_OWNERS, validate_max=True, absolute_max=MAX_OWNERS + 1
)


def owner_forms(
    data: Mapping[str, Any] | None, members: Mapping[int, Membership], **kwargs: Any
) -> Any:
    return OwnerFormSet(data, prefix=OWNERS_PREFIX, form_kwargs={"members": members}, **kwargs)


def owners_chosen(
    formset: Any, members: Mapping[int, Membership]
) -> tuple[list[tuple[Membership, Decimal]], list[int]]:
    """The owners the rows name, and the row of each (a service's "owners[i]" is the i-th
    owner, not the i-th row: blank rows are left out). A row's weight left blank counts as
    0 here; the save refuses it beforehand (the live check reads what is there)."""
    owners, rows = [], []
    for i, form in enumerate(formset.forms):
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        if data.get("member") in members:
            owners.append((members[data["member"]], data.get("weight") or Decimal(0)))
            rows.append(i)
    return owners, rows


def owner_rows_typed(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The owner rows as typed in a posted editor (to add or remove one without checking
    the rest): their raw values, in order."""
    try:
        count = int(data.get(f"{OWNERS_PREFIX}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        count = 0
    return [
        {name: str(data.get(f"{OWNERS_PREFIX}-{i}-{name}", "")) for name in ("member", "weight")}
        for i in range(max(0, min(count, MAX_OWNERS)))
    ]


def place_errors(
    error: ValidationError, form: ObjectiveForm, owners: Any, rows: Sequence[int]
) -> None:
    """Show a service's refusal beside what it names: a field of the objective ("target"),
    its scope, an owner's member or weight ("owners[1].weight", the second owner named),
    the owners as a whole; anything else at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        found = re.fullmatch(r"owners\[(\d+)\]\.(member|weight)", key)
        if found and int(found.group(1)) < len(rows):
            owners.forms[rows[int(found.group(1))]].add_error(found.group(2), messages)
        elif key in ("owners", "members"):
            owners.non_form_errors().extend(messages)
        elif key == "scope":
            form.scope_errors.extend(messages)
        elif key in form.fields:
            form.add_error(key, messages)
        else:
            form.add_error(None, messages)


class ScorecardForm(forms.Form):
    """The scorecard's period and filters, as the API's scorecard and list take them."""

    first_month = MonthField(label=_("From"), required=False)
    last_month = MonthField(label=_("to"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Status.choices]
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    shared = forms.ChoiceField(
        label=_("Shared"),
        required=False,
        choices=[("", _("Any")), ("true", _("Shared only")), ("false", _("Not shared"))],
    )

    def __init__(self, *args: Any, members: Mapping[int, Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            *((pk, member_label(m)) for pk, m in members.items()),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_month"), data.get("last_month")
        if first and last and last < first:
            self.add_error("last_month", _("The period ends before it starts."))
        return data


class SplitForm(forms.Form):
    """A split into rep targets: the method, the reps (default: every sales rep) and, for
    a split by weights, each rep's weight (any scale)."""

    method = forms.ChoiceField(label=_("Split"), choices=SplitMethod.choices)

    def __init__(self, *args: Any, reps: Mapping[int, Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reps = reps
        self.fields["members"] = forms.TypedMultipleChoiceField(
            label=_("Reps"),
            required=False,
            coerce=int,
            choices=[(pk, str(m.user)) for pk, m in reps.items()],
            widget=forms.CheckboxSelectMultiple,
            initial=list(reps),
        )
        for pk in reps:
            self.fields[f"weight_{pk}"] = forms.DecimalField(
                label=_("Weight"),
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(10000),
                max_digits=7,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )

    def rows(self) -> list[tuple[Membership, Any, forms.BoundField]]:
        boxes = {int(box.data["value"]): box for box in self["members"]}
        return [(m, boxes[pk], self[f"weight_{pk}"]) for pk, m in self.reps.items()]

    def members(self) -> list[Membership]:
        return [self.reps[pk] for pk in self.cleaned_data["members"]]

    def weights(self) -> dict[int, Decimal]:
        return {
            pk: self.cleaned_data[f"weight_{pk}"]
            for pk in self.cleaned_data["members"]
            if self.cleaned_data.get(f"weight_{pk}") is not None
        }


def sales_reps(members: Mapping[int, Membership]) -> dict[int, Membership]:
    return {pk: m for pk, m in members.items() if m.role == Role.SALES_REP}
