"""Webhooks with a real Celery worker over Redis against a real local receiver: a failing
delivery retried by Celery until it succeeds, with the same webhook-id and a valid signature
each time; an endpoint failing for a day disabled and its admins told."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from orgs.models import Role
from reviews.models import Notification, Topic, WebhookDelivery, WebhookEndpoint
from reviews.services.webhooks import STOPPED_DISABLED, webhook_endpoint_create
from smarketing.lib.events import Happening, Kind, announce
from tests.reviews.receiver import running_receiver
from tests.workers import real_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver(settings, monkeypatch):
    """The receiver on 127.0.0.1, allowed here and in the worker (which reads the
    environment), with one-second waits between tries."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("WEBHOOKS_RETRY_SECONDS", "1")
    with running_receiver() as found:
        yield found


def breach(org, key="breach-1"):
    with transaction.atomic():
        announce(Happening(organization_id=org.pk, kind=Kind.SLA_BREACH, key=key,
                           data={"breach_kind": "first_touch", "lead_name": "Ann"}))  # fmt: skip


def test_a_real_worker_retries_a_failing_delivery_until_the_receiver_takes_it(org, receiver):
    hook = webhook_endpoint_create(
        organization=org, by=None, url=receiver.url(), events=["sla.breach"]
    )
    receiver.answers = [503, 500]

    with real_worker() as worker:
        breach(org)
        delivered = worker.wait_until(
            lambda: WebhookDelivery.objects.filter(status="succeeded").exists(), 60
        )

    assert delivered, worker.output
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.response_status) == (3, 200)
    payloads = receiver.verified(hook.secret)
    assert [p["type"] for p in payloads] == ["sla.breach"] * 3
    assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery.message_id}
    assert "Retry in 1s" in worker.output[0]
    hook.refresh_from_db()
    assert hook.failing_since is None
    assert hook.last_success_at is not None


def test_a_real_worker_disables_an_endpoint_failing_for_a_day_and_tells_its_admins(
    org, member, receiver
):
    admin, rep = member(Role.ADMIN), member(Role.SALES_REP)
    hook = webhook_endpoint_create(
        organization=org, by=None, url=receiver.url(), events=["sla.breach"]
    )
    WebhookEndpoint.objects.filter(pk=hook.pk).update(
        failing_since=timezone.now() - timedelta(hours=25)
    )
    receiver.then = 500

    with real_worker() as worker:
        breach(org)
        told = worker.wait_until(
            lambda: Notification.objects.filter(topic=Topic.WEBHOOKS).exists(), 60
        )

    assert told, worker.output
    hook.refresh_from_db()
    assert not hook.active
    assert hook.disabled_at is not None
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.error, delivery.response_status) == (
        "failed", STOPPED_DISABLED, 500,
    )  # fmt: skip
    assert len(receiver.requests) == 1  # nothing more went to it
    notice = Notification.objects.get(topic=Topic.WEBHOOKS)
    assert notice.user == admin.user
    assert notice.event.kind == "webhook.disabled"
    assert not Notification.objects.filter(user=rep.user).exists()
