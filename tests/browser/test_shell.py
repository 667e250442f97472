"""A person signs in, switches organisation and language, and signs out, in a real browser."""

import pytest

from orgs.models import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ada():
    user = UserFactory(username="ada", first_name="Ada", last_name="Admin")
    MembershipFactory(
        user=user, organization=OrganizationFactory(name="Acme", slug="acme"), role=Role.ADMIN
    )
    MembershipFactory(
        user=user,
        organization=OrganizationFactory(name="Globex", slug="globex"),
        role=Role.LEADERSHIP,
    )
    return user


def test_sign_in_switch_organisation_and_language_then_sign_out(page, ada):
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1:text('Acme')")
    screenshot(page, "home")

    with page.expect_navigation():
        page.select_option("#org-select", "globex")
    assert page.inner_text("h1") == "Globex"
    assert "Leadership" in page.inner_text(".who")
    # Leadership sees no organisation settings in the navigation.
    assert page.locator(".sidebar a", has_text="Organisation").count() == 0

    with page.expect_navigation():
        page.select_option("#language-select", "it")
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.inner_text("[data-testid=sign-out]") == "Esci"
    assert "Direzione" in page.inner_text(".who")
    screenshot(page, "home-it")

    page.click("[data-testid=sign-out]")
    page.wait_for_selector("h1:text('Sei uscito')")
    page.goto("/")
    assert "/accounts/login/" in page.url
    assert page.problems == []


def test_a_wrong_password_is_explained_on_the_page(page, ada):
    page.goto("/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "wrong")
    page.click("form[data-testid=login-form] button[type=submit]")

    assert "Please enter a correct username and password" in page.inner_text(".form-errors")
    assert "/accounts/login/" in page.url


def test_the_menu_folds_away_on_a_phone(page, ada, live_server):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1:text('Acme')")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390, (
        "the page is wider than a phone"
    )
    assert not page.is_visible(".sidebar")
    page.click(".nav-toggle-label")
    assert page.is_visible(".sidebar a:text('Members')")
    screenshot(page, "phone-menu")
