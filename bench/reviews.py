"""Benchmark: the review rhythm on an organisation of bench/crm_data.py with 100,000 leads
over 24 months, its KPI facts recomputed and a plan active: recording and e-mailing news
(announcements of 2,000 happenings to 10 members each, then their e-mails), measuring the
plan's drift, and the pages people open (the monthly review pack, its workbook, drift, the
weekly digest's preview, the notification centre, the pulse), each a median of RUNS after a
warm-up, with its query count. The pages read stored results: their time should not grow
with the organisation's leads.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date
from typing import Any

import django

from bench.crm_data import describe, ensure
from bench.harness import machine, manage, production_env, update_section

ORG = "bench-reviews"
LEADS = 100_000
FIRST, MONTHS = date(2024, 11, 1), 24
RUNS = 7
MEMBERS = 10
HAPPENINGS, BATCH = 2_000, 100


def main() -> None:
    env = production_env(DATABASE_URL=os.environ["DATABASE_URL"])
    data = ensure(env, LEADS, org_slug=ORG, first=FIRST, months=MONTHS)
    manage(env, "recompute_kpis", "--org", ORG, "--full")
    manage(env, "collectstatic", "--noinput")  # the pages' assets, as in production
    os.environ.update(env, EMAIL_BACKEND="locmem")
    django.setup()
    from orgs.models import Organization

    organization = Organization.objects.get(pk=data.organization_id)
    members = _members(organization)
    plan = _plan(organization)
    news = _news(organization, members)
    drift_ms = _timed(lambda: _drift(organization))
    pages = _pages(organization, members[0], plan)
    rows = "\n".join(f"| `{path}` | {ms:.0f} | {queries} |" for path, ms, queries in pages)
    update_section(
        "reviews",
        f"""## The review rhythm

Run {date.today()} on {machine()}; PostgreSQL from DATABASE_URL on the same machine. Data:
{describe(data)} (`bench/crm_data.py`), KPI facts recomputed, one plan active, {MEMBERS}
members. Command: `python3 scripts/run_bench.py reviews`.

- Announcing {HAPPENINGS:,} happenings to {MEMBERS} members each, {BATCH} a transaction (the
  events and their notifications recorded): {news["record_s"]:.2f} s,
  {HAPPENINGS / news["record_s"]:,.0f} a second; e-mailing them (one e-mail a member a run of
  at most 500 notifications, locmem backend): {news["email_s"]:.2f} s for
  {news["emails"]} e-mails.
- Measuring the active plan's drift (every stage's rate and time on the latest cohorts, with
  their intervals and impact): {drift_ms:,.0f} ms, median of {RUNS}.

Pages, signed in as an admin, through Django's test client (no network), median of {RUNS}
runs after a warm-up:

| page | median ms | queries |
|---|---|---|
{rows}
""",
    )


def _members(organization: Any) -> list[Any]:
    from orgs.models import Membership, Role, User

    found = []
    roles = [Role.ADMIN, Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.LEADERSHIP]
    for i in range(MEMBERS):
        user, _ = User.objects.get_or_create(
            username=f"bench-reviews-{i}", defaults={"email": f"bench{i}@example.com"}
        )
        membership, _ = Membership.objects.get_or_create(
            organization=organization, user=user,
            defaults={"role": roles[i] if i < len(roles) else Role.SALES_REP},
        )  # fmt: skip
        found.append(membership)
    return found


def _plan(organization: Any) -> Any:
    from funnel.models import Plan
    from funnel.services import plan_activate, plan_create

    plan = Plan.objects.filter(organization=organization, status=Plan.Status.ACTIVE).first()
    if plan is not None:
        return plan
    inputs = {"revenue_goal": "20000000", "average_deal_size": "10000",
              "conversion_rates": ["0.4", "0.5", "0.5", "0.25"]}  # fmt: skip
    plan = plan_create(organization=organization, by=None, name="Bench plan",
                       first_month=date(2026, 1, 1), last_month=date(2026, 12, 1),
                       inputs=inputs)  # fmt: skip
    return plan_activate(plan=plan)


def _news(organization: Any, members: list[Any]) -> dict[str, Any]:
    from django.core import mail
    from django.db import transaction
    from django.utils import timezone

    from reviews.models import Event
    from reviews.services.dispatch import events_dispatch
    from smarketing.lib.events import Happening, Kind, announce

    Event.objects.filter(organization=organization).delete()
    recipients = tuple(m.user_id for m in members)
    began = time.perf_counter()
    for start in range(0, HAPPENINGS, BATCH):
        with transaction.atomic():
            for n in range(start, start + BATCH):
                announce(Happening(
                    organization_id=organization.pk, kind=Kind.IMPORT_FINISHED,
                    key=f"bench:{n}", data={"file_name": f"leads-{n}.csv", "written": n},
                    recipients=recipients, link="/crm/import/",
                ))  # fmt: skip
    record_s = time.perf_counter() - began
    mail.outbox = []
    began = time.perf_counter()
    while events_dispatch(organization_id=organization.pk, now=timezone.now()):
        pass
    email_s = time.perf_counter() - began
    return {"record_s": record_s, "email_s": email_s, "emails": len(mail.outbox)}


def _drift(organization: Any) -> None:
    from django.utils import timezone

    from reviews.services.drift import drift_recompute

    drift_recompute(organization_id=organization.pk, today=timezone.localdate())


def _timed(run: Any) -> float:
    run()
    timings = []
    for _ in range(RUNS):
        began = time.perf_counter()
        run()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


class _Counter:
    """A database execute wrapper that counts the statements a request runs."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)


def _pages(organization: Any, admin: Any, plan: Any) -> list[tuple[str, float, int]]:
    from django.db import connection
    from django.test import Client

    from orgs.middleware import SESSION_KEY

    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    client.force_login(admin.user)
    session = client.session
    session[SESSION_KEY] = organization.pk
    session.save()
    last = date.today().replace(day=1)
    month = date(last.year - (last.month == 1), (last.month - 2) % 12 + 1, 1)
    paths = [f"/reviews/{month:%Y-%m}/", f"/reviews/{month:%Y-%m}/export.xlsx",
             "/reviews/drift/", f"/plans/{plan.pk}/", "/notifications/digest/",
             "/notifications/", "/reviews/pulse/"]  # fmt: skip
    found = []
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        counted = _Counter()
        with connection.execute_wrapper(counted):
            client.get(path)
        found.append((path, _timed(lambda p=path: client.get(p)), counted.queries))
        print(f"{path}: {found[-1][1]:.0f} ms, {found[-1][2]} queries", flush=True)
    return found


if __name__ == "__main__":
    main()
