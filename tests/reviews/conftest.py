import pytest

from orgs.models import Role


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
