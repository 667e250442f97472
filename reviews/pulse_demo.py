"""The demo organisation's pulse: six past months answered by a marketing team of four and a
sales team of five (the people a company of the demo's size has, beyond the demo's five
logins), the teams slowly growing more aligned, one month marketing fell short of three
answers and stayed hidden; and this month's pulse open for the demo's members to answer.

The past is written as it would have been recorded: answers with their team only, no
participation (no demo login answered them), and nobody told of pulses long closed."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from orgs.models import Organization
from reviews.models import Cadence, Pulse, PulseAnswer, Team
from reviews.pulse import ANSWER_DAYS, HIGHEST, LOWEST, STATEMENTS
from reviews.selectors.pulse import zone_of
from reviews.services.pulse import pulse_open
from smarketing.lib.months import add_months

PAST_MONTHS = 6
ANSWERS = {Team.MARKETING: 4, Team.SALES: 5}
# Each team's mean agreement with the signs six months ago, and how much it eases a month;
# the signs each team feels more than the others.
START = {Team.MARKETING: 3.5, Team.SALES: 3.8}
EASING = 0.2
FELT = {
    Team.MARKETING: {"communication": 0.6, "projects": 0.3},
    Team.SALES: {"overlap": 0.5, "conflict": 0.4},
}
SHORT_MONTH = 2  # months ago: marketing's answers that month were too few to show
COMMENTS = {
    Team.MARKETING: [
        "Sales still rejects leads without saying why.",
        "The monthly review with sales finally has numbers both teams trust.",
        "We never hear back on the trade-fair leads.",
        "Half a day with the sales team was the most useful day this quarter.",
    ],
    Team.SALES: [
        "Too many leads from the webinar are students.",
        "The new lead form asks the right questions now.",
        "Marketing and sales both call the same accounts.",
        "Joint account planning helped: keep it going.",
    ],
}


def pulses_for_the_demo(*, organization: Organization, today: date) -> list[Pulse]:
    if Pulse.objects.for_org(organization).exists():
        return []
    zone = zone_of(organization)
    rng = random.Random(18)  # noqa: S311 - the same demo every time, not a secret
    made = []
    this_month = today.replace(day=1)
    for ago in range(PAST_MONTHS, 0, -1):
        month = add_months(this_month, -ago)
        opens = datetime.combine(month, time(0), tzinfo=zone)
        pulse = Pulse.objects.create(
            organization=organization,
            period=month,
            cadence=Cadence.MONTHLY,
            opens_at=opens,
            closes_at=opens + timedelta(days=ANSWER_DAYS),
        )
        PulseAnswer.objects.bulk_create(_answers(pulse, PAST_MONTHS - ago, ago, rng))
        made.append(pulse)
    made.append(pulse_open(organization=organization, now=timezone.now()))
    return made


def _answers(pulse: Pulse, months_on: int, ago: int, rng: random.Random) -> list[PulseAnswer]:
    answers = []
    for team, count in ANSWERS.items():
        if team == Team.MARKETING and ago == SHORT_MONTH:
            count = 2
        mean = START[team] - EASING * months_on
        comments = rng.sample(COMMENTS[team], 2)
        for i in range(count):
            scores = {
                code: min(
                    HIGHEST, max(LOWEST, round(rng.gauss(mean + FELT[team].get(code, 0), 0.8)))
                )
                for code in STATEMENTS
            }
            comment = comments[i] if i < len(comments) and rng.random() < 0.7 else ""
            answers.append(
                PulseAnswer(
                    organization_id=pulse.organization_id,
                    pulse=pulse,
                    team=team,
                    comment=comment,
                    **scores,
                )
            )
    return answers
