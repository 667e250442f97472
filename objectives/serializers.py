"""API shapes of objectives: the body of a check or a write (its references resolved in the
caller's organisation into a services.Draft), an objective with its check, progress,
owners and rep targets, the body of a split, the joint scorecard."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from crm.selectors import campaign_by_id, channel_by_code
from funnel.serializers import MonthField
from objectives.metrics import BY_CODE, NOT_TARGETS, Direction
from objectives.models import SplitMethod, Status
from objectives.selectors import members_of, plan_of
from objectives.services import MAX_OWNERS, Draft
from orgs.models import Organization
from personas.selectors import personas_of
from smarketing.lib.api_conventions import WholeItem
from smarketing.lib.bounds import MAX_PERIOD_MONTHS, period_too_long, validate_business_date
from smarketing.lib.months import months_spanned

MAX_TARGET = Decimal("99999999999999.99")


class BoundedMonthField(MonthField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validators=[validate_business_date], help_text="YYYY-MM", **kwargs)


class MetricField(serializers.CharField):
    """A code of the metric dictionary that an objective can aim at."""

    def to_internal_value(self, data: Any) -> str:
        code = super().to_internal_value(data)
        if code in NOT_TARGETS:
            raise serializers.ValidationError(
                _(
                    "%(code)s is a table of figures, not one number to aim at: choose one of %(codes)s."
                )
                % {"code": code, "codes": ", ".join(BY_CODE)}
            )
        if code not in BY_CODE:
            raise serializers.ValidationError(
                _("Unknown metric %(code)s: choose one of the metric dictionary's %(codes)s.")
                % {"code": code[:40], "codes": ", ".join(BY_CODE)}
            )
        return code


class ScopeSerializer(serializers.Serializer):
    channel = serializers.SlugField(max_length=50, required=False, help_text="A channel's code.")
    campaign = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    persona = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    product = serializers.CharField(max_length=200, required=False, allow_blank=False)


class OwnerInputSerializer(WholeItem):
    member = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="An id from /api/v1/members/."
    )
    weight = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100),
        help_text="The share of the member's variable pay tied to it, in percent.",
    )  # fmt: skip


def flat_errors(detail: Any, prefix: str = "") -> dict[str, Any]:
    """Nested errors as one level, named as the services name them: {"owners[0].weight":
    [...]}, {"scope.channel": [...]}."""
    if isinstance(detail, dict):
        items = detail.items()
    elif isinstance(detail, list) and any(isinstance(e, dict) for e in detail):
        items = enumerate(detail)  # type: ignore[assignment]
    else:
        return {prefix: detail}
    flat: dict[str, Any] = {}
    for key, value in items:
        if isinstance(key, int):
            name = f"{prefix}[{key}]"
        else:
            name = f"{prefix}.{key}" if prefix else str(key)
        if value:
            flat |= flat_errors(value, name)
    return flat


class ObjectiveInputSerializer(serializers.Serializer):
    """The body of POST /objectives/check/ and of creating or editing an objective. Rates
    are given in percent (25 for 25 %), money in the organisation's currency, response
    times in hours, sales cycles in days."""

    title = serializers.CharField(max_length=160, required=False, allow_blank=False)
    metric = MetricField(max_length=40)
    target = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal(0), max_value=MAX_TARGET
    )
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    first_month = BoundedMonthField()
    last_month = BoundedMonthField()
    scope = ScopeSerializer(required=False)
    owners = OwnerInputSerializer(many=True, required=False, max_length=MAX_OWNERS)  # type: ignore[call-arg]
    plan = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True
    )

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        valid = super().is_valid()
        if not valid and raise_exception:
            raise serializers.ValidationError(flat_errors(self.errors))
        return valid

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs.get("first_month"), attrs.get("last_month")
        if first and last:
            if last < first:
                raise serializers.ValidationError(
                    {"last_month": [_("The period ends before it starts.")]}
                )
            if months_spanned(first, last) > MAX_PERIOD_MONTHS:
                raise serializers.ValidationError({"last_month": [period_too_long()]})
        return attrs

    def draft(self, organization: Organization, *, base: Draft | None = None) -> Draft:
        """The body as a draft, over `base` (an edit's objective) for what it leaves out; an
        unknown channel, campaign, persona, member or plan is a 400 naming it."""
        data = self.validated_data
        draft = base or Draft(title="", metric=data["metric"], target=data["target"],
                              first_month=data["first_month"], last_month=data["last_month"])  # fmt: skip
        for name in ("metric", "target", "first_month", "last_month", "direction", "title"):
            if name in data:
                setattr(draft, name, data[name])
        if not draft.title:
            draft.title = str(BY_CODE[draft.metric].name)
        if draft.last_month < draft.first_month:
            raise serializers.ValidationError(
                {"last_month": [_("The period ends before it starts.")]}
            )
        if "scope" in data:
            self._scope(organization, draft, data["scope"] or {})
        if "owners" in data:
            members = members_of(organization, [o["member"] for o in data["owners"]])
            for i, owner in enumerate(data["owners"]):
                if owner["member"] not in members:
                    raise serializers.ValidationError(
                        {f"owners[{i}].member": [_("No such member here.")]}
                    )
            draft.owners = [(members[o["member"]], o["weight"]) for o in data["owners"]]
        if "plan" in data:
            draft.plan = plan_of(organization, data["plan"]) if data["plan"] else None
            if data["plan"] and draft.plan is None:
                raise serializers.ValidationError({"plan": [_("No such plan here.")]})
        return draft

    def _scope(self, organization: Organization, draft: Draft, scope: dict[str, Any]) -> None:
        draft.channel = draft.campaign = draft.persona_id = None
        draft.product = ""
        if "channel" in scope:
            draft.channel = channel_by_code(organization, scope["channel"])
            if draft.channel is None:
                raise serializers.ValidationError(
                    {"scope.channel": [_("No channel has this code here.")]}
                )
        if "campaign" in scope:
            draft.campaign = campaign_by_id(organization, scope["campaign"])
            if draft.campaign is None:
                raise serializers.ValidationError({"scope.campaign": [_("No such campaign here.")]})
        if "persona" in scope:
            if not personas_of(organization, archived=None).filter(pk=scope["persona"]).exists():
                raise serializers.ValidationError(
                    {"scope.persona": [_("No such buyer persona here.")]}
                )
            draft.persona_id = scope["persona"]
        draft.product = scope.get("product", "").strip()


class LetterSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    reason = serializers.CharField()


class AchievableSerializer(LetterSerializer):
    verdict = serializers.ChoiceField(choices=["achievable", "stretch", "unrealistic", "unknown"])
    probability = serializers.DecimalField(max_digits=4, decimal_places=3, allow_null=True,
                                           help_text="Of reaching the target, 0 to 1.")  # fmt: skip
    needed = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True,
                                      help_text="Per month left (sums), or the value itself.")  # fmt: skip
    best = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    median = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    p90 = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    same_months_last_year = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True
    )
    actual_so_far = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    history_months = serializers.IntegerField()
    months_left = serializers.IntegerField(
        required=False, help_text="Of the period, this one included."
    )
    multiple_of_best = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)


class SmartSerializer(serializers.Serializer):
    specific = LetterSerializer()
    measurable = LetterSerializer()
    achievable = AchievableSerializer()
    relevant = LetterSerializer()
    time_bound = LetterSerializer()


class CheckSerializer(serializers.Serializer):
    smart = SmartSerializer()
    shared = serializers.BooleanField()


class ProgressSerializer(serializers.Serializer):
    actual = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    expected = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    pace = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True,
                                    help_text="Needed per month left (sums).")  # fmt: skip
    projected = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    elapsed = serializers.DecimalField(max_digits=5, decimal_places=4)
    status = serializers.ChoiceField(choices=Status.choices)
    as_of = serializers.DateTimeField(allow_null=True)


class OwnerSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    team = serializers.CharField(allow_null=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)


class RepTargetSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    target = serializers.DecimalField(max_digits=16, decimal_places=2)
    status = serializers.ChoiceField(choices=Status.choices)
    progress = ProgressSerializer()


class ObjectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    metric = serializers.CharField()
    metric_name = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.DecimalField(max_digits=16, decimal_places=2)
    direction = serializers.ChoiceField(choices=Direction.choices)
    first_month = serializers.CharField()
    last_month = serializers.CharField()
    scope = serializers.DictField(allow_null=True)
    plan = serializers.IntegerField(allow_null=True)
    shared = serializers.BooleanField()
    owners = OwnerSerializer(many=True)
    status = serializers.ChoiceField(choices=Status.choices)
    smart = SmartSerializer(allow_null=True)
    checked_at = serializers.DateTimeField(allow_null=True)
    progress = ProgressSerializer(allow_null=True)
    split_method = serializers.CharField(allow_blank=True)
    rep_targets = RepTargetSerializer(many=True)


class SplitSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=SplitMethod.choices)
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False,
        max_length=200, help_text="Member ids; default: every sales rep.",
    )  # fmt: skip
    weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=7, decimal_places=2, min_value=Decimal(0),
                                       max_value=Decimal(10000)),
        required=False, help_text='For "weights": {"<member id>": "3"}.',
    )  # fmt: skip

    def validate_weights(self, value: dict[str, Decimal]) -> dict[int, Decimal]:
        if len(value) > 200:
            raise serializers.ValidationError(_("At most 200 weights."))
        try:
            return {int(k): v for k, v in value.items()}
        except ValueError as error:
            raise serializers.ValidationError(_("Key the weights by member id.")) from error


class FromPlanSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class ScorecardQuerySerializer(serializers.Serializer):
    first_month = BoundedMonthField(required=False)
    last_month = BoundedMonthField(required=False)


class ListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    owner = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                     help_text="A member id.")  # fmt: skip
    shared = serializers.BooleanField(required=False, allow_null=True, default=None)


class TeamWeightSerializer(serializers.Serializer):
    weight = serializers.DecimalField(max_digits=12, decimal_places=2,
                                      help_text="The team's incentive weights added up (%).")  # fmt: skip
    on_shared = serializers.DecimalField(max_digits=12, decimal_places=2)
    share_on_shared = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True,
                                               help_text="0 to 1.")  # fmt: skip


class ScorecardGroupsSerializer(serializers.Serializer):
    shared = ObjectiveSerializer(many=True)
    marketing = ObjectiveSerializer(many=True)
    sales = ObjectiveSerializer(many=True)
    other = ObjectiveSerializer(many=True)


class ScorecardTeamsSerializer(serializers.Serializer):
    marketing = TeamWeightSerializer()
    sales = TeamWeightSerializer()


class ScorecardSerializer(serializers.Serializer):
    first_month = serializers.CharField()
    last_month = serializers.CharField()
    groups = ScorecardGroupsSerializer()
    teams = ScorecardTeamsSerializer()
