"""Webhooks in a real browser: an admin registers an endpoint (a real local receiver), copies
its secret from the page, sends a test event and sees it delivered; a breach the receiver
refused waits in the log until the admin resends it; each body verifies with the secret."""

import pytest
from django.db import transaction

from orgs.models import Role
from reviews.models import WebhookEndpoint
from smarketing.lib.events import Happening, Kind, announce
from tests.browser.conftest import screenshot, sign_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.reviews.receiver import running_receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    org = OrganizationFactory(name="Acme", slug="acme")
    user = UserFactory(username="ada", first_name="Ada", last_name="Admin")
    MembershipFactory(user=user, organization=org, role=Role.ADMIN)
    return org


def test_an_admin_registers_an_endpoint_tests_it_and_resends_a_failed_delivery(page, acme):
    with running_receiver() as receiver:
        sign_in(page, "ada")
        page.click(".sidebar a:text('Webhooks')")
        assert page.is_visible("[data-testid=no-endpoints]")
        page.fill("#id_url", receiver.url("/smarketing"))
        page.check("label:has-text('An SLA breach was found') input")
        page.check("label:has-text('The KPIs were recomputed') input")
        page.fill("#id_description", "BI refresh")
        with page.expect_navigation():
            page.click("[data-testid=register]")

        secret = page.inner_text("[data-testid=new-secret]")
        assert secret.startswith("whsec_")
        with page.expect_navigation():
            page.click("[data-testid=send-test]")
        assert page.inner_text("[data-testid=delivery-status]") == "Delivered"
        assert page.inner_text("[data-testid=response-code]") == "200"
        assert not page.is_visible("[data-testid=new-secret]")  # shown once

        receiver.answers = [503]
        with transaction.atomic():
            announce(Happening(organization_id=acme.pk, kind=Kind.SLA_BREACH, key="breach-1",
                               data={"breach_kind": "first_touch", "lead_name": "Ann Lee"}))  # fmt: skip
        page.reload()
        waiting = page.locator("[data-testid=delivery]", has_text="Waiting")
        assert "503" in waiting.inner_text()
        assert "An SLA breach was found" in waiting.inner_text()
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, "webhook-endpoint")
        with page.expect_navigation():
            waiting.locator("[data-testid=resend]").click()

        assert page.locator("[data-testid=delivery]", has_text="Waiting").count() == 0
        breach = page.locator("[data-testid=delivery]", has_text="An SLA breach was found")
        assert "Delivered" in breach.inner_text()
        assert breach.locator("[data-testid=attempts]").inner_text() == "2"
        payloads = receiver.verified(secret)
    assert [p["type"] for p in payloads] == ["ping", "sla.breach", "sla.breach"]
    assert payloads[1]["data"]["lead_name"] == "Ann Lee"
    assert receiver.requests[1].headers["webhook-id"] == receiver.requests[2].headers["webhook-id"]
    assert WebhookEndpoint.objects.get().secret == secret
    page.click(".sidebar a:text('Webhooks')")
    assert "Delivered" in page.inner_text("[data-testid=endpoint-row]")
    screenshot(page, "webhooks")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/webhooks/{WebhookEndpoint.objects.get().pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "webhook-endpoint-390")
    assert page.problems == []
