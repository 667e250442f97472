"""Staff read objectives in the admin and may delete one; they change them through the
product, whose services check the weights and refresh the check and the progress."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from objectives.models import Objective
from objectives.services import Draft, objective_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def objective(org, teams):
    draft = Draft(title="Revenue H1", metric="won_revenue", target=Decimal(500000),
                  first_month=date(2027, 1, 1), last_month=date(2027, 6, 1),
                  owners=[(teams["marketing"], Decimal(20)), (teams["sales"], Decimal(30))])  # fmt: skip
    return objective_create(organization=org, by=None, draft=draft, today=date(2026, 11, 15))


def test_staff_read_an_objective_and_its_owners_but_do_not_edit_it(staff, objective):
    page = staff.get(f"/admin/objectives/objective/{objective.pk}/change/")
    posted = staff.post(f"/admin/objectives/objective/{objective.pk}/change/", {"title": "Hacked"})

    assert page.status_code == 200
    assert b"Revenue H1" in page.content
    assert b"30.00" in page.content  # the sales manager's weight
    assert posted.status_code == 403
    assert Objective.objects.get().title == "Revenue H1"
    assert staff.get("/admin/objectives/objective/add/").status_code == 403


def test_staff_delete_an_objective_with_its_owners(staff, objective):
    answer = staff.post(f"/admin/objectives/objective/{objective.pk}/delete/", {"post": "yes"})

    assert answer.status_code == 302
    assert not Objective.objects.exists()
