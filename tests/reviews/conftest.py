import pytest

from orgs.models import Role
from tests.reviews.history import march_to_review


@pytest.fixture
def teams(member):
    """A member of each role, each with an e-mail address."""
    found = {}
    for role in Role:
        membership = member(role)
        membership.user.email = f"{role.value}@example.com"
        membership.user.save()
        found[role] = membership
    return found


def chosen(organization, user, *, in_app, by_email, **fields):
    """A member's saved choices: the topics they keep in the app and by e-mail."""
    from reviews.models import Preferences

    preferences = Preferences(organization=organization, user=user, **fields)
    preferences.in_app, preferences.by_email = in_app, by_email
    preferences.save()
    return preferences


@pytest.fixture
def march(org, member):
    """March 2025 to review (tests/reviews/history.py)."""
    return march_to_review(org, member)
