"""`kpis.updated` goes to the webhooks that listen for it once a recompute (the months it
rewrote), not once a cell; an organisation that nobody listens to records nothing."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm.services.deals import deal_create, deal_win
from crm.services.leads import lead_create
from reviews.models import Event, WebhookDelivery
from reviews.services.webhooks import webhook_endpoint_create
from smarketing.lib.events import Kind

pytestmark = pytest.mark.django_db


def win(org):
    lead = lead_create(organization=org, by=None, name="Ann", stage="sql")
    deal = deal_create(organization=org, by=None, lead=lead, amount=Decimal("4200"))
    deal_win(deal=deal, by=None, at=datetime(2026, 11, 10, 12, tzinfo=UTC))


def test_one_event_a_recompute_for_the_webhooks_that_listen(
    org, other_org, django_capture_on_commit_callbacks
):
    endpoint = webhook_endpoint_create(
        organization=org, by=None, url="https://hooks.example.com/in",
        events=[Kind.KPIS_UPDATED],
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        win(org)
        win(other_org)

    (event,) = Event.objects.filter(kind=Kind.KPIS_UPDATED)
    assert event.organization_id == org.pk
    assert "2026-11" in event.data["months"]
    assert not event.notifications.exists()  # news for other tools only
    (delivery,) = WebhookDelivery.objects.filter(event=event)
    assert delivery.endpoint_id == endpoint.pk
