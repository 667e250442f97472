import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from orgs.models import Role
from tests.conftest import link_in, signed_in_client
from tests.factories import PASSWORD, MembershipFactory


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_a_member_signs_in_and_out(member):
    me = member(Role.SALES_MANAGER)
    client = Client()

    assert _sign_in(client, me.user.username, PASSWORD)["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200

    signed_out = client.post(reverse("logout"))
    assert "You are signed out" in signed_out.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_wrong_password_says_so_and_does_not_sign_in(member):
    me = member()
    client = Client()

    response = _sign_in(client, me.user.username, "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_out_even_with_the_right_password(member):
    me = member()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, me.user.username, "wrong")

    response = _sign_in(client, me.user.username, PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=me.user.username).exists()


@pytest.mark.django_db
def test_failures_below_the_limit_do_not_lock(member):
    me = member()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, me.user.username, "wrong")

    assert _sign_in(client, me.user.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_password_reset_by_email(member):
    me = member()
    client = Client()

    client.post(reverse("password_reset"), {"email": me.user.email.upper()})
    link = link_in(mail.outbox[0].body)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-42", "new_password2": "brand-new-secret-42"},
    )

    assert response.status_code == 302
    assert _sign_in(Client(), me.user.username, "brand-new-secret-42").status_code == 302


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_reveals_nothing_and_sends_nothing():
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.test"})

    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_used_reset_link_is_refused(member):
    me = member()
    client = Client()
    client.post(reverse("password_reset"), {"email": me.user.email})
    link = link_in(mail.outbox[0].body)
    page = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        page, {"new_password1": "brand-new-secret-42", "new_password2": "brand-new-secret-42"}
    )

    again = Client().get(link, follow=True)

    assert "This link is not valid" in again.content.decode()


@pytest.mark.django_db
def test_password_change_checks_the_old_password(member):
    me = member()
    client = signed_in_client(me)

    wrong = client.post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "brand-new-secret-42",
            "new_password2": "brand-new-secret-42",
        },
    )
    right = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "brand-new-secret-42",
            "new_password2": "brand-new-secret-42",
        },
    )

    assert "Your old password was entered incorrectly" in wrong.content.decode()
    assert right["Location"] == reverse("password_change_done")
    me.user.refresh_from_db()
    assert me.user.check_password("brand-new-secret-42")


@pytest.mark.django_db
def test_switching_organisation_changes_what_the_pages_show(member, other_org):
    me = member(Role.SALES_REP)
    MembershipFactory(organization=other_org, user=me.user, role=Role.LEADERSHIP)
    client = signed_in_client(me)

    response = client.post(
        reverse("organization-switch"), {"organization": "other", "next": "/members/"}
    )

    assert response["Location"] == "/members/"
    page = client.get(reverse("home")).content.decode()
    assert "<h1>Other Inc</h1>" in page
    assert "Leadership" in page


@pytest.mark.django_db
def test_switching_to_an_organisation_one_is_not_in_is_refused(member, other_org):
    client = signed_in_client(member(Role.ADMIN))

    response = client.post(reverse("organization-switch"), {"organization": "other"}, follow=True)

    assert "You are not a member of that organisation." in response.content.decode()
    assert "<h1>Acme</h1>" in response.content.decode()


@pytest.mark.django_db
def test_switching_ignores_a_next_link_to_another_site(member):
    client = signed_in_client(member(Role.ADMIN))

    response = client.post(
        reverse("organization-switch"), {"organization": "acme", "next": "https://evil.test/"}
    )

    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_anyone_signed_in_can_create_an_organisation_and_becomes_its_admin(member):
    client = signed_in_client(member(Role.SALES_REP))

    response = client.post(
        reverse("organization-create"), {"name": "Side Project", "slug": "side", "currency": "pln"}
    )

    assert response["Location"] == reverse("home")
    body = client.get("/api/v1/me/").json()
    assert (body["organization"]["slug"], body["organization"]["currency"], body["role"]) == (
        "side",
        "PLN",
        "admin",
    )


@pytest.mark.django_db
def test_organisation_forms_refuse_bad_input(member):
    client = signed_in_client(member(Role.ADMIN))

    taken = client.post(
        reverse("organization-create"), {"name": "X", "slug": "acme", "currency": "EUR"}
    )
    bad_slug = client.post(
        reverse("organization-create"), {"name": "X", "slug": "no spaces!", "currency": "EUR"}
    )
    bad_currency = client.post(
        reverse("organization-settings"),
        {"name": "Acme", "currency": "XYZ", "response_window_hours": "24"},
    )

    assert "Organisation with this Slug already exists." in taken.content.decode()
    assert "Enter a valid “slug”" in bad_slug.content.decode()
    assert "XYZ is not an ISO 4217 currency code." in bad_currency.content.decode()
    assert client.get("/api/v1/me/").json()["organization"]["currency"] == "EUR"


@pytest.mark.django_db
def test_the_response_window_is_saved_and_read_by_the_metric_dictionary(member):
    client = signed_in_client(member(Role.ADMIN))

    saved = client.post(
        reverse("organization-settings"),
        {"name": "Acme", "currency": "EUR", "response_window_hours": "4"},
    )

    assert saved.status_code == 302
    page = client.get(reverse("metric-dictionary")).content.decode()
    assert "response window: 4 hours." in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hours", "error"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("721", "Ensure this value is less than or equal to 720."),
        ("-3", "Ensure this value is greater than or equal to"),
        ("soon", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_a_bad_response_window_is_refused_and_nothing_changes(member, org, hours, error):
    client = signed_in_client(member(Role.ADMIN))

    answer = client.post(
        reverse("organization-settings"),
        {"name": "Renamed", "currency": "USD", "response_window_hours": hours},
    )

    assert answer.status_code == 200
    assert error in answer.content.decode()
    org.refresh_from_db()
    assert (org.name, org.currency, org.response_window_hours) == ("Acme", "EUR", 24)
