"""The webhooks API: admins only, one organisation's endpoints only, the secret shown once,
every bad input a 400 in the one error shape with nothing saved."""

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from orgs.models import Role
from reviews.models import MAX_ENDPOINTS, WebhookDelivery, WebhookEndpoint
from reviews.services.webhooks import webhook_endpoint_create, webhook_endpoint_test
from tests.reviews.receiver import running_receiver

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/smarketing"
ALLOWED = "sla.breach, objective.status_changed, plan.activated, plan.at_risk, kpis.updated, import.finished"


@pytest.fixture
def admin_api(api_as):
    return api_as(Role.ADMIN)


def registered(org, url=URL, events=("sla.breach",)):
    return webhook_endpoint_create(organization=org, by=None, url=url, events=list(events))


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(admin_api):
    answer = admin_api.post(
        "/api/v1/webhooks/",
        {"url": URL, "events": ["kpis.updated", "sla.breach", "sla.breach"], "description": "BI"},
        format="json",
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["secret"].startswith("whsec_")
    Webhook(body["secret"])  # a secret the package reads
    assert body["events"] == ["kpis.updated", "sla.breach"]
    assert (body["url"], body["description"], body["active"]) == (URL, "BI", True)
    again = admin_api.get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in again
    assert body["secret"].startswith(again["secret_prefix"])
    listed = admin_api.get("/api/v1/webhooks/").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert "secret" not in listed["results"][0]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"url": "ftp://hooks.example.com/", "events": ["sla.breach"]}, "url", "http://"),
        ({"url": "https:///hook", "events": ["sla.breach"]}, "url", "host name"),
        ({"url": "https://me:pw@hooks.example.com/", "events": ["sla.breach"]}, "url", "password"),
        ({"url": "https://x.example.com/" + "a" * 1000, "events": ["sla.breach"]}, "url", "1000"),
        ({"url": "http://127.0.0.1:8000/", "events": ["sla.breach"]}, "url", "127.0.0.1"),
        ({"url": "http://[::1]/", "events": ["sla.breach"]}, "url", "::1"),
        ({"url": "http://169.254.169.254/", "events": ["sla.breach"]}, "url", "public"),
        ({"url": "not a url", "events": ["sla.breach"]}, "url", "URL"),
        ({"url": URL, "events": ["sla.breach", "deal.won"]}, "events", ALLOWED),
        ({"url": URL, "events": []}, "events", ""),
        ({"url": URL, "events": ["sla.breach"] * 21}, "events", "20"),
        ({"url": URL, "events": "sla.breach"}, "events", ""),
        ({"url": URL}, "events", ""),
        ({"events": ["sla.breach"]}, "url", ""),
        ({"url": URL, "events": ["sla.breach"], "description": "d" * 201}, "description", "200"),
        ({"url": URL, "events": ["sla.breach"], "active": False}, "active", ""),
    ],
)
def test_a_bad_registration_answers_400_naming_the_field_and_saves_nothing(
    admin_api, body, field, words
):
    answer = admin_api.post("/api/v1/webhooks/", body, format="json")

    assert answer.status_code == 400, answer.json()
    error = answer.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert field in error["fields"], error
    assert words in " ".join(map(str, error["fields"][field]))
    assert not WebhookEndpoint.objects.exists()


def test_an_organisation_has_at_most_ten_endpoints(org, admin_api):
    for n in range(MAX_ENDPOINTS):
        registered(org, url=f"{URL}/{n}")

    answer = admin_api.post(
        "/api/v1/webhooks/", {"url": URL, "events": ["sla.breach"]}, format="json"
    )

    assert answer.status_code == 400
    assert "at most 10" in answer.json()["error"]["fields"]["non_field_errors"][0]
    assert WebhookEndpoint.objects.count() == MAX_ENDPOINTS


@pytest.mark.parametrize(
    "role", [Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.SALES_REP, Role.LEADERSHIP]
)
def test_only_admins_read_or_manage_webhooks(org, api_as, role):
    hook = registered(org)
    api = api_as(role)

    answers = [
        api.get("/api/v1/webhooks/"),
        api.get(f"/api/v1/webhooks/{hook.pk}/"),
        api.get(f"/api/v1/webhooks/{hook.pk}/deliveries/"),
        api.post("/api/v1/webhooks/", {"url": URL, "events": ["sla.breach"]}, format="json"),
        api.patch(f"/api/v1/webhooks/{hook.pk}/", {"events": ["kpis.updated"]}, format="json"),
        api.post(f"/api/v1/webhooks/{hook.pk}/test/"),
        api.delete(f"/api/v1/webhooks/{hook.pk}/"),
    ]

    assert [a.status_code for a in answers] == [403] * len(answers)
    assert answers[0].json()["error"]["code"] == "permission_denied"
    hook.refresh_from_db()
    assert hook.events == ["sla.breach"]
    assert WebhookEndpoint.objects.count() == 1
    assert not WebhookDelivery.objects.exists()


def test_without_a_token_nothing_is_told(client):
    assert client.get("/api/v1/webhooks/").status_code == 401


def test_another_organisations_endpoints_and_deliveries_answer_404(
    org, other_org, member, admin_api
):
    theirs = registered(other_org)
    their_ping = webhook_endpoint_test(endpoint=theirs, now=timezone.now())
    ours = registered(org)
    base = f"/api/v1/webhooks/{theirs.pk}"

    answers = [
        admin_api.get(f"{base}/"),
        admin_api.patch(f"{base}/", {"events": ["kpis.updated"]}, format="json"),
        admin_api.post(f"{base}/test/"),
        admin_api.get(f"{base}/deliveries/"),
        admin_api.post(f"{base}/deliveries/{their_ping.pk}/resend/"),
        admin_api.post(f"/api/v1/webhooks/{ours.pk}/deliveries/{their_ping.pk}/resend/"),
        admin_api.delete(f"{base}/"),
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert answers[0].json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.events == ["sla.breach"]
    assert WebhookDelivery.objects.count() == 1
    assert [e["id"] for e in admin_api.get("/api/v1/webhooks/").json()["results"]] == [ours.pk]


def test_an_admin_changes_the_events_and_a_bad_change_changes_nothing(org, admin_api):
    hook = registered(org)

    changed = admin_api.patch(
        f"/api/v1/webhooks/{hook.pk}/", {"events": ["plan.at_risk", "kpis.updated"]}, format="json"
    )
    refused = admin_api.patch(
        f"/api/v1/webhooks/{hook.pk}/",
        {"events": ["plan.at_risk", "nope"], "url": "gopher://x/"},
        format="json",
    )

    assert changed.status_code == 200
    assert changed.json()["events"] == ["kpis.updated", "plan.at_risk"]
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"events", "url"}
    hook.refresh_from_db()
    assert (hook.url, hook.events) == (URL, ["kpis.updated", "plan.at_risk"])


def test_an_admin_turns_an_endpoint_off_and_enables_it_again(org, admin_api):
    hook = registered(org)
    hook.failing_since = timezone.now()
    hook.save()

    off = admin_api.patch(f"/api/v1/webhooks/{hook.pk}/", {"active": False}, format="json")
    on = admin_api.patch(f"/api/v1/webhooks/{hook.pk}/", {"active": True}, format="json")

    assert off.json()["active"] is False
    assert on.json()["active"] is True
    assert on.json()["failing_since"] is None


def test_an_admin_removes_an_endpoint_with_its_log(org, admin_api):
    hook = registered(org)
    webhook_endpoint_test(endpoint=hook, now=timezone.now())

    answer = admin_api.delete(f"/api/v1/webhooks/{hook.pk}/")

    assert answer.status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_the_test_button_sends_a_ping_signed_with_the_secret_given_at_registration(
    admin_api, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with running_receiver() as receiver:
        created = admin_api.post(
            "/api/v1/webhooks/", {"url": receiver.url(), "events": ["sla.breach"]}, format="json"
        ).json()
        with django_capture_on_commit_callbacks(execute=True):
            answer = admin_api.post(f"/api/v1/webhooks/{created['id']}/test/")

        [ping] = receiver.verified(created["secret"])

    assert answer.status_code == 202
    assert answer.json()["type"] == "ping"
    assert ping["type"] == "ping"
    assert ping["data"]["organization"] == "acme"
    log = admin_api.get(f"/api/v1/webhooks/{created['id']}/deliveries/").json()
    [delivery] = log["results"]
    assert delivery["webhook_id"] == receiver.requests[0].headers["webhook-id"]
    assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == (
        "succeeded", 1, 200,
    )  # fmt: skip


def test_a_resend_waits_again_and_is_refused_while_the_endpoint_is_disabled(org, admin_api):
    hook = registered(org)
    with_event = WebhookDelivery.objects.create(
        organization=org, endpoint=hook, kind="sla.breach", message_id="msg_x",
        payload={"type": "sla.breach"}, status="failed", attempts=9,
    )  # fmt: skip
    url = f"/api/v1/webhooks/{hook.pk}/deliveries/{with_event.pk}/resend/"

    resent = admin_api.post(url)
    WebhookEndpoint.objects.filter(pk=hook.pk).update(active=False, disabled_at=timezone.now())
    refused = admin_api.post(url)

    assert resent.status_code == 202
    assert resent.json()["status"] == "pending"
    assert resent.json()["webhook_id"] == "msg_x"
    assert refused.status_code == 400
    assert "enable it again" in refused.json()["error"]["fields"]["non_field_errors"][0]
