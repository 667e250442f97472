"""A small history of the Sales-Marketing agreement, its figures worked out by hand: four
MQLs handed over Monday to Thursday of one week, and what sales did with each; and the words
of a page's element, for the tests of the pages that show them."""

from datetime import datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from django.utils import timezone

from crm.models import Activity, Channel
from crm.services.leads import lead_change_stage, lead_create
from crm.services.records import record_create
from funnel.services import plan_activate, plan_create
from orgs.models import Role
from sla.models import Side
from sla.services import agreement_create, agreement_sign, calendar_update, compliance_recompute
from smarketing.lib.months import add_months
from tests.factories import MembershipFactory, UserFactory

ROME = ZoneInfo("Europe/Rome")


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=ROME)


class _Text(HTMLParser):
    """The text inside the first element with data-testid=`testid`, its spacing collapsed."""

    VOID = frozenset({"br", "input", "img", "meta", "link", "hr", "wbr"})

    def __init__(self, testid):
        super().__init__()
        self.testid, self.depth, self.words = testid, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in self.VOID
        elif ("data-testid", self.testid) in attrs and not self.words:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.words.append(data)


def text_of(page, testid):
    parser = _Text(testid)
    parser.feed(page.content.decode())
    assert parser.words, f"nothing in {testid}"
    return " ".join(" ".join(parser.words).split())


def sign(org, member, first_month, **terms):
    agreement = agreement_create(organization=org, by=None, first_month=first_month, terms=terms)
    agreement_sign(
        agreement=agreement, membership=member(Role.MARKETING_MANAGER), side=Side.MARKETING
    )
    agreement_sign(agreement=agreement, membership=member(Role.SALES_MANAGER), side=Side.SALES)
    return agreement


def handed_over(org, name, when, **fields):
    lead = lead_create(
        organization=org, by=None, name=name, stage="lead", created_at=when - timedelta(days=1),
        **fields,
    )  # fmt: skip
    lead_change_stage(lead=lead, to_stage="mql", by=None, at=when)
    return lead


def touch(org, lead, kind, when):
    record_create(Activity, organization=org, lead=lead, kind=kind, at=when)


def rep(org, first, last):
    user = UserFactory(first_name=first, last_name=last)
    MembershipFactory(organization=org, user=user, role=Role.SALES_REP)
    return user


def four_mqls(org, member, *, first_month, monday):
    """The agreement of the year from `first_month` on Rome's Monday-to-Friday 09:00 to
    18:00: 4 MQLs a month (2 paid search, 1 social), 60% accepted, a first touch within 4
    business hours, 2 attempts within 2 business days, a decision within 2; no tolerance.
    In the week of `monday`, four MQLs handed over at 10:00:
    - Ann (paid search, Rob's), Monday: touched after 1.25 business hours, tried twice,
      accepted in time;
    - Ben (paid search, Rob's), Tuesday: touched after 6 (late), rejected in time, before
      his attempts were due (so none are owed);
    - Cy (social, Rita's), Wednesday: never touched nor decided;
    - Dee (social, Rita's), Thursday: touched after 1, tried twice, never decided.
    The active plan converts an MQL to a customer at 0.5 x 0.5 x 0.25 = 0.0625, a
    sales-accepted one at 0.125, with deals of 10,000."""
    calendar_update(organization=org, time_zone="Europe/Rome", working_days=[1, 2, 3, 4, 5],
                    day_start=time(9), day_end=time(18))  # fmt: skip
    channels = {c.code: c for c in Channel.objects.for_org(org)}
    sign(org, member, first_month, mqls_per_month=4,
         channel_mqls={"paid_search": 2, "social": 1}, acceptance_rate=60, shortfall_tolerance=0,
         first_touch_hours=4, attempts=2, attempts_days=2, decision_days=2)  # fmt: skip
    plan = plan_create(
        organization=org, by=None, name="The plan", first_month=first_month,
        last_month=add_months(first_month, 11),
        inputs={"revenue_goal": "500000", "average_deal_size": "10000",
                "conversion_rates": ["0.4", "0.5", "0.5", "0.25"]},
    )  # fmt: skip
    plan_activate(plan=plan)
    rob, rita = rep(org, "Rob", "Reed"), rep(org, "Rita", "Rossi")
    paid, social = channels["paid_search"], channels["social"]
    day = [monday + timedelta(days=i) for i in range(5)]
    ann = handed_over(org, "Ann", at(day[0], 10), channel=paid, owner=rob)
    touch(org, ann, "call", at(day[0], 11, 15))
    touch(org, ann, "email", at(day[0], 14))
    lead_change_stage(lead=ann, to_stage="sql", by=None, at=at(day[1], 10))
    ben = handed_over(org, "Ben", at(day[1], 10), channel=paid, owner=rob)
    touch(org, ben, "call", at(day[1], 16))
    lead_change_stage(lead=ben, to_stage="recycled", by=None, at=at(day[2], 10))
    cy = handed_over(org, "Cy", at(day[2], 10), channel=social, owner=rita)
    dee = handed_over(org, "Dee", at(day[3], 10), channel=social, owner=rita)
    touch(org, dee, "call", at(day[3], 11))
    touch(org, dee, "email", at(day[4], 9, 30))
    # Twice: a breach found already remedied (Ben, touched late) is recorded open by one run
    # and resolved by the next.
    compliance_recompute(organization_id=org.pk, now=timezone.now())
    compliance_recompute(organization_id=org.pk, now=timezone.now())
    return {"rob": rob, "rita": rita, "ann": ann, "ben": ben, "cy": cy, "dee": dee}
