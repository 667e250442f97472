"""API shapes of the alignment pulse: an answer and the cadence as given, and the results
and the index as answered (for the schema; the views answer plain data)."""

from __future__ import annotations

from rest_framework import serializers

from reviews.alignment import WEIGHTS
from reviews.models import Cadence
from reviews.pulse import COMMENT_LENGTH, HIGHEST, LOWEST

SHARE_HELP = "A share from 0 to 1 as an exact decimal string; null: no data."
SCORE_HELP = "0 to 100, 100 = aligned, as an exact decimal string; null: hidden or no data."


def _score_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=LOWEST, max_value=HIGHEST,
        help_text="How much the member agrees, 1 (strongly disagree) to 5 (strongly agree).",
    )  # fmt: skip


class PulseAnswerSerializer(serializers.Serializer):
    """The body of POST /api/v1/pulse/answers/: the five statements, each 1 to 5, and an
    optional comment."""

    pulse = serializers.IntegerField(
        required=False, min_value=1,
        help_text="The pulse answered; the one open now when left out.",
    )  # fmt: skip
    overlap = _score_field()
    conflict = _score_field()
    projects = _score_field()
    communication = _score_field()
    stuck = _score_field()
    comment = serializers.CharField(
        max_length=COMMENT_LENGTH, required=False, allow_blank=True, default=""
    )


class PulseAnsweredSerializer(serializers.Serializer):
    pulse = serializers.IntegerField()
    answered = serializers.BooleanField()


class PulseCadenceSerializer(serializers.Serializer):
    cadence = serializers.ChoiceField(choices=Cadence.choices)


class StatementResultSerializer(serializers.Serializer):
    mean = serializers.CharField(help_text="The team's mean agreement, 1 to 5.")
    score = serializers.CharField(help_text=SCORE_HELP)


class StatementsSerializer(serializers.Serializer):
    overlap = StatementResultSerializer()
    conflict = StatementResultSerializer()
    projects = StatementResultSerializer()
    communication = StatementResultSerializer()
    stuck = StatementResultSerializer()


class TeamResultSerializer(serializers.Serializer):
    answers = serializers.IntegerField()
    shown = serializers.BooleanField(
        help_text="False while the pulse is open or below `answers_needed` answers: then "
        "nothing of what was answered is given."
    )
    answers_needed = serializers.IntegerField()
    score = serializers.CharField(allow_null=True, help_text=SCORE_HELP)
    statements = StatementsSerializer(allow_null=True)
    comments = serializers.ListField(child=serializers.CharField(), help_text="By their text.")


class TeamsSerializer(serializers.Serializer):
    marketing = TeamResultSerializer()
    sales = TeamResultSerializer()


class IndexPartSerializer(serializers.Serializer):
    part = serializers.ChoiceField(choices=list(WEIGHTS))
    value = serializers.CharField(allow_null=True, help_text=SHARE_HELP)
    weight = serializers.CharField(help_text="Its weight as set, 0 to 1.")
    weight_used = serializers.CharField(
        help_text="Its weight in this index: 0 without data, the others' rescaled to add up to 1."
    )


class IndexSerializer(serializers.Serializer):
    period = serializers.DateField()
    last_month = serializers.DateField()
    score = serializers.CharField(allow_null=True, help_text=SCORE_HELP)
    parts = IndexPartSerializer(many=True)


class PulseHeadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.DateField(help_text="The period's first day (a month's or a quarter's).")
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    status = serializers.CharField(help_text="`open` (taking answers) or `closed`.")


class PulseResultSerializer(PulseHeadSerializer):
    teams = TeamsSerializer()
    index = IndexSerializer()


class TeamCountsSerializer(serializers.Serializer):
    marketing = serializers.IntegerField()
    sales = serializers.IntegerField()


class OpenPulseSerializer(PulseHeadSerializer):
    answered = serializers.BooleanField(help_text="Whether the caller answered it.")
    answers = TeamCountsSerializer(help_text="How many of each team answered so far.")


class TrendTeamSerializer(serializers.Serializer):
    answers = serializers.IntegerField()
    score = serializers.CharField(allow_null=True, help_text=SCORE_HELP)


class TrendTeamsSerializer(serializers.Serializer):
    marketing = TrendTeamSerializer()
    sales = TrendTeamSerializer()


class TrendSerializer(serializers.Serializer):
    pulse = serializers.IntegerField()
    period = serializers.DateField()
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    teams = TrendTeamsSerializer()


class PulseOverviewSerializer(serializers.Serializer):
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    minimum_answers = serializers.IntegerField()
    open = OpenPulseSerializer(allow_null=True)
    latest = PulseResultSerializer(allow_null=True, help_text="The latest closed pulse.")
    index = IndexSerializer(
        help_text="Of the latest closed pulse's period; of the current period without one."
    )
    trend = TrendSerializer(many=True, help_text="The last 12 pulses, oldest first.")
