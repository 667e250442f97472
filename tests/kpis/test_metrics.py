"""The metric dictionary: every KPI defined once, on a page every member can read."""

import pytest
from django.urls import reverse

from kpis.dictionary import METRICS
from orgs.models import Role
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_every_member_reads_every_metric(member, role):
    client = signed_in_client(member(role))

    page = client.get(reverse("metric-dictionary")).content.decode()

    assert 'data-testid="metric-dictionary"' in page
    for metric in METRICS:
        assert f'id="{metric.code}"' in page
        assert str(metric.name) in page
    assert "The deal&#x27;s close date." in page  # which date decides the month
    assert "response window: 24 hours." in page  # the organisation's setting, not a constant


def test_the_dictionary_names_each_kpi_of_the_api_once():
    codes = [metric.code for metric in METRICS]

    assert len(codes) == len(set(codes))
    for code in ["leads", "mqls", "sqls", "opportunities", "new_customers", "won_revenue",
                 "win_rate", "conversion", "avg_deal_size", "sales_cycle_days", "response",
                 "cost_per_lead", "cac", "roi", "arpu", "repeat", "reactivated_customers"]:  # fmt: skip
        assert code in codes, code


def test_the_dashboards_link_to_it_and_the_sidebar_lists_it(member):
    client = signed_in_client(member(Role.LEADERSHIP))

    page = client.get("/dashboards/leadership/").content.decode()

    assert 'data-testid="metric-dictionary-link"' in page
    assert f'href="{reverse("metric-dictionary")}"' in page


def test_it_needs_a_signed_in_member(client):
    answer = client.get(reverse("metric-dictionary"))

    assert answer.status_code == 302
    assert "/accounts/login/" in answer["Location"]


def test_it_shows_in_the_members_language(member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    client.post(reverse("set_language"), {"language": "it"})
    page = client.get(reverse("metric-dictionary")).content.decode()

    assert "Dizionario delle metriche" in page
