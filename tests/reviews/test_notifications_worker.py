"""A real Celery worker tells what a request announced, after its commit: the notification
is e-mailed once (the worker stamps it), and a second dispatch changes nothing."""

import pytest
from django.utils import timezone

from orgs.models import Role
from reviews.models import Notification
from reviews.services.dispatch import events_dispatch
from tests.conftest import token_client
from tests.workers import real_worker, shared_redis_cache


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_e_mails_a_persona_awaiting_approval_once(member, settings):
    prefix = shared_redis_cache(settings)
    marketing, sales = member(Role.MARKETING_MANAGER), member(Role.SALES_MANAGER)
    sales.user.email = "sales@example.com"
    sales.user.save()
    body = {"name": "Ops lead", "criteria": [
        {"kind": "product_in", "weight": 1, "params": {"values": ["GTX Pro"]}}]}  # fmt: skip

    with real_worker(cache_prefix=prefix) as worker:
        made = token_client(marketing).post("/api/v1/personas/", body, format="json")
        assert made.status_code == 201, made.json()
        told = worker.wait_until(
            lambda: Notification.objects.filter(user=sales.user, emailed_at__isnull=False).exists(),
            seconds=30,
        )

    assert told, worker.output
    (notification,) = Notification.objects.filter(user=sales.user)
    stamped = notification.emailed_at
    assert events_dispatch(organization_id=sales.organization_id, now=timezone.now()) == 0
    notification.refresh_from_db()
    assert notification.emailed_at == stamped
    assert not Notification.objects.filter(user=marketing.user).exists()  # its author
