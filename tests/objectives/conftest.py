"""An organisation with two years of demo CRM history and its KPI facts, and members of
both teams."""

from datetime import date

import pytest

from crm.demo import seed_crm_history
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from tests.crm.imports.conftest import run_import  # noqa: F401 - the data sets import fixture

TODAY = date(2026, 11, 15)


@pytest.fixture
def history(org):
    seed_crm_history(organization=org, today=TODAY)
    kpis_recompute_full(organization_id=org.pk)
    return org


@pytest.fixture
def teams(member):
    """{"marketing": a marketing manager, "sales": a sales manager, "rep": a sales rep, "lead": leadership}."""
    return {
        "marketing": member(Role.MARKETING_MANAGER),
        "sales": member(Role.SALES_MANAGER),
        "rep": member(Role.SALES_REP),
        "lead": member(Role.LEADERSHIP),
    }
