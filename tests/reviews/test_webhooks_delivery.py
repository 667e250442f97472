"""Webhook deliveries against a real local receiver: signed after the Standard Webhooks
specification (verified with the standardwebhooks package), made once per endpoint and event
after commit, tried again, given up after a day with the endpoint disabled and its admins
told, never sent to an address that is not public unless the setting allows it."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import WebhookVerificationError

from orgs.models import Role
from reviews.models import Event, Notification, Topic, WebhookDelivery, WebhookEndpoint
from reviews.services.dispatch import events_dispatch
from reviews.services.webhooks import (
    STOPPED_DISABLED,
    webhook_deliveries_create,
    webhook_deliveries_purge,
    webhook_delivery_attempt,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_test,
    webhook_endpoint_update,
    webhooks_sweep,
)
from smarketing.lib.events import Happening, Kind, announce
from tests.reviews.receiver import running_receiver

pytestmark = pytest.mark.django_db

BREACH = {"breach_kind": "first_touch", "lead": 12, "lead_name": "Ann Lee"}


@pytest.fixture
def receiver():
    with running_receiver() as found:
        yield found


@pytest.fixture
def private_allowed(settings):
    """The local receiver listens on 127.0.0.1: allowed here, as in local development."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def announced(django_capture_on_commit_callbacks):
    """announced(org, kind, key, data): a happening announced in a transaction that commits,
    and everything it sends after commit run (tasks run in-process here)."""

    def announce_it(org, kind=Kind.SLA_BREACH, key="breach-1", data=None):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            announce(Happening(organization_id=org.pk, kind=kind, key=key, data=data or BREACH))

    return announce_it


def endpoint(org, url, events=(Kind.SLA_BREACH,)):
    return webhook_endpoint_create(organization=org, by=None, url=url, events=list(events))


def test_an_event_is_posted_signed_after_the_standard(org, receiver, announced, private_allowed):
    hook = endpoint(org, receiver.url())

    announced(org)

    assert len(receiver.requests) == 1
    [payload] = receiver.verified(hook.secret)
    event = Event.objects.get(organization=org, key="breach-1")
    assert payload == {
        "type": "sla.breach",
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {**BREACH, "organization": "acme"},
    }
    sent = receiver.requests[0]
    delivery = WebhookDelivery.objects.get()
    assert sent.headers["webhook-id"] == delivery.message_id
    assert sent.headers["webhook-signature"].startswith("v1,")
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.path == "/hook"
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    assert delivery.event == event
    hook.refresh_from_db()
    assert hook.last_success_at is not None
    assert hook.failing_since is None


def test_a_body_signed_with_another_secret_does_not_verify(
    org, receiver, announced, private_allowed
):
    endpoint(org, receiver.url())
    other = endpoint(org, receiver.url("/other"), events=[Kind.KPIS_UPDATED])

    announced(org)

    with pytest.raises(WebhookVerificationError):
        receiver.verified(other.secret)
    tampered = receiver.requests[0]
    tampered.body = tampered.body.replace(b"Ann Lee", b"Bob Lee")
    with pytest.raises(WebhookVerificationError):
        receiver.verified(WebhookEndpoint.objects.get(url=receiver.url()).secret)


def test_nothing_is_sent_for_a_change_rolled_back(
    org, receiver, private_allowed, django_capture_on_commit_callbacks
):
    endpoint(org, receiver.url())

    def change_that_fails():
        with transaction.atomic():
            announce(Happening(organization_id=org.pk, kind=Kind.SLA_BREACH, key="k", data={}))
            raise RuntimeError("the change fails")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_that_fails()

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_each_endpoint_hears_once_of_each_event_it_subscribed_to(
    org, receiver, announced, private_allowed
):
    breaches = endpoint(org, receiver.url("/breaches"), events=[Kind.SLA_BREACH])
    both = endpoint(org, receiver.url("/both"), events=[Kind.SLA_BREACH, Kind.KPIS_UPDATED])

    announced(org, Kind.SLA_BREACH, "breach-1")
    announced(org, Kind.SLA_BREACH, "breach-1")  # the same happening again: recorded once
    announced(org, Kind.KPIS_UPDATED, "kpis-1", {"months": ["2026-03"]})
    announced(org, Kind.AGREEMENT_SIGNATURE, "sign-1", {"name": "2026"})  # not published
    events = list(Event.objects.filter(organization=org))
    made_again = webhook_deliveries_create(
        organization_id=org.pk, events=events, now=timezone.now()
    )
    events_dispatch(organization_id=org.pk, now=timezone.now())

    paths = sorted(r.path for r in receiver.requests)
    assert paths == ["/both", "/both", "/breaches"]
    assert made_again == 0
    assert breaches.deliveries.count() == 1
    assert sorted(both.deliveries.values_list("kind", flat=True)) == ["kpis.updated", "sla.breach"]
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 3


def test_another_organisations_endpoints_hear_nothing(
    org, other_org, receiver, announced, private_allowed
):
    endpoint(other_org, receiver.url("/other"))

    announced(org)

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_an_endpoint_turned_off_hears_nothing(org, receiver, announced, private_allowed):
    hook = endpoint(org, receiver.url())
    webhook_endpoint_update(endpoint=hook, active=False)

    announced(org)

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_failed_delivery_waits_and_the_sweep_sends_it_again_with_the_same_id(
    org, receiver, announced, private_allowed
):
    hook = endpoint(org, receiver.url())
    receiver.answers = [500]
    before = timezone.now()

    announced(org)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert len(delivery.response_excerpt) == 500  # the answer's 5,000 bytes, cut short
    assert delivery.next_attempt_at is not None
    waited = delivery.next_attempt_at - before
    assert timedelta(seconds=29) < waited < timedelta(seconds=40)
    hook.refresh_from_db()
    assert hook.failing_since is not None
    assert webhooks_sweep(now=timezone.now()) == 0  # not due yet

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )  # its wait is over
    assert webhooks_sweep(now=timezone.now()) == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 2, 200)
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    assert len(receiver.verified(hook.secret)) == 2
    hook.refresh_from_db()
    assert hook.failing_since is None


def test_a_delivery_is_given_up_a_day_after_its_first_try_and_its_endpoint_disabled(
    org, member, receiver, announced, private_allowed, django_capture_on_commit_callbacks
):
    admin, manager = member(Role.ADMIN), member(Role.SALES_MANAGER)
    admin.user.email = "admin@acme.test"
    admin.user.save()
    hook = endpoint(org, receiver.url())
    receiver.then = 503

    announced(org)
    delivery = WebhookDelivery.objects.get()
    a_day_later = delivery.started_at + timedelta(hours=24)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=a_day_later)
    with django_capture_on_commit_callbacks(execute=True):
        tried = webhook_delivery_attempt(delivery_id=delivery.pk, now=a_day_later)

    assert (tried.tried, tried.succeeded, tried.retry_at) == (True, False, None)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 2, 503)
    hook.refresh_from_db()
    assert not hook.active
    assert hook.disabled_at == a_day_later
    told = Notification.objects.get(organization=org, topic=Topic.WEBHOOKS)
    assert told.user == admin.user
    assert told.event.data["url"] == hook.url
    assert not Notification.objects.filter(user=manager.user).exists()
    [email] = mail.outbox
    assert email.to == ["admin@acme.test"]
    assert f"The webhook to {hook.url} was disabled" in email.subject

    announced(org, key="breach-2")  # a disabled endpoint hears nothing more
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 2


def test_a_failure_on_an_endpoint_failing_for_a_day_disables_it_and_stops_its_deliveries(
    org, receiver, announced, private_allowed
):
    hook = endpoint(org, receiver.url())
    receiver.then = 500
    announced(org, key="breach-1")
    WebhookEndpoint.objects.filter(pk=hook.pk).update(
        failing_since=timezone.now() - timedelta(hours=25)
    )

    announced(org, key="breach-2")

    hook.refresh_from_db()
    assert not hook.active
    statuses = dict(WebhookDelivery.objects.values_list("event__key", "error"))
    assert statuses == {"breach-1": STOPPED_DISABLED, "breach-2": STOPPED_DISABLED}
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}


def test_enabled_again_it_forgets_its_failures_and_a_resend_delivers_the_same_message(
    org, receiver, announced, private_allowed, django_capture_on_commit_callbacks
):
    hook = endpoint(org, receiver.url())
    receiver.answers = [500, 500]
    announced(org)
    WebhookEndpoint.objects.filter(pk=hook.pk).update(
        failing_since=timezone.now() - timedelta(hours=25)
    )
    delivery = WebhookDelivery.objects.select_related("endpoint").get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    webhook_delivery_attempt(delivery_id=delivery.pk, now=timezone.now())
    hook.refresh_from_db()
    assert not hook.active

    hook = webhook_endpoint_update(endpoint=hook, active=True)
    delivery.refresh_from_db()
    delivery.endpoint = hook
    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_resend(delivery=delivery, now=timezone.now())

    assert (hook.failing_since, hook.disabled_at) == (None, None)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len(receiver.verified(hook.secret)) == 3


def test_a_redirect_is_a_failure_and_is_not_followed(org, receiver, announced, private_allowed):
    endpoint(org, receiver.url())
    receiver.answers = [302]
    receiver.location = receiver.url("/elsewhere")

    announced(org)

    assert [r.path for r in receiver.requests] == ["/hook"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status) == ("pending", 302)


def test_an_answer_too_slow_is_a_failure(org, receiver, announced, private_allowed, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    endpoint(org, receiver.url())
    receiver.delay = 2

    announced(org)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status, delivery.error) == (
        "pending", None, "timed out",
    )  # fmt: skip
    assert (delivery.duration_ms or 0) >= 1000


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("127.0.0.1:{port}", "127.0.0.1, a loopback address"),
        ("localhost:{port}", "a loopback address"),
        ("[::1]:{port}", "::1, a loopback address"),
        ("10.0.0.1", "10.0.0.1, a private address"),
        ("169.254.169.254", "169.254.169.254, a link-local address"),
    ],
)
def test_deliveries_never_go_to_an_address_that_is_not_public(
    org, receiver, announced, settings, host, reason
):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # registered while allowed (a literal address
    hook = endpoint(org, f"http://{host.format(port=receiver.port)}/hook")  # is refused then)
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    announced(org)

    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get(endpoint=hook)
    assert delivery.status == "pending"
    assert delivery.error.startswith("refused:")
    assert reason in delivery.error
    assert delivery.response_status is None


def test_a_name_resolving_to_loopback_is_delivered_to_when_private_addresses_are_allowed(
    org, receiver, announced, private_allowed
):
    hook = endpoint(org, receiver.url(host="localhost"))

    announced(org)

    assert len(receiver.verified(hook.secret)) == 1
    assert receiver.requests[0].headers["Host"] == f"localhost:{receiver.port}"


def test_it_connects_to_the_address_it_checked_not_to_a_second_resolution(
    org, receiver, announced, private_allowed, monkeypatch
):
    """DNS rebinding: a name that answers a checked address first and another one after
    must not be asked again between the check and the connection."""
    real = socket.getaddrinfo
    asked = []

    def rebinding(host, port, *args, **kwargs):
        if host == "hooks.example.test":
            asked.append(host)
            first = "127.0.0.1" if len(asked) == 1 else "10.9.9.9"
            return real(first, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    hook = endpoint(org, f"http://hooks.example.test:{receiver.port}/hook")

    announced(org)

    assert asked == ["hooks.example.test"]
    assert len(receiver.verified(hook.secret)) == 1
    assert receiver.requests[0].headers["Host"] == f"hooks.example.test:{receiver.port}"


def test_a_ping_is_tried_once_and_counts_for_nothing_else(
    org, receiver, private_allowed, django_capture_on_commit_callbacks
):
    hook = endpoint(org, receiver.url())
    receiver.answers = [500]

    with django_capture_on_commit_callbacks(execute=True):
        failed = webhook_endpoint_test(endpoint=hook, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        delivered = webhook_endpoint_test(endpoint=hook, now=timezone.now())

    failed.refresh_from_db()
    delivered.refresh_from_db()
    assert (failed.status, failed.attempts, failed.next_attempt_at) == ("failed", 1, None)
    assert (delivered.status, delivered.response_status) == ("succeeded", 200)
    hook.refresh_from_db()
    assert (hook.failing_since, hook.last_success_at) == (None, None)
    pings = receiver.verified(hook.secret)
    assert [p["type"] for p in pings] == ["ping", "ping"]
    assert pings[0]["data"] == {"organization": "acme"}


def test_the_sweep_leaves_deliveries_not_due_and_those_of_disabled_endpoints(
    org, receiver, announced, private_allowed
):
    hook = endpoint(org, receiver.url())
    receiver.then = 500
    announced(org)
    past = timezone.now() - timedelta(minutes=5)
    WebhookDelivery.objects.update(next_attempt_at=past)
    WebhookEndpoint.objects.filter(pk=hook.pk).update(active=False)

    assert webhooks_sweep(now=timezone.now()) == 0
    assert len(receiver.requests) == 1


def test_old_finished_deliveries_are_purged_and_waiting_ones_kept(
    org, receiver, announced, private_allowed, settings
):
    endpoint(org, receiver.url())
    announced(org, key="delivered")
    receiver.then = 500
    announced(org, key="waiting")
    old = timezone.now() - timedelta(days=settings.WEBHOOKS_LOG_DAYS + 1)
    WebhookDelivery.objects.update(created_at=old)

    assert webhook_deliveries_purge(now=timezone.now()) == 1
    assert list(WebhookDelivery.objects.values_list("event__key", flat=True)) == ["waiting"]


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_timeout():
    """Each byte comes before the socket's timeout, but the whole answer would take 10 s:
    the try ends at the timeout, so such a receiver cannot hold a shared worker."""
    import socket
    import threading
    import time

    from reviews.sending import post

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def trickle() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 40:
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.25)

    threading.Thread(target=trickle, daemon=True).start()
    started = time.monotonic()
    answer = post(f"http://127.0.0.1:{port}/hook", b"{}", {}, timeout=1, allow_private=True)
    took = time.monotonic() - started
    server.close()

    assert (answer.status, answer.error) == (None, "timed out")
    assert took < 5  # cut off, not the 10 s the whole answer would take
