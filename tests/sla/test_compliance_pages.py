"""The compliance pages: the scorecard of both sides, of a month or of the agreement to
date, and the breaches, filtered and paginated; every member reads them, another
organisation's never show, and a bad month or filter is answered with a clear 4xx."""

import re
from datetime import date, time

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import Membership, Role
from sla.models import Breach
from sla.services import agreement_create, calendar_update, compliance_recompute
from smarketing.lib.months import add_months
from tests.conftest import ALL_ROLES, signed_in_client
from tests.factories import MembershipFactory
from tests.sla.compliance_history import at, four_mqls, handed_over, sign, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(org, member):
    """four_mqls in the week of Monday 3 March 2025, under 2025's agreement."""
    return four_mqls(org, member, first_month=date(2025, 1, 1), monday=date(2025, 3, 3))


def test_the_scorecard_of_a_month_shows_both_sides_figures(history, member):
    page = signed_in_client(member(Role.SALES_REP)).get("/sla/compliance/?month=2025-03")

    assert page.status_code == 200
    assert text_of(page, "read-for").startswith("March 2025 · version 1 of the agreement")
    # Marketing: 4 delivered of the 4 committed; by channel, by name.
    assert text_of(page, "delivered") == "MQLs delivered 4 of 4 committed"
    assert text_of(page, "channel-paid_search") == "Paid search 2 2 100.0%"
    assert text_of(page, "channel-social") == "Social 1 2 200.0%"
    # 1 accepted of the 2 decided, against 60% agreed; no fit measured; March not behind.
    assert text_of(page, "acceptance") == "Accepted by sales 50.0% agreed: at least 60%"
    assert text_of(page, "fit") == "Fit a buyer persona — no share promised"
    assert text_of(page, "months-behind").startswith("Months behind 0")
    # Sales: responses of 1, 1.25 and 6 business hours (the middle one, the 90th the last).
    assert text_of(page, "response") == (
        "First touch, median 1.25 business hours 90th percentile: 6 business hours"
    )
    # Ann and Dee in time, of the four due; Ann, Ben (decided first) and Dee tried enough;
    # Ann and Ben decided in time; Cy untouched, Cy and Dee undecided.
    assert text_of(page, "within-window") == "Touched within 4 business hours 50.0% 3 MQLs touched"
    assert text_of(page, "attempts") == "At least 2 attempts within 2 business days 75.0%"
    assert text_of(page, "decided") == (
        "Accepted or rejected within 2 business days 50.0% 2 MQLs decided"
    )
    assert text_of(page, "overdue").startswith("Overdue now 3 1 not touched, 2 not decided")
    assert text_of(page, "breaches-first_touch") == "2"
    assert text_of(page, "breaches-attempts") == "1"
    assert text_of(page, "breaches-decision") == "2"
    assert "figures as of" in text_of(page, "read-for")


def test_who_owes_whom_and_the_shortfall_in_customers_and_revenue(history, member):
    page = signed_in_client(member(Role.LEADERSHIP)).get("/sla/compliance/")

    assert page.status_code == 200
    assert text_of(page, "read-for").startswith("January 2025 – December 2025 · to date")
    # Twelve months of 4 committed, 4 delivered: marketing owes 44.
    assert text_of(page, "delivered") == "MQLs delivered 4 of 48 committed"
    assert text_of(page, "months-behind").startswith("Months behind 11")
    owes = text_of(page, "owes-marketing")
    assert owes.startswith("Marketing Marketing owes sales 44 MQLs: 4 delivered of 48 agreed.")
    assert "Sales accepted 50.0% of them, against 60.0% agreed." in owes
    assert text_of(page, "owes-sales").startswith(
        "Sales Sales owes marketing a first touch on 1 MQL and a decision on 2 MQLs"
    )
    # Volume: 44 x 0.0625 = 2.75 customers (2.8), 27,500; quality: 2 decided x 60% - 1
    # accepted = 0.2 MQLs x 0.125 = 0.025 customers (0.0), 250; speed: too few to measure.
    assert text_of(page, "shortfall-volume") == (
        "Volume MQLs marketing did not deliver 44 2.8 customers, €27,500"
    )
    assert text_of(page, "shortfall-quality") == (
        "Quality MQLs rejected beyond the acceptance agreed 0.2 0.0 customers, €250"
    )
    assert text_of(page, "shortfall-speed") == (
        "Speed MQLs touched late, or not at all 2 not enough history yet to measure what speed is worth"
    )
    assert (
        text_of(page, "shortfall-total") == "In all, of the parts measured 2.8 customers, €27,750"
    )


def test_the_month_picker_offers_the_agreements_months_and_to_date(history, member):
    page = signed_in_client(member(Role.SALES_REP)).get("/sla/compliance/?month=2025-03")

    html = page.content.decode()
    start = html.index('data-testid="month-picker"')
    picker = html[start : html.index("</select>", start)]
    assert '<option value="">The agreement to date</option>' in picker
    assert 'label="January 2025 – December 2025"' in picker
    months = re.findall(r'<option value="(\d{4}-\d{2})"', picker)
    assert months == [f"{add_months(date(2025, 12, 1), -i):%Y-%m}" for i in range(12)]
    assert '<option value="2025-03" selected>March 2025</option>' in picker


def test_the_scorecard_refreshes_alone_for_htmx(history, member):
    page = signed_in_client(member(Role.SALES_REP)).get(
        "/sla/compliance/?month=2025-03", HTTP_HX_REQUEST="true"
    )

    assert "<html" not in page.content.decode()
    assert text_of(page, "delivered") == "MQLs delivered 4 of 4 committed"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_reads_both_pages(history, member, role):
    client = signed_in_client(member(role))

    assert client.get(reverse("sla-compliance")).status_code == 200
    assert client.get(reverse("sla-breaches")).status_code == 200


def test_someone_signed_out_is_sent_to_sign_in(history, client):
    for url in ("/sla/compliance/", "/sla/breaches/"):
        assert client.get(url).status_code == 302


def test_without_a_signed_agreement_the_page_says_so_and_links_the_agreements(org, member):
    agreement_create(
        organization=org, by=None, first_month=date(2025, 1, 1), terms={"mqls_per_month": 4}
    )  # fmt: skip  (a draft: not signed)

    page = signed_in_client(member(Role.SALES_REP)).get("/sla/compliance/")

    assert page.status_code == 200
    assert "No agreement is signed yet" in text_of(page, "no-agreement")
    assert f'href="{reverse("sla-agreements")}"' in page.content.decode()
    assert 'data-testid="month-picker"' not in page.content.decode()


def test_an_agreement_still_to_start_is_said_to_be_so(org, member):
    sign(org, member, date(timezone.localdate().year + 1, 1, 1), mqls_per_month=4)

    page = signed_in_client(member(Role.SALES_REP)).get("/sla/compliance/")

    assert page.status_code == 200
    assert "No signed agreement has started yet." in text_of(page, "not-covered")


def test_figures_not_computed_yet_are_said_to_be_so(org, member):
    sign(org, member, date(2025, 1, 1), mqls_per_month=4)  # no recompute has run

    page = signed_in_client(member(Role.SALES_REP)).get("/sla/compliance/?month=2025-03")

    assert page.status_code == 200
    assert "not computed yet" in text_of(page, "not-computed")
    assert text_of(page, "delivered") == "MQLs delivered 0 of 4 committed"


@pytest.mark.parametrize(
    ("month", "code", "says"),
    [
        ("2025-13", 400, "Enter a month like 2026-03."),
        ("March", 400, "Enter a month like 2026-03."),
        ("2025-03-01'--", 400, "Enter a month like 2026-03."),
        ("0001-01", 400, "Enter a date from 1990-01-01 to 2100-12-31."),
        ("2026-03", 404, "No signed agreement covers March 2026."),
    ],
)
def test_a_bad_month_is_answered_clearly(history, member, month, code, says):
    page = signed_in_client(member(Role.SALES_REP)).get("/sla/compliance/", {"month": month})

    assert page.status_code == code
    assert says in page.content.decode()
    assert 'data-testid="owes"' not in page.content.decode()


def test_another_organisations_agreement_month_shows_nothing_of_theirs(history, member, other_org):
    """Other Inc has 2024's agreement, with Zed never touched; Acme has none for 2024."""
    theirs = lambda role: MembershipFactory(organization=other_org, role=role)  # noqa: E731
    calendar_update(organization=other_org, time_zone="Europe/Rome", working_days=[1, 2, 3, 4, 5],
                    day_start=time(9), day_end=time(18))  # fmt: skip
    sign(other_org, theirs, date(2024, 1, 1), mqls_per_month=7)
    handed_over(other_org, "Zed", at(date(2024, 3, 4), 10))
    compliance_recompute(organization_id=other_org.pk, now=timezone.now())
    assert Breach.objects.filter(organization=other_org, lead__isnull=False).exists()
    client = signed_in_client(member(Role.ADMIN))

    month = client.get("/sla/compliance/?month=2024-03")
    breaches = client.get("/sla/breaches/?month=2024-03")
    everything = client.get("/sla/breaches/")

    assert month.status_code == 404
    assert "No signed agreement covers March 2024." in month.content.decode()
    assert 'value="2024-03"' not in month.content.decode()  # not among the months offered
    assert "No breach matches these filters." in breaches.content.decode()
    assert "Zed" not in everything.content.decode()
    assert "March 2024" not in everything.content.decode()
    assert "16 breaches" in everything.content.decode()  # Acme's own


def test_the_breaches_list_the_lead_or_the_month_the_owner_and_the_state(history, member):
    page = signed_in_client(member(Role.SALES_MANAGER)).get("/sla/breaches/")

    html = page.content.decode()
    assert page.status_code == 200
    # Cy: not touched, too few attempts, not decided; Ben: touched late; Dee: not decided;
    # and the eleven months of 2025 with fewer than 4 MQLs.
    assert "16 breaches, the latest deadline first." in html
    assert "Times in Europe/Rome" in html
    rows = re.findall(r'<tr data-testid="breach">(.*?)</tr>', html, re.S)
    words = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]
    # A lead's first touch was due 4 business hours after its hand-off, in Rome's time.
    cy_late = next(w for w in words if " Cy " in f" {w} " and "Not touched in time" in w)
    assert cy_late.startswith("Not touched in time Cy Rita Rossi 03/05/2025 2 p.m. open")
    ben = next(w for w in words if " Ben " in f" {w} ")
    assert ben.startswith("Not touched in time Ben Rob Reed 03/04/2025 2 p.m. resolved")
    assert (
        f'href="{reverse("crm-detail", kwargs={"kind": "leads", "pk": history["cy"].pk})}"' in html
    )
    april = "MQLs behind the commitment April 2025: 0 MQLs delivered, at least 4 agreed"
    assert any(
        w.startswith(f"{april} The marketing managers end of April 2025 open") for w in words
    )
    assert "March 2025:" not in html  # March delivered its 4


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("side=sales", 5),
        ("side=marketing", 11),
        ("kind=decision", 2),
        ("kind=first_touch&open=true", 1),  # Cy's; Ben's is resolved
        ("open=false", 1),
        ("month=2025-03", 5),
        ("month=2025-04&side=marketing", 1),
        ("side=sales&kind=volume", 0),
    ],
)
def test_the_breaches_filter(history, member, query, count):
    page = signed_in_client(member(Role.SALES_REP)).get(f"/sla/breaches/?{query}")

    assert page.status_code == 200
    assert len(re.findall(r'<tr data-testid="breach">', page.content.decode())) == count


def test_mine_shows_the_readers_own_breaches(history, member):
    rita = Membership.objects.get(user=history["rita"])
    page = signed_in_client(rita).get("/sla/breaches/?mine=on")

    html = page.content.decode()
    assert "4 breaches" in html  # Cy's three and Dee's decision
    assert "Rob Reed" not in html.split('data-testid="breaches"')[1]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("side=leadership", "Side: Select a valid choice."),
        ("kind=late", "Kind: Select a valid choice."),
        ("open=maybe", "State: Select a valid choice."),
        ("month=2025-13", "Month: Enter a month like 2026-03."),
        ("month=9999-01", "Month: Enter a date from 1990-01-01 to 2100-12-31."),
    ],
)
def test_a_bad_filter_is_answered_clearly(history, member, query, says):
    page = signed_in_client(member(Role.SALES_REP)).get(f"/sla/breaches/?{query}")

    assert page.status_code == 400
    assert says in " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    assert 'data-testid="breach"' not in page.content.decode()


def test_the_breaches_come_fifty_to_a_page(history, member, org):
    for i in range(16):  # three breaches each: never touched, tried or decided
        handed_over(org, f"Late {i}", at(date(2025, 5, 5), 10 + i % 6))
    compliance_recompute(organization_id=org.pk, now=timezone.now())
    client = signed_in_client(member(Role.SALES_REP))

    first = client.get("/sla/breaches/?side=sales").content.decode()
    second = client.get("/sla/breaches/?side=sales&page=2").content.decode()
    wild = client.get("/sla/breaches/?side=sales&page=banana")

    assert "53 breaches" in first  # Acme's 5, and 16 x 3
    assert first.count('data-testid="breach"') == 50
    assert "Page 1 of 2" in first
    assert 'href="?side=sales&amp;page=2"' in first
    assert second.count('data-testid="breach"') == 3
    assert "Page 2 of 2" in second
    assert wild.status_code == 200
    assert wild.content.decode().count('data-testid="breach"') == 50  # the first page


def test_the_pages_read_in_a_fixed_number_of_queries(
    history, member, django_assert_max_num_queries
):
    client = signed_in_client(member(Role.SALES_REP))
    client.get("/sla/compliance/")

    with django_assert_max_num_queries(20):
        client.get("/sla/compliance/")
    with django_assert_max_num_queries(10):
        client.get("/sla/breaches/")


def test_the_menu_and_the_agreements_and_queue_pages_link_both(history, member):
    client = signed_in_client(member(Role.SALES_REP))

    for url in ("/sla/", "/sla/queue/", "/"):
        html = client.get(url).content.decode()
        assert f'href="{reverse("sla-compliance")}"' in html, url
        assert f'href="{reverse("sla-breaches")}' in html, url
