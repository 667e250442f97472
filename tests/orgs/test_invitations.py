from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orgs.models import Invitation, Membership, Role, User
from orgs.services import invitations_purge_expired
from tests.conftest import link_in, signed_in_client
from tests.factories import UserFactory

GOOD_PASSWORD = "a-long-enough-pass-29"


def signup(username, password=GOOD_PASSWORD, confirmation=None, **names):
    """The invitation sign-up form, filled in."""
    return {
        "username": username,
        "password1": password,
        "password2": confirmation or password,
        **names,
    }


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """invite(client, email, role) -> the path of the link in the e-mail that was sent."""

    def send(client, email="new.person@example.test", role=Role.MARKETING_MANAGER):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("invitation-create"), {"email": email, "role": role})
        return link_in(mail.outbox[-1].body, r"http://testserver(/invite/[^/\s]+/)")

    return send


@pytest.mark.django_db
def test_an_admin_invites_by_email_and_a_new_person_joins(member, client, invite):
    link = invite(signed_in_client(member(Role.ADMIN)))
    assert mail.outbox[-1].to == ["new.person@example.test"]
    assert "Acme" in mail.outbox[-1].subject

    response = client.post(
        link,
        signup("newbie", first_name="New", last_name="Person"),
    )

    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.email == "new.person@example.test"
    assert Membership.objects.get(user=user).role == Role.MARKETING_MANAGER
    assert client.get(reverse("home")).status_code == 200  # signed in, in the new organisation


@pytest.mark.django_db
def test_an_existing_user_accepts_while_signed_in(member, invite):
    link = invite(
        signed_in_client(member(Role.ADMIN)), email="existing@example.test", role=Role.LEADERSHIP
    )
    existing = UserFactory(email="existing@example.test")
    client = Client()
    client.force_login(existing)

    response = client.post(link)

    assert response.status_code == 302
    assert Membership.objects.get(user_id=existing.pk).role == Role.LEADERSHIP
    assert client.post(link).status_code == 410  # one use only


@pytest.mark.django_db
def test_an_expired_invitation_is_refused_and_creates_nothing(member, client, invite):
    link = invite(signed_in_client(member(Role.ADMIN)))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.post(
        link,
        signup("late"),
    )

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(username="late").exists()


@pytest.mark.django_db
def test_a_made_up_link_is_refused(client):
    response = client.get(reverse("invitation-accept", args=["not-a-token"]))

    assert response.status_code == 410
    assert "not valid" in response.content.decode()


@pytest.mark.django_db
def test_a_revoked_invitation_is_refused(member, client, invite):
    admin_client = signed_in_client(member(Role.ADMIN))
    link = invite(admin_client)
    admin_client.post(reverse("invitation-revoke", args=[Invitation.objects.get().pk]))

    assert client.get(link).status_code == 410


@pytest.mark.django_db
def test_a_new_invitation_replaces_the_pending_one(member, client, invite):
    admin_client = signed_in_client(member(Role.ADMIN))
    first = invite(admin_client)
    second = invite(admin_client)

    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


@pytest.mark.django_db
def test_signing_up_with_bad_input_shows_errors_and_creates_nothing(member, client, invite):
    link = invite(signed_in_client(member(Role.ADMIN)))
    taken = UserFactory(username="taken")

    mismatch = client.post(link, signup("fresh", confirmation="other-pass-29x"))
    clash = client.post(link, signup(taken.username))
    weak = client.post(link, signup("weakling", password="123"))

    assert "didn\u2019t match" in mismatch.content.decode()
    assert "already exists" in clash.content.decode()
    assert "too short" in weak.content.decode()
    assert not User.objects.filter(username__in=["fresh", "weakling"]).exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_signing_up_with_an_address_another_account_uses_is_refused(member, client, invite):
    link = invite(signed_in_client(member(Role.ADMIN)), email="dup@example.test")
    UserFactory(email="DUP@example.test")

    response = client.post(
        link,
        signup("second"),
    )

    assert response.status_code == 200
    assert "Another account already uses this e-mail address." in response.content.decode()
    assert not User.objects.filter(username="second").exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_inviting_a_member_or_a_bad_address_is_refused(member):
    admin = member(Role.ADMIN)
    client = signed_in_client(admin)

    already = client.post(
        reverse("invitation-create"),
        {"email": admin.user.email, "role": Role.SALES_REP},
        follow=True,
    )
    bad = client.post(
        reverse("invitation-create"),
        {"email": "not-an-address", "role": Role.SALES_REP},
        follow=True,
    )
    bad_role = client.post(
        reverse("invitation-create"), {"email": "x@example.test", "role": "emperor"}, follow=True
    )

    assert "already a member" in already.content.decode()
    assert "Enter a valid email address." in bad.content.decode()
    assert "Select a valid choice." in bad_role.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_purging_drops_old_unused_invitations_only(org):
    now = timezone.now()
    common = {"organization": org, "role": Role.SALES_REP, "email": "x@example.test"}
    old = Invitation.objects.create(token_hash="old", expires_at=now - timedelta(days=40), **common)
    fresh = Invitation.objects.create(
        token_hash="fresh", expires_at=now + timedelta(days=1), **common
    )
    used = Invitation.objects.create(
        token_hash="used",
        expires_at=now - timedelta(days=40),
        accepted_at=now - timedelta(days=41),
        **common,
    )

    assert invitations_purge_expired(now=now) == 1

    assert set(Invitation.objects.values_list("pk", flat=True)) == {fresh.pk, used.pk}
    assert not Invitation.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_the_last_admin_cannot_leave_or_be_demoted_from_the_page(member):
    admin = member(Role.ADMIN)
    client = signed_in_client(admin)

    demote = client.post(
        reverse("member-role", args=[admin.pk]), {"role": Role.SALES_REP}, follow=True
    )
    remove = client.post(reverse("member-remove", args=[admin.pk]), follow=True)

    assert "at least one admin" in demote.content.decode()
    assert "at least one admin" in remove.content.decode()
    assert Membership.objects.get(pk=admin.pk).role == Role.ADMIN
