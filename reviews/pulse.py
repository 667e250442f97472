"""The alignment pulse, pure: its five statements, its periods and answering window, and the
results of a team's answers, hidden below the anonymity threshold.

Each statement is one of the signs of an unhealthy relationship between marketing and sales
(a member agrees 1 to 5), so 1 is the healthy answer: a team's score turns the mean the other
way round, onto 0 to 100 where 100 means no sign of trouble at all. No ORM, clock or settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from smarketing.lib.months import add_months

# The five signs, in the order they are asked (their codes are the API's and the columns').
STATEMENTS: dict[str, StrOrPromise] = {
    "overlap": _("The work of marketing and sales overlaps: it is unclear who does what."),
    "conflict": _("The heads of marketing and sales are in conflict."),
    "projects": _("Joint projects of sales and marketing do not deliver."),
    "communication": _("“Communication problems” are the main problem in my work."),
    "stuck": _("I feel professionally stuck."),
}
LOWEST, HIGHEST = 1, 5
SCALE: dict[int, StrOrPromise] = {
    1: _("Strongly disagree"),
    2: _("Disagree"),
    3: _("Neither"),
    4: _("Agree"),
    5: _("Strongly agree"),
}
# A team's results are shown only once this many of its members answered: below it, one
# member's answers could be told from the others' (or from what a colleague knows of theirs).
MIN_ANSWERS = 3
# A pulse stays open this many days from the day it opens, never past its period's end.
ANSWER_DAYS = 14
COMMENT_LENGTH = 1000

MONTHLY, QUARTERLY = "monthly", "quarterly"
MEAN = Decimal("0.01")
SCORE = Decimal("0.1")


def period_of(day: date, cadence: str) -> date:
    """The first day of the period `day` falls in: its month, or its calendar quarter."""
    if cadence == QUARTERLY:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def period_end(period: date, cadence: str) -> date:
    """The first day after the period."""
    return add_months(period, 3 if cadence == QUARTERLY else 1)


def period_months(period: date, cadence: str) -> list[date]:
    """The first day of each month of the period."""
    return [add_months(period, i) for i in range(3 if cadence == QUARTERLY else 1)]


def closing_day(period: date, cadence: str, opened_on: date) -> date:
    """The day the pulse stops taking answers (at its first moment, in the organisation's
    time zone): ANSWER_DAYS after the day it opened, or the period's end if sooner."""
    return min(opened_on + timedelta(days=ANSWER_DAYS), period_end(period, cadence))


def due_to_open(today: date, cadence: str) -> date | None:
    """The period whose pulse should be open on `today` (the organisation's day): the
    current one, while its first ANSWER_DAYS last; None after them (an organisation that
    joined late in a period waits for the next, unless a manager opens it by hand)."""
    period = period_of(today, cadence)
    return period if today < period + timedelta(days=ANSWER_DAYS) else None


def next_opening(today: date, cadence: str, *, held: bool) -> date:
    """When the next pulse opens: today (the beat's next hourly run) while the current
    period is in its first ANSWER_DAYS and has had none; else the next period's first day."""
    if not held and due_to_open(today, cadence):
        return today
    return period_end(period_of(today, cadence), cadence)


def aligned(mean: Decimal) -> Decimal:
    """A mean agreement with the signs (1 to 5) as a score from 0 to 100: 1 (none of the
    signs) is 100, 5 (all of them, strongly) is 0."""
    return ((HIGHEST - mean) / (HIGHEST - LOWEST) * 100).quantize(SCORE, ROUND_HALF_UP)


@dataclass(frozen=True)
class TeamResult:
    """A team's answers to one pulse. `shown` is False below MIN_ANSWERS (or while the pulse
    is open): then only the count is known, and nothing of what was answered."""

    team: str
    answers: int
    shown: bool
    score: Decimal | None = None  # 0 to 100, 100 aligned
    means: Mapping[str, Decimal] | None = None  # per statement, 1 to 5
    scores: Mapping[str, Decimal] | None = None  # per statement, 0 to 100
    comments: tuple[str, ...] = ()

    @property
    def missing(self) -> int:
        """How many more answers it needs before it is shown."""
        return max(0, MIN_ANSWERS - self.answers)


def team_result(
    team: str, answers: Sequence[Mapping[str, int]], comments: Iterable[str], *, closed: bool
) -> TeamResult:
    """The team's result from its answers (each a statement code -> 1 to 5) and comments;
    hidden while the pulse is open or below MIN_ANSWERS. Comments come back ordered by their
    text, so their order says nothing of who wrote which, or when."""
    if not closed or len(answers) < MIN_ANSWERS:
        return TeamResult(team=team, answers=len(answers), shown=False)
    exact = {code: Decimal(sum(a[code] for a in answers)) / len(answers) for code in STATEMENTS}
    overall = sum(exact.values(), Decimal(0)) / len(STATEMENTS)
    return TeamResult(
        team=team, answers=len(answers), shown=True, score=aligned(overall),
        means={code: mean.quantize(MEAN, ROUND_HALF_UP) for code, mean in exact.items()},
        scores={code: aligned(mean) for code, mean in exact.items()},
        comments=tuple(sorted((c for c in comments if c.strip()), key=lambda c: (c.casefold(), c))),
    )  # fmt: skip


def pulse_score(results: Iterable[TeamResult]) -> Decimal | None:
    """The pulse's part of the alignment index: the mean of the shown teams' scores, each
    team counting the same whatever its size (the relationship has two sides); None when no
    team is shown."""
    shown = [r.score for r in results if r.shown and r.score is not None]
    if not shown:
        return None
    return (sum(shown, Decimal(0)) / len(shown)).quantize(SCORE, ROUND_HALF_UP)
