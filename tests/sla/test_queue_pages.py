"""The acceptance queue page: every MQL waiting, the longest first, with its time left;
sales accepts one, or rejects the ticked ones with a reason; others read; tenants apart."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm.models import Lead
from crm.services.leads import lead_change_stage, lead_create
from orgs.models import Role
from sla.models import Decision, Side
from sla.services import agreement_create, agreement_sign, calendar_update
from tests.conftest import signed_in_client
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def waiting(org, member):
    """Rome's calendar, an agreement in force for 2026 (first touch within 4 business hours),
    and three MQLs handed over on 2026 weekdays, Cy the longest waiting."""
    calendar_update(organization=org, time_zone="Europe/Rome", working_days=[1, 2, 3, 4, 5],
                    day_start=time(9), day_end=time(18))  # fmt: skip
    made = agreement_create(organization=org, by=None, first_month=date(2026, 1, 1),
                            terms={"mqls_per_month": 50, "first_touch_hours": "4"})  # fmt: skip
    agreement_sign(agreement=made, membership=member(Role.MARKETING_MANAGER), side=Side.MARKETING)
    agreement_sign(agreement=made, membership=member(Role.SALES_MANAGER), side=Side.SALES)
    leads = {}
    for name, day in (("Ann", 12), ("Ben", 11), ("Cy", 10)):
        at = datetime(2026, 3, day, 10, 0, tzinfo=ROME)
        lead = lead_create(
            organization=org, by=None, name=name, stage="lead", created_at=at - timedelta(hours=1)
        )
        lead_change_stage(lead=lead, to_stage="mql", by=None, at=at)
        leads[name] = lead
    return leads


def test_the_queue_shows_the_longest_waiting_first_with_what_is_overdue(waiting, member):
    page = signed_in_client(member(Role.SALES_REP)).get("/sla/queue/")

    text = page.content.decode()
    assert page.status_code == 200
    assert text.index(">Cy<") < text.index(">Ben<") < text.index(">Ann<")
    assert "3 MQLs wait for sales" in text
    assert text.count("overdue by") == 3  # their first touch was due in March
    assert 'data-testid="bulk"' in text


def test_a_rep_accepts_one_mql_from_its_row(waiting, member):
    client = signed_in_client(member(Role.SALES_REP))
    ben = waiting["Ben"]

    answer = client.post("/sla/queue/decide/", {"accept_one": ben.pk}, follow=True)

    assert "1 MQL accepted." in answer.content.decode()
    assert Lead.objects.get(pk=ben.pk).stage == "sql"
    assert list(Decision.objects.values_list("lead_id", "outcome")) == [(ben.pk, "accepted")]
    assert ">Ben<" not in answer.content.decode()  # no longer waiting


def test_the_ticked_mqls_are_rejected_with_a_reason(waiting, member):
    client = signed_in_client(member(Role.SALES_MANAGER))
    ids = [waiting["Ann"].pk, waiting["Cy"].pk]

    answer = client.post(
        "/sla/queue/decide/",
        {"leads": ids, "decision": "reject", "reason": "no_budget"},
        follow=True,
    )

    assert "2 MQLs rejected." in answer.content.decode()
    assert sorted(Lead.objects.filter(pk__in=ids).values_list("stage", flat=True)) == [
        "recycled",
        "recycled",
    ]


def test_a_rejection_without_a_reason_changes_nothing(waiting, member):
    client = signed_in_client(member(Role.SALES_MANAGER))

    answer = client.post(
        "/sla/queue/decide/", {"leads": [waiting["Ann"].pk], "decision": "reject"}, follow=True
    )

    assert "Choose why the MQLs are rejected." in answer.content.decode()
    assert not Decision.objects.exists()
    assert Lead.objects.get(pk=waiting["Ann"].pk).stage == "mql"


def test_a_lead_no_longer_waiting_is_refused_by_name_and_the_others_go_through(waiting, member):
    client = signed_in_client(member(Role.SALES_MANAGER))
    client.post("/sla/queue/decide/", {"accept_one": waiting["Ann"].pk})

    answer = client.post(
        "/sla/queue/decide/",
        {"leads": [waiting["Ann"].pk, waiting["Ben"].pk, 99999999], "decision": "accept"},
        follow=True,
    )

    text = answer.content.decode()
    assert "1 MQL accepted." in text
    assert "Ann: This lead is not waiting for sales" in text
    assert "Lead 99999999: not found." in text
    assert Decision.objects.count() == 2


@pytest.mark.parametrize("role", [Role.MARKETING_MANAGER, Role.LEADERSHIP])
def test_others_read_the_queue_but_do_not_decide(waiting, member, role):
    client = signed_in_client(member(role))

    page = client.get("/sla/queue/")
    answer = client.post("/sla/queue/decide/", {"accept_one": waiting["Ann"].pk})

    assert page.status_code == 200
    assert 'data-testid="bulk"' not in page.content.decode()
    assert answer.status_code == 403
    assert not Decision.objects.exists()


def test_another_organisations_leads_are_neither_shown_nor_decided(waiting, other_org):
    theirs = signed_in_client(MembershipFactory(organization=other_org, role=Role.SALES_MANAGER))

    page = theirs.get("/sla/queue/")
    answer = theirs.post("/sla/queue/decide/", {"accept_one": waiting["Ann"].pk}, follow=True)

    assert ">Ann<" not in page.content.decode()
    assert "not found" in answer.content.decode()
    assert Lead.objects.get(pk=waiting["Ann"].pk).stage == "mql"


def test_the_queue_reads_in_a_fixed_number_of_queries(
    waiting, member, django_assert_max_num_queries
):
    client = signed_in_client(member(Role.SALES_REP))
    client.get("/sla/queue/")

    with django_assert_max_num_queries(16):
        assert client.get("/sla/queue/").status_code == 200


def test_a_leads_page_shows_its_clock_and_sales_decides_there(waiting, member):
    from crm.models import Activity
    from crm.services.records import record_create

    ann = waiting["Ann"]
    record_create(Activity, organization=ann.organization, lead=ann, kind="call",
                  at=datetime(2026, 3, 12, 11, 15, tzinfo=ROME))  # fmt: skip
    client = signed_in_client(member(Role.SALES_REP))

    page = client.get(f"/crm/leads/{ann.pk}/")
    answer = client.post("/sla/queue/decide/", {"leads": [ann.pk], "decision": "reject", "reason": "other",
                                                "next": f"/crm/leads/{ann.pk}/"})  # fmt: skip
    after = client.get(f"/crm/leads/{ann.pk}/")

    text = page.content.decode()
    assert 'data-testid="sla-panel"' in text
    assert "after 1.25 business hours" in text
    assert "within the window" in text
    assert 'data-testid="sla-decide"' in text
    assert answer.status_code == 302
    assert answer["Location"] == f"/crm/leads/{ann.pk}/"
    assert "Rejected by sales" in after.content.decode()
    assert 'data-testid="sla-decide"' not in after.content.decode()


def test_a_lead_never_handed_over_has_no_panel_and_next_goes_nowhere_else(waiting, org, member):
    lead = lead_create(organization=org, by=None, name="Dee", stage="lead")
    client = signed_in_client(member(Role.SALES_REP))

    page = client.get(f"/crm/leads/{lead.pk}/")
    away = client.post(
        "/sla/queue/decide/", {"accept_one": waiting["Ann"].pk, "next": "https://evil.example/"}
    )

    assert 'data-testid="sla-panel"' not in page.content.decode()
    assert away["Location"] == "/sla/queue/"


def test_ids_past_a_thousand_post_back_as_numbers(org, member):
    """The site writes numbers with thousands separators: a lead's id in a form must not be
    "12,345"."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('crm_lead', 'id'), 123455)")
    lead = lead_create(organization=org, by=None, name="Eve", stage="mql")
    client = signed_in_client(member(Role.SALES_REP))

    page = client.get("/sla/queue/").content.decode()
    panel = client.get(f"/crm/leads/{lead.pk}/").content.decode()

    assert lead.pk == 123456
    assert 'value="123456"' in page
    assert 'data-testid="accept-123456"' in page
    assert 'name="accept_one" value="123456"' in panel
