"""Thirty days before an agreement in force ends, both managers are reminded to renew it, once;
not a draft, not one already followed by the next period's."""

from datetime import date

import pytest
from django.core import mail

from orgs.models import Role
from sla.models import Agreement, Side
from sla.services import agreement_create, agreement_sign
from sla.services.reminders import agreements_remind

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_force(org, member):
    marketing, sales = member(Role.MARKETING_MANAGER), member(Role.SALES_MANAGER)
    member(Role.SALES_REP)  # not reminded

    def make(first=date(2027, 1, 1), sign=True):
        agreement = agreement_create(
            organization=org, by=None, first_month=first, terms={"mqls_per_month": 50}
        )
        if sign:
            agreement_sign(agreement=agreement, membership=marketing, side=Side.MARKETING)
            agreement_sign(agreement=agreement, membership=sales, side=Side.SALES)
        return agreement

    make.managers = (marketing, sales)
    return make


def test_both_managers_are_reminded_once_thirty_days_before_the_end(
    in_force, django_capture_on_commit_callbacks
):
    agreement = in_force()

    with django_capture_on_commit_callbacks(execute=True):
        early = agreements_remind(today=date(2027, 11, 30))  # 31 days before 31 December
        due = agreements_remind(today=date(2027, 12, 1))
        again = agreements_remind(today=date(2027, 12, 2))

    assert (early, due, again) == (0, 1, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in in_force.managers)
    assert "ends on Dec. 31, 2027" in mail.outbox[0].body
    assert f"go/?next=%2Fsla%2F{agreement.pk}%2F" in mail.outbox[0].body
    assert Agreement.objects.get().renewal_reminded_at is not None


def test_a_draft_or_an_agreement_already_renewed_is_not_reminded(
    in_force, django_capture_on_commit_callbacks
):
    in_force(sign=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert agreements_remind(today=date(2027, 12, 10)) == 0
    Agreement.objects.all().delete()
    in_force()
    in_force(first=date(2028, 1, 1), sign=False)  # next year's is being drafted
    with django_capture_on_commit_callbacks(execute=True):
        assert agreements_remind(today=date(2027, 12, 10)) == 0
    assert mail.outbox == []
