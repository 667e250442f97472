"""The change journal's marks: which KPI cells a write makes stale."""

from datetime import UTC, datetime

import pytest

from crm.journal import clear_marks, every_mark, mark_deals, mark_deals_and_leads, mark_leads
from crm.models import Channel
from crm.services.deals import deal_create
from crm.services.leads import lead_create

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 1, 10, tzinfo=UTC)


def cells(org):
    return {(month, channel) for month, channel, _token in every_mark(org.pk)}


def test_deals_and_leads_marked_at_once_mark_what_each_would(org):
    social, email = (Channel.objects.get(organization=org, code=c) for c in ("social", "email"))
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="mql", created_at=T0, channel=social
    )
    bob = lead_create(
        organization=org, by=None, name="Bob", stage="lead", created_at=T0, channel=email
    )
    won = deal_create(
        organization=org, by=None, lead=bob, status="won", created_at=T0,
        closed_at=datetime(2026, 3, 2, tzinfo=UTC),
    )  # fmt: skip
    open_deal = deal_create(organization=org, by=None, name="No lead")
    clear_marks(org.pk, every_mark(org.pk))

    mark_deals(org.pk, [won.pk, open_deal.pk])
    mark_leads(org.pk, [ann.pk])
    apart = cells(org)
    clear_marks(org.pk, every_mark(org.pk))
    mark_deals_and_leads(org.pk, [won.pk, open_deal.pk], [ann.pk])

    assert cells(org) == apart
    assert apart == {
        (datetime(2026, 3, 1).date(), email.pk),
        (None, None),
        (datetime(2026, 1, 1).date(), social.pk),
    }
