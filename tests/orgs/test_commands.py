import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from orgs.models import Membership, Organization, Role, User
from orgs.permissions import matrix_markdown
from tests.factories import UserFactory


def _snapshot():
    return (
        list(Organization.objects.values_list("slug", "name", "currency").order_by("slug")),
        list(User.objects.values_list("username", "password").order_by("username")),
        list(
            Membership.objects.values_list("organization__slug", "user__username", "role").order_by(
                "pk"
            )
        ),
    )


@pytest.mark.django_db
def test_create_org_twice_changes_nothing(capsys):
    args = ["acme", "--name", "Acme", "--admin", "boss", "--password", "s3cret-pass-29"]
    call_command("create_org", *args)
    first = _snapshot()
    capsys.readouterr()

    call_command("create_org", *args)

    assert _snapshot() == first
    out = capsys.readouterr().out
    assert "organisation acme: exists" in out
    assert "user boss: exists, password unchanged" in out
    assert "admin membership: unchanged" in out
    assert User.objects.get(username="boss").check_password("s3cret-pass-29")
    assert Membership.objects.get(user__username="boss").role == Role.ADMIN


@pytest.mark.django_db
def test_create_org_never_overwrites_an_existing_password(capsys):
    UserFactory(username="boss")
    call_command(
        "create_org", "acme", "--name", "Acme", "--admin", "boss", "--password", "other-pass-29"
    )

    assert not User.objects.get(username="boss").check_password("other-pass-29")
    assert (
        Membership.objects.get(user__username="boss", organization__slug="acme").role == Role.ADMIN
    )


@pytest.mark.django_db
def test_create_org_refuses_a_bad_slug_and_writes_nothing():
    with pytest.raises(CommandError, match="slug"):
        call_command(
            "create_org", "not a slug", "--name", "X", "--admin", "boss", "--password", "pw-29-long"
        )

    assert not Organization.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_makes_one_user_per_role_and_can_run_again(capsys):
    call_command("seed_demo")
    first = _snapshot()
    out = capsys.readouterr().out

    call_command("seed_demo")

    assert _snapshot() == first
    roles = set(Membership.objects.filter(organization__slug="demo").values_list("role", flat=True))
    assert roles == set(Role.values)
    assert "Demo logins (password for all: demo-smarketing)" in out
    for username in ["admin", "marketing", "sales", "rep", "leader"]:
        assert username in out
        assert User.objects.get(username=username).check_password("demo-smarketing")
    assert Membership.objects.filter(user__username="admin").count() == 2  # to show the switcher


def test_the_documented_matrix_is_the_one_in_code():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text()

    assert matrix_markdown() in doc, "docs/permissions.md is stale: run manage.py permission_matrix"
