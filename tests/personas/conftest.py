from contextlib import contextmanager

import pytest

from orgs.models import Role
from personas.services import persona_approve, persona_create, persona_update
from tests.crm.imports.conftest import run_import  # noqa: F401 - the data sets' import fixture

FIT_CRITERIA = [
    {"kind": "industry_in", "weight": 1, "params": {"values": ["Software"]}},
    {"kind": "title_words", "weight": 1, "params": {"values": ["head"]}},
]
CRITERIA = [
    {"kind": "industry_in", "weight": 3, "params": {"values": ["Software", "Retail"]}},
    {"kind": "employees_between", "weight": 2, "params": {"min": 50, "max": 500}},
]


@pytest.fixture
def persona(org, member):
    """make(**profile) -> a draft persona of `org` with two criteria."""

    def make(organization=None, criteria=CRITERIA, **profile):
        author = member(Role.MARKETING_MANAGER, organization=organization)
        return persona_create(
            organization=organization or org,
            by=author.user,
            criteria=criteria,
            **{"name": "Mid-size software", "threshold": 60, **profile},
        )

    return make


@pytest.fixture
def managers(member):
    """The three people who approve: a marketing manager, a sales manager, an admin."""
    return {
        "marketing": member(Role.MARKETING_MANAGER),
        "sales": member(Role.SALES_MANAGER),
        "admin": member(Role.ADMIN),
    }


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run the block as if it committed: what waits for the commit runs."""

    @contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return block


@pytest.fixture
def approve(member, committing):
    """approve(criteria, threshold) -> an approved persona of `org`, as the two teams do."""
    marketing, sales = member(Role.MARKETING_MANAGER), member(Role.SALES_MANAGER)

    def make(criteria=FIT_CRITERIA, threshold=50, name="Software heads", persona=None):
        with committing():
            if persona is None:
                persona = persona_create(
                    organization=marketing.organization,
                    by=marketing.user,
                    name=name,
                    threshold=threshold,
                    criteria=criteria,
                )
            else:
                persona_update(persona=persona, by=marketing.user, criteria=criteria)
            persona_approve(persona=persona, membership=marketing, side="marketing")
            persona_approve(persona=persona, membership=sales, side="sales")
        return persona

    return make
