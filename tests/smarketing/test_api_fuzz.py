"""Schemathesis over every operation of /api/schema/: no input gives a server error, and every
answer matches the schema (its status documented, its body in the documented shape).

Part of the test suite, so `.ci/run` runs it with the rest (no separate step). Seeded
(`derandomize`) and bounded (MAX_EXAMPLES per operation and role), as a member with every
right (admin) and a read-only one (leadership), against the test database with a few rows
of each kind, whose ids the paths use every other example."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crm.models import Activity, Campaign, Channel, Company
from crm.services.deals import deal_create
from crm.services.leads import lead_create
from crm.services.records import record_create
from funnel.services import plan_create
from orgs.models import Role
from orgs.services import api_token_create
from personas.services import persona_create
from smarketing.wsgi import application
from tests.factories import MembershipFactory, OrganizationFactory

MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Operations others are fixing in their own branches of issue 11 (bounds and plan inputs,
# deletes of channels in use, imports and bulk upserts), marked xfail until those merge: one
# reported XPASS is fixed, so remove it from this list. (Not strict: schemathesis' pytest
# plugin cannot report a strict XPASS.)
KNOWN_FAILING: dict[str, str] = {}

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def wsgi_in_the_test_transaction(db):
    """Requests through the WSGI app share the test's connection and transaction: Django
    closes connections around each request, which would end it (as its test client avoids)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def rows(db):
    """A few records of each kind in one organisation: {path prefix: an id}."""
    org = OrganizationFactory()
    channel = Channel.objects.for_org(org).order_by("pk").first()
    company = record_create(Company, organization=org, name="Acme")
    campaign = record_create(
        Campaign, organization=org, name="Spring", channel=channel, start_date="2026-03-01"
    )
    t0 = datetime(2026, 1, 10, tzinfo=UTC)
    lead = lead_create(
        organization=org, by=None, name="Ann", stage="mql", channel=channel, created_at=t0
    )
    deal = deal_create(organization=org, by=None, name="Big", lead=lead, company=company)
    activity = record_create(Activity, organization=org, kind="call", at=t0, lead=lead)
    member = MembershipFactory(organization=org, role=Role.SALES_REP)
    plan = plan_create(
        organization=org,
        by=None,
        name="FY2027",
        first_month=date(2027, 1, 1),
        last_month=date(2027, 3, 1),
        inputs={
            "revenue_goal": "120000",
            "average_deal_size": "12000",
            "stages": ["lead", "mql", "customer"],
            "conversion_rates": ["0.4", "0.25"],
        },
    )
    persona = persona_create(
        organization=org,
        by=None,
        name="Mid-size software",
        criteria=[{"kind": "industry_in", "weight": 2, "params": {"values": ["Software"]}}],
    )
    return org, {
        "/api/v1/personas/": persona.pk,
        "/api/v1/plans/": plan.pk,
        "/api/v1/channels/": channel.pk,
        "/api/v1/companies/": company.pk,
        "/api/v1/campaigns/": campaign.pk,
        "/api/v1/leads/": lead.pk,
        "/api/v1/deals/": deal.pk,
        "/api/v1/activities/": activity.pk,
        "/api/v1/members/": member.pk,
    }


@pytest.fixture(params=[Role.ADMIN, Role.LEADERSHIP])
def caller(request, rows):
    org, _ids = rows
    _token, key = api_token_create(
        membership=MembershipFactory(organization=org, role=request.param), name="fuzz"
    )
    return {"Authorization": f"Token {key}"}


@pytest.fixture(autouse=True)
def known_failing(request):
    # The node's name: test_...[POST /api/v1/plans/][admin] -> "POST /api/v1/plans/ as admin".
    label = request.node.name.split("[", 1)[-1].rstrip("]").replace("][", " as ")
    if label in KNOWN_FAILING:
        request.node.add_marker(pytest.mark.xfail(reason=KNOWN_FAILING[label], strict=False))


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,  # the seed alone decides the examples, on every machine
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, caller, rows, wsgi_in_the_test_transaction):
    _org, ids = rows
    _use_a_real_id(case, ids)
    # Each call in a savepoint: a database error in one leaves the next a working transaction.
    savepoint = transaction.savepoint()
    try:
        response = case.call(headers=caller)
    finally:
        transaction.savepoint_rollback(savepoint)
    case.validate_response(response, checks=CHECKS)


def _use_a_real_id(case, ids):
    """Every other generated id becomes a real record's, so detail routes answer 200 too."""
    generated = (case.path_parameters or {}).get("id")
    prefix = next((p for p in ids if case.path.startswith(p)), None)
    if prefix and isinstance(generated, int) and generated % 2 == 0:
        case.path_parameters["id"] = ids[prefix]
