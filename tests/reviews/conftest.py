from datetime import date

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


# The day the drift histories are measured on (tests/reviews/drift_history.py).
DRIFT_DAY = date(2026, 11, 16)


@pytest.fixture
def drift_day(monkeypatch):
    """Plans are made as seen on DRIFT_DAY (their lead-in targets are moved by today)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: DRIFT_DAY)


@pytest.fixture
def measured(org, drift_day):
    """An active plan on the constructed drift history, its drift measured."""
    from reviews.services.drift import drift_recompute
    from tests.reviews.drift_history import active_plan, build_history

    build_history(org, DRIFT_DAY)
    plan = active_plan(org, date(2027, 1, 1))
    drift_recompute(organization_id=org.pk, today=DRIFT_DAY)
    return plan
