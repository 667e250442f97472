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
