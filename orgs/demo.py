"""The demo organisations: one user per role, and a second organisation to switch to."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from orgs.models import Membership, Organization, Role, User
from orgs.services import membership_add, organization_create, user_create

demo_organization_ready = Signal()  # kwargs: organization, today

DEMO_PASSWORD = "demo-smarketing"  # noqa: S105 - a demo login, printed on purpose
DEMO_ORG = ("demo", "Demo Company", "EUR")
SECOND_ORG = ("demo-us", "Demo Company US", "USD")
DEMO_USERS = [
    ("admin", Role.ADMIN, "Ada", "Admin"),
    ("marketing", Role.MARKETING_MANAGER, "Marta", "Marketing"),
    ("sales", Role.SALES_MANAGER, "Sam", "Sales"),
    ("rep", Role.SALES_REP, "Rita", "Rep"),
    ("leader", Role.LEADERSHIP, "Leo", "Leader"),
]


@transaction.atomic
def seed_demo_organizations() -> list[tuple[str, str, list[str]]]:
    """Create what is missing; leave what exists. Returns (username, role, org slugs) per user."""
    users = {username: _user(username, first, last) for username, _role, first, last in DEMO_USERS}
    demo = _organization(*DEMO_ORG, admin=users["admin"])
    second = _organization(*SECOND_ORG, admin=users["admin"])
    for username, role, _first, _last in DEMO_USERS:
        _member(demo, users[username], role)
    _member(second, users["leader"], Role.LEADERSHIP)
    # Other apps add their demo data (CRM history, plans ...) when they hear this.
    demo_organization_ready.send(sender=Organization, organization=demo, today=timezone.localdate())
    return [
        (
            username,
            str(role.label),
            list(
                Membership.objects.filter(user=users[username]).values_list(
                    "organization__slug", flat=True
                )
            ),
        )
        for username, role, _first, _last in DEMO_USERS
    ]


def _user(username: str, first: str, last: str) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return user_create(
        username=username,
        password=DEMO_PASSWORD,
        email=f"{username}@demo.smarketing.test",
        first_name=first,
        last_name=last,
    )


def _organization(slug: str, name: str, currency: str, *, admin: User) -> Organization:
    existing = Organization.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    return organization_create(slug=slug, name=name, currency=currency, admin=admin)


def _member(organization: Organization, user: User, role: str) -> None:
    if not Membership.objects.for_org(organization).filter(user=user).exists():
        membership_add(organization=organization, user=user, role=role)
