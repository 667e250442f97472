"""Benchmark: the API base (token auth, role check, org scoping, pagination) on gunicorn.

16 concurrent keep-alive clients against /api/v1/me/ and /api/v1/members/ (100 members,
page of 50). It measures the fixed cost every later endpoint pays.
"""

from __future__ import annotations

import datetime
import os
import sys

from bench.harness import gunicorn, load, machine, manage, production_env, update_section

CLIENTS = 16
PER_CLIENT = 200
MEMBERS = 100


def seed(env: dict[str, str]) -> str:
    """Migrate, create the bench organisation with MEMBERS members, return an admin's token."""

    def run(*args: str) -> str:
        return manage(env, *args)

    run("migrate", "--noinput")
    run(
        "create_org",
        "bench",
        "--name",
        "Bench Inc",
        "--admin",
        "bench-admin",
        "--password",
        "bench-pass-2026",
    )
    script = (
        "from orgs.models import Organization, Role, User, Membership\n"
        "org = Organization.objects.get(slug='bench')\n"
        f"for i in range(Membership.objects.filter(organization=org).count(), {MEMBERS}):\n"
        "    u, _ = User.objects.get_or_create(username=f'bench-{i}')\n"
        "    Membership.objects.get_or_create(organization=org, user=u, defaults={'role': Role.SALES_REP})\n"
    )
    run("shell", "-c", script)
    return (
        run("create_api_token", "bench-admin", "--org", "bench", "--name", "bench")
        .strip()
        .splitlines()[-1]
    )


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database the benchmark may write to.")
    env = production_env()
    token = seed(env)
    workers = 2 * (os.cpu_count() or 1)
    rows = []
    with gunicorn(workers, env) as port:
        headers = {"Authorization": f"Token {token}"}
        for path in ["/api/v1/me/", "/api/v1/members/"]:
            load(port, path, headers, CLIENTS, 20)  # warm-up: connections, caches
            result = load(port, path, headers, CLIENTS, PER_CLIENT)
            rows.append(
                f"| `{path}` | {result.requests} | {result.errors} | {result.per_second:,.0f} | "
                f"{result.p50_ms:.1f} | {result.p95_ms:.1f} | {result.p99_ms:.1f} |"
            )
            print(path, result)
    body = "\n".join(
        [
            "## API base on gunicorn",
            "",
            f"Run {datetime.date.today():%Y-%m-%d} on {machine()}; gunicorn with {workers} sync workers, "
            f"{CLIENTS} concurrent keep-alive clients on the same machine, token auth, "
            f"{MEMBERS} members (page of 50). Command: `python3 scripts/run_bench.py api_base`.",
            "",
            "| endpoint | requests | errors | requests/s | p50 ms | p95 ms | p99 ms |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    update_section("api_base", body)


if __name__ == "__main__":
    main()
