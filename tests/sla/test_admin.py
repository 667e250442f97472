"""Staff read the SLA in the admin (agreements with their versions, signatures, calendars,
decisions, breaches) and change nothing there: the services sign, fingerprint and recompute."""

import pytest
from django.test import Client

from orgs.demo import seed_demo_organizations
from sla.models import Agreement, Breach
from sla.services import compliance_recompute
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_read_the_demos_agreement_and_breaches_but_change_nothing(staff):
    seed_demo_organizations()
    agreement = Agreement.objects.get()
    compliance_recompute(organization_id=agreement.organization_id, now=agreement.created_at)
    breach = Breach.objects.first()

    page = staff.get(f"/admin/sla/agreement/{agreement.pk}/change/")
    listed = staff.get("/admin/sla/breach/")
    posted = staff.post(
        f"/admin/sla/agreement/{agreement.pk}/change/", {"last_month": "2030-01-01"}
    )
    deleted = staff.post(f"/admin/sla/breach/{breach.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert str(agreement.versions.get().mqls_per_month).encode() in page.content
    assert listed.status_code == 200
    assert breach.key.encode() in listed.content
    assert posted.status_code == 403
    assert deleted.status_code == 403
    assert Breach.objects.filter(pk=breach.pk).exists()
    for model in ("signature", "businesscalendar", "decision"):
        assert staff.get(f"/admin/sla/{model}/").status_code == 200
