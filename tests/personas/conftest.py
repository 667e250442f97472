import pytest

from orgs.models import Role
from personas.services import persona_create
from tests.crm.imports.conftest import run_import  # noqa: F401 - the data sets' import fixture

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
