"""With a real Celery worker and Redis: a change reaches /api/v1/kpis/ within the coalescing
delay, and a burst of changes makes a handful of recomputes whose result equals a full one."""

import time

import pytest

from funnel.kpis.recompute import kpis_recompute_full
from orgs.models import Role
from tests.conftest import token_client
from tests.workers import real_worker, shared_redis_cache

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def recomputes(worker) -> int:
    return "".join(worker.output).count("kpis_recompute_task") // 2  # received, succeeded


def test_a_won_deal_shows_in_the_kpis_within_seconds(member, settings):
    prefix = shared_redis_cache(settings)
    api = token_client(member(Role.SALES_MANAGER))
    lead = api.post("/api/v1/leads/", {"name": "Ann", "stage": "sql"}, format="json").json()

    with real_worker(cache_prefix=prefix) as worker:
        deal = api.post(
            "/api/v1/deals/",
            {
                "lead": lead["id"],
                "amount": "4200.00",
                "status": "won",
                "closed_at": "2026-10-05T10:00:00Z",
            },
            format="json",
        )
        assert deal.status_code == 201, deal.json()
        sent = time.monotonic()
        seen = worker.wait_until(
            lambda: (
                api.get("/api/v1/kpis/?start=2026-10-01&end=2026-10-31").json()["results"]
                and api.get("/api/v1/kpis/?start=2026-10-01&end=2026-10-31").json()["results"][0][
                    "won_revenue"
                ]
                == "4200"
            ),
            seconds=30,
        )
        waited = time.monotonic() - sent

    assert seen, worker.output
    assert waited < settings.KPI_COALESCE_SECONDS + 5  # the benchmark measures it closely


def test_a_burst_of_changes_makes_a_few_recomputes_equal_to_a_full_one(org, member, settings):
    prefix = shared_redis_cache(settings)
    api = token_client(member(Role.MARKETING_MANAGER))

    with real_worker(cache_prefix=prefix) as worker:
        for i in range(150):
            answer = api.post(
                "/api/v1/leads/",
                {"name": f"Lead {i}", "stage": "mql", "channel": "paid_search"},
                format="json",
            )
            assert answer.status_code == 201
        settled = worker.wait_until(
            lambda: (
                api.get("/api/v1/kpis/?group_by=channel").json()["waiting_cells"] == 0
                and sum(r["leads"] for r in api.get("/api/v1/kpis/").json()["results"]) == 150
            ),
            seconds=60,
        )
        time.sleep(settings.KPI_COALESCE_SECONDS + 1)  # any recompute still scheduled has run

    assert settled, worker.output
    assert 1 <= recomputes(worker) <= 5, worker.output
    assert kpis_recompute_full(organization_id=org.pk, check=True) == 0
