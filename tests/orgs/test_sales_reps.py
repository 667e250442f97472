"""Sales reps recorded by an import: members who own records but cannot sign in yet."""

from orgs.models import Role
from orgs.services import sales_rep_record
from tests.factories import UserFactory


def test_a_sales_rep_is_a_member_without_a_login(org):
    membership = sales_rep_record(organization=org, name="  Darcel   Schlecht ")

    user = membership.user
    assert membership.role == Role.SALES_REP
    assert (user.first_name, user.last_name, user.username) == (
        "Darcel",
        "Schlecht",
        "darcel-schlecht",
    )
    assert not user.has_signed_up
    assert not user.has_usable_password()
    assert not user.is_active  # Django refuses inactive users at sign-in


def test_a_sales_rep_takes_a_free_username(org, other_org):
    UserFactory(username="ann-lee")
    sales_rep_record(organization=other_org, name="Ann Lee")

    membership = sales_rep_record(organization=org, name="Ann Lee")

    assert membership.user.username == "ann-lee-3"
    assert membership.user.get_full_name() == "Ann Lee"


def test_the_members_page_says_who_has_no_login_yet(org, client_as):
    sales_rep_record(organization=org, name="Moses Frase")

    page = client_as(Role.ADMIN).get("/members/").content.decode()

    row = page.split("moses-frase")[1].split("</tr>")[0]
    assert 'data-testid="not-signed-up"' in row
    assert page.count('data-testid="not-signed-up"') == 1  # the admin has signed up


def test_a_sales_rep_known_by_one_name_keeps_it(org):
    rep = sales_rep_record(organization=org, name="Madonna")

    assert (rep.user.first_name, rep.user.last_name) == ("Madonna", "")
    assert rep.user.get_full_name() == "Madonna"  # so the file's name finds this member again


def test_a_recorded_rep_is_invited_and_signing_up_makes_them_that_member(
    org, member, client, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from django.core import mail
    from django.urls import reverse

    from crm.models import Deal
    from crm.services.deals import deal_create
    from orgs.models import Membership, User
    from tests.conftest import link_in, signed_in_client

    # Given a rep an import recorded, who owns a deal
    rep = sales_rep_record(organization=org, name="Darcel Schlecht").user
    deal = deal_create(organization=org, by=None, owner=rep, amount=Decimal("100"))
    admin = signed_in_client(member(Role.ADMIN))
    members_page = admin.get(reverse("members")).content.decode()
    assert 'data-testid="invite-rep"' in members_page

    # When an admin invites them from the members page and they sign up
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse("invitation-create"),
            {"email": "darcel@example.test", "role": Role.SALES_REP, "claims": rep.pk},
        )
    link = link_in(mail.outbox[-1].body, r"http://testserver(/invite/[^/\s]+/)")
    answer = client.post(
        link,
        {"username": "darcel", "password1": "a-long-enough-pass-29", "password2": "a-long-enough-pass-29"},
    )  # fmt: skip

    # Then the recorded rep is now their account: the same user, with a login, and the deal
    assert answer.status_code == 302
    rep.refresh_from_db()
    assert (rep.username, rep.email, rep.has_signed_up) == ("darcel", "darcel@example.test", True)
    assert rep.get_full_name() == "Darcel Schlecht"  # the names the file gave stay
    assert Deal.objects.get(pk=deal.pk).owner_id == rep.pk
    assert Membership.objects.filter(organization=org, user=rep).count() == 1
    assert not User.objects.filter(username="darcel").exclude(pk=rep.pk).exists()


def test_only_a_member_without_a_login_is_invited_to_be_taken_over(org, other_org, member):
    from django.urls import reverse

    from orgs.models import Invitation
    from tests.conftest import signed_in_client

    admin = signed_in_client(member(Role.ADMIN))
    signed_up = member(Role.SALES_REP).user
    elsewhere = sales_rep_record(organization=other_org, name="Not Ours").user

    for claims in (signed_up.pk, elsewhere.pk, 999_999):
        page = admin.post(
            reverse("invitation-create"),
            {"email": "x@example.test", "role": Role.SALES_REP, "claims": claims},
            follow=True,
        ).content.decode()
        assert "Only a member recorded without a login is invited this way." in page

    assert not Invitation.objects.exists()
