"""The webhook pages: admins only, the secret shown once, form errors beside their field with
nothing saved, the delivery log with its buttons, another organisation's ids a 404."""

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import Role
from reviews.models import MAX_ENDPOINTS, WebhookDelivery, WebhookEndpoint
from reviews.services.webhooks import STOPPED_DISABLED, webhook_endpoint_create
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/smarketing"
NOT_ADMINS = [Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.SALES_REP, Role.LEADERSHIP]


def registered(org, url=URL, events=("sla.breach",)):
    return webhook_endpoint_create(organization=org, by=None, url=url, events=list(events))


def logged(hook, **fields):
    values = {
        "organization_id": hook.organization_id, "endpoint": hook, "kind": "sla.breach",
        "message_id": f"msg_{WebhookDelivery.objects.count()}", "payload": {"type": "sla.breach"},
        **fields,
    }  # fmt: skip
    return WebhookDelivery.objects.create(**values)


def test_an_admin_registers_an_endpoint_and_reads_its_secret_once(client_as):
    admin = client_as(Role.ADMIN)

    answer = admin.post(
        reverse("webhooks"),
        {"url": URL, "events": ["sla.breach", "kpis.updated"], "description": "BI refresh"},
    )

    hook = WebhookEndpoint.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("webhook-endpoint", args=[hook.pk])
    first = admin.get(answer["Location"]).content.decode()
    again = admin.get(answer["Location"]).content.decode()
    assert hook.secret in first
    assert "Copy it now" in first
    assert hook.secret not in again
    assert hook.secret[:10] in again
    assert sorted(hook.events) == ["kpis.updated", "sla.breach"]
    assert hook.description == "BI refresh"
    listing = admin.get(reverse("webhooks")).content.decode()
    assert URL in listing
    assert "The KPIs were recomputed" in listing
    assert hook.secret not in listing


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"url": "ftp://hooks.example.com/", "events": ["sla.breach"]}, "http://"),
        ({"url": "https://me:pw@hooks.example.com/", "events": ["sla.breach"]}, "password"),
        ({"url": "https://" + "a" * 1000 + ".com/", "events": ["sla.breach"]}, "1000"),
        ({"url": "http://10.0.0.5/hook", "events": ["sla.breach"]}, "10.0.0.5"),
        ({"url": URL, "events": []}, "Choose at least one event."),
        ({"url": URL, "events": ["deal.won"]}, "deal.won"),
        ({"url": "", "events": ["sla.breach"]}, "This field is required."),
    ],
)
def test_a_bad_registration_is_shown_beside_its_field_and_nothing_is_saved(client_as, data, words):
    answer = client_as(Role.ADMIN).post(reverse("webhooks"), data)

    assert answer.status_code == 400
    text = answer.content.decode()
    assert 'class="error" role="alert"' in text
    assert words in text
    assert not WebhookEndpoint.objects.exists()


def test_past_ten_endpoints_the_form_is_gone_and_a_post_refused(org, client_as):
    for n in range(MAX_ENDPOINTS):
        registered(org, url=f"{URL}/{n}")
    admin = client_as(Role.ADMIN)

    page = admin.get(reverse("webhooks")).content.decode()
    refused = admin.post(reverse("webhooks"), {"url": URL, "events": ["sla.breach"]})

    assert 'data-testid="full"' in page
    assert 'data-testid="register-form"' not in page
    assert refused.status_code == 400
    assert "has at most 10 endpoints: remove one" in refused.content.decode()
    assert WebhookEndpoint.objects.count() == MAX_ENDPOINTS


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_reach_the_webhook_pages(org, member, role):
    hook = registered(org)
    delivery = logged(hook, status="failed")
    client = signed_in_client(member(role))

    answers = [
        client.get(reverse("webhooks")),
        client.post(reverse("webhooks"), {"url": URL, "events": ["sla.breach"]}),
        client.get(reverse("webhook-endpoint", args=[hook.pk])),
        client.post(
            reverse("webhook-endpoint", args=[hook.pk]),
            {"url": URL + "/x", "events": ["sla.breach"]},
        ),
        client.post(reverse("webhook-test", args=[hook.pk])),
        client.post(reverse("webhook-resend", args=[hook.pk, delivery.pk])),
        client.post(reverse("webhook-enable", args=[hook.pk]), {"off": "1"}),
        client.post(reverse("webhook-delete", args=[hook.pk])),
    ]

    assert [a.status_code for a in answers] == [403] * len(answers)
    assert "Webhooks" not in client.get(reverse("home")).content.decode()
    hook.refresh_from_db()
    assert (hook.url, hook.active) == (URL, True)
    assert WebhookDelivery.objects.get().status == "failed"


def test_the_menu_shows_webhooks_to_admins(client_as):
    home = client_as(Role.ADMIN).get(reverse("home")).content.decode()

    assert f'href="{reverse("webhooks")}"' in home


def test_another_organisations_endpoint_and_delivery_ids_answer_404(org, other_org, client_as):
    theirs = registered(other_org)
    their_delivery = logged(theirs, status="failed")
    ours = registered(org, url=URL + "/ours")
    admin = client_as(Role.ADMIN)

    answers = [
        admin.get(reverse("webhook-endpoint", args=[theirs.pk])),
        admin.post(
            reverse("webhook-endpoint", args=[theirs.pk]), {"url": URL, "events": ["kpis.updated"]}
        ),
        admin.post(reverse("webhook-test", args=[theirs.pk])),
        admin.post(reverse("webhook-resend", args=[theirs.pk, their_delivery.pk])),
        admin.post(reverse("webhook-resend", args=[ours.pk, their_delivery.pk])),
        admin.post(reverse("webhook-enable", args=[theirs.pk]), {"off": "1"}),
        admin.post(reverse("webhook-delete", args=[theirs.pk])),
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    theirs.refresh_from_db()
    assert (theirs.events, theirs.active) == (["sla.breach"], True)
    assert WebhookDelivery.objects.get().status == "failed"
    assert URL + "/ours" in admin.get(reverse("webhooks")).content.decode()
    assert (
        f'href="{reverse("webhook-endpoint", args=[theirs.pk])}"'
        not in admin.get(reverse("webhooks")).content.decode()
    )


def test_the_log_shows_each_delivery_with_its_status_attempts_and_code(org, client_as):
    hook = registered(org)
    now = timezone.now()
    logged(hook, status="succeeded", attempts=1, response_status=200, last_attempt_at=now)
    logged(hook, status="pending", attempts=2, response_status=503, last_attempt_at=now,
           next_attempt_at=now, response_excerpt="Service Unavailable")  # fmt: skip
    logged(hook, status="failed", attempts=4, error=STOPPED_DISABLED, kind="ping")

    page = client_as(Role.ADMIN).get(reverse("webhook-endpoint", args=[hook.pk])).content.decode()

    assert page.count('data-testid="delivery"') == 3
    assert page.count('data-testid="resend"') == 3
    for words in ["Delivered", "Waiting", "Failed", "503", "Service Unavailable",
                  "Test (ping)", "Stopped: the endpoint was disabled", "An SLA breach was found"]:  # fmt: skip
        assert words in page, words


def test_the_buttons_test_resend_turn_off_enable_and_remove(org, client_as):
    hook = registered(org)
    failed = logged(hook, status="failed", attempts=9)
    admin = client_as(Role.ADMIN)
    page = reverse("webhook-endpoint", args=[hook.pk])

    tested = admin.post(reverse("webhook-test", args=[hook.pk]))
    resent = admin.post(reverse("webhook-resend", args=[hook.pk, failed.pk]))
    off = admin.post(reverse("webhook-enable", args=[hook.pk]), {"off": "1"})
    hook.refresh_from_db()
    assert not hook.active
    refused = admin.post(reverse("webhook-resend", args=[hook.pk, failed.pk]), follow=True)
    on = admin.post(reverse("webhook-enable", args=[hook.pk]))

    assert [a["Location"] for a in (tested, resent, off, on)] == [page] * 4
    assert WebhookDelivery.objects.filter(kind="ping").count() == 1
    failed.refresh_from_db()
    assert failed.status == "failed"  # waiting after the resend, then stopped by turning off
    assert failed.error == "endpoint_turned_off"
    assert "enable it again to resend" in refused.content.decode()
    hook.refresh_from_db()
    assert hook.active
    removed = admin.post(reverse("webhook-delete", args=[hook.pk]))
    assert removed["Location"] == reverse("webhooks")
    assert not WebhookEndpoint.objects.exists()


def test_an_admin_edits_an_endpoint_and_a_bad_edit_changes_nothing(org, client_as):
    hook = registered(org)
    admin = client_as(Role.ADMIN)
    page = reverse("webhook-endpoint", args=[hook.pk])

    saved = admin.post(
        page, {"url": URL + "/v2", "events": ["plan.activated"], "description": "v2"}
    )
    refused = admin.post(page, {"url": "https://u:p@x.example.com/", "events": ["plan.at_risk"]})

    assert saved.status_code == 302
    assert refused.status_code == 400
    assert "password" in refused.content.decode()
    hook.refresh_from_db()
    assert (hook.url, hook.events, hook.description) == (URL + "/v2", ["plan.activated"], "v2")


def test_the_pages_read_in_a_few_queries_whatever_the_number_of_deliveries(
    org, client_as, django_assert_max_num_queries
):
    hooks = [registered(org, url=f"{URL}/{n}") for n in range(5)]
    for hook in hooks:
        for _ in range(20):
            logged(hook, status="succeeded", attempts=1, response_status=200)
    admin = client_as(Role.ADMIN)
    admin.get(reverse("webhooks"))  # the session and the like, once

    with django_assert_max_num_queries(12):
        listing = admin.get(reverse("webhooks"))
    with django_assert_max_num_queries(12):
        detail = admin.get(reverse("webhook-endpoint", args=[hooks[0].pk]))

    assert listing.content.decode().count('data-testid="endpoint-row"') == 5
    assert detail.content.decode().count('data-testid="delivery"') == 20
