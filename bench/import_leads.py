"""Benchmark: importing a generated 1,000,000-lead CSV end to end, in both configurations,
next to its floors.

The import runs as `manage.py import_records` in a process of its own:
- with the embedded default's tasks: no broker, so the KPI recompute that follows the
  import runs in-process before the command returns (its peak memory, max RSS, is
  reported: this run comes first, before any other child process);
- with a broker and a Celery worker: the recompute is queued, and how long the KPIs then
  take to be fresh (no mark left) is reported beside it; then the same file again.
The floors, in the same run on the same database:
- the same-table floor: `\\copy` of exactly the rows the import wrote into twins of
  crm_lead and crm_leadstagechange made with `LIKE ... INCLUDING ALL` (their keys, checks
  and indexes; no foreign keys: LIKE copies none);
- for the reading, the same twins with the tables' foreign keys added;
- for the record, `\\copy` of the file into a bare table of its columns.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import ROOT, machine, production_env, update_section
from bench.kpi_freshness import recomputes, worker

ROWS = int(os.environ.get("BENCH_LEADS", "1000000"))
CHANNELS = ["organic_search", "paid_search", "social", "email", "referral", "event", "direct", ""]
STAGES = ["lead", "mql", "sql", "opportunity", "customer"]
MAPPING = {
    "kind": "leads",
    "columns": {
        "external_id": "id",
        "name": "name",
        "email": "email",
        "created_at": "created",
        "channel": "source",
        "stage": "stage",
        "country": "country",
    },
    "values": {"channel": {"": "unknown"}},
}


def generate(path: Path, rows: int) -> None:
    rng = random.Random(2026)
    start = datetime.datetime(2024, 1, 1)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "email", "created", "source", "stage", "country"])
        for i in range(rows):
            created = start + datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 700))
            writer.writerow(
                [
                    f"L{i:07d}",
                    f"Lead {i}",
                    f"lead{i}@example.test",
                    created.strftime("%Y-%m-%d %H:%M:%S"),
                    rng.choice(CHANNELS),
                    rng.choice(STAGES),
                    rng.choice(["IT", "ES", "PL", "DE", "US"]),
                ]
            )


def psql(database_url: str, *args: str) -> str:
    return subprocess.run(
        ["psql", database_url, "-v", "ON_ERROR_STOP=1", "-qtA", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def timed_psql(database_url: str, *args: str) -> float:
    started = time.perf_counter()
    psql(database_url, *args)
    return time.perf_counter() - started


ORG = "(SELECT id FROM orgs_organization WHERE slug = 'bench-import')"
TWINS = {"crm_lead": "bench_twin_lead", "crm_leadstagechange": "bench_twin_change"}


def foreign_keys(database_url: str, table: str) -> list[str]:
    """The table's foreign keys, as its twin would declare them (a twin's reference to the
    other table goes to the other's twin)."""
    keys = psql(
        database_url,
        "-c",
        f"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{table}'::regclass AND contype = 'f'",
    ).splitlines()
    return [key.replace("REFERENCES crm_lead(", f"REFERENCES {TWINS['crm_lead']}(") for key in keys]


def copy_floor(database_url: str, path: Path) -> float:
    psql(
        database_url,
        "-c",
        "DROP TABLE IF EXISTS bench_copy_floor",
        "-c",
        "CREATE TABLE bench_copy_floor (id text, name text, email text, created timestamptz, "
        "source text, stage text, country text)",
    )
    seconds = timed_psql(
        database_url, "-c", f"\\copy bench_copy_floor FROM '{path}' WITH (FORMAT csv, HEADER true)"
    )
    psql(database_url, "-c", "DROP TABLE bench_copy_floor")
    return seconds


def twin_floors(database_url: str, folder: Path) -> tuple[float, float]:
    """`\\copy` of the rows the import wrote into twins of its tables: without foreign keys
    (the same-table floor), then with them."""
    for table in TWINS:
        psql(
            database_url,
            "-c",
            f"\\copy (SELECT * FROM {table} WHERE organization_id = {ORG}) TO '{folder / table}.csv' WITH (FORMAT csv)",
        )
    floors = []
    for constrained in (False, True):
        statements = ["DROP TABLE IF EXISTS bench_twin_change, bench_twin_lead"]
        for table, twin in TWINS.items():
            statements.append(f"CREATE TABLE {twin} (LIKE {table} INCLUDING ALL)")
            if constrained:
                statements += [
                    f"ALTER TABLE {twin} ADD {key}" for key in foreign_keys(database_url, table)
                ]
        psql(database_url, *[arg for s in statements for arg in ("-c", s)])
        copies = [
            arg
            for table, twin in TWINS.items()
            for arg in ("-c", f"\\copy {twin} FROM '{folder / table}.csv' WITH (FORMAT csv)")
        ]
        floors.append(timed_psql(database_url, *copies))
    psql(database_url, "-c", "DROP TABLE bench_twin_change, bench_twin_lead")
    return floors[0], floors[1]


def forget_the_import(database_url: str) -> None:
    """Delete what the last import wrote (in SQL: a million leads through Django's
    collector take minutes), so that the next one starts from the same state."""
    for table in ["crm_changedcell", "crm_changedconversion", "funnel_kpifact", "funnel_pipelinefact", "crm_leadstagechange",
                  "crm_activity", "crm_deal", "crm_lead", "crm_channel"]:  # fmt: skip
        psql(database_url, "-c", f"DELETE FROM {table} WHERE organization_id IN {ORG}")
    psql(database_url, "-c", "VACUUM ANALYZE crm_lead", "-c", "VACUUM ANALYZE crm_leadstagechange")


def run_import(env: dict[str, str], path: Path, mapping: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "import_records", str(path), "--org", "bench-import",
         "--mapping", str(mapping)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    return seconds, json.loads(result.stdout.strip().splitlines()[-1])


def waiting(database_url: str) -> int:
    return int(
        psql(
            database_url,
            "-c",
            f"SELECT (SELECT count(*) FROM crm_changedcell WHERE organization_id = {ORG})"
            f" + (SELECT count(*) FROM crm_changedconversion WHERE organization_id = {ORG})",
        )
    )


def until_fresh(database_url: str, lines: list[str]) -> float:
    """Seconds until no mark of the organisation waits and the worker is idle."""
    started = time.perf_counter()
    while waiting(database_url) or recomputes(lines) < sum(
        "kpis_recompute_task" in line and "received" in line for line in lines
    ):
        time.sleep(0.2)
    return time.perf_counter() - started


@dataclass
class Figures:
    rows: int
    size_mib: float
    bare: float
    twins: float
    twins_constrained: float
    embedded: float
    embedded_summary: dict
    peak_mib: float
    broker: float
    broker_summary: dict
    fresh_after: float
    worker_recomputes: int
    again: float
    again_summary: dict


def measure(database_url: str, folder: Path) -> Figures:
    broker_env = production_env()
    embedded_env = {
        k: v for k, v in broker_env.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")
    }
    path, mapping = folder / "leads.csv", folder / "mapping.json"
    mapping.write_text(json.dumps(MAPPING))
    generate(path, ROWS)
    bare = copy_floor(database_url, path)
    forget_the_import(database_url)
    embedded, embedded_summary = run_import(embedded_env, path, mapping)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    twins, twins_constrained = twin_floors(database_url, folder)
    forget_the_import(database_url)
    with worker(broker_env) as lines:
        broker, broker_summary = run_import(broker_env, path, mapping)
        fresh_after = until_fresh(database_url, lines)
        worker_recomputes = recomputes(lines)
        again, again_summary = run_import(broker_env, path, mapping)
        until_fresh(database_url, lines)
    return Figures(ROWS, path.stat().st_size / 2**20, bare, twins, twins_constrained, embedded,
                   embedded_summary, peak_mib, broker, broker_summary, fresh_after,
                   worker_recomputes, again, again_summary)  # fmt: skip


def report(f: Figures) -> str:
    def row(what: str, seconds: float, created: str, note: str = "") -> str:
        return f"| {what} | {seconds:.1f} | **{seconds / f.twins:.2f}x** | {seconds / f.bare:.1f}x | {created} | {note} |"

    def made(summary: dict) -> str:
        return f"{summary['created']:,} / {summary['unchanged']:,}"

    return "\n".join(
        [
            f"## Import of {f.rows:,} leads",
            "",
            f"Run {datetime.date.today():%Y-%m-%d} on {machine()}; PostgreSQL from DATABASE_URL on the same machine. "
            f"A generated CSV of {f.rows:,} leads ({f.size_mib:.0f} MiB, 7 columns: external id, name, e-mail, created, "
            "channel, stage, country), into an organisation with no leads. Command: "
            "`python3 scripts/run_bench.py import_leads` (`BENCH_LEADS` sets the row count; needs `REDIS_URL`).",
            "",
            "| what | seconds | vs same-table floor | vs bare `\\copy` | created / unchanged | |",
            "|---|---|---|---|---|---|",
            f"| **same-table floor**: `\\copy` of the rows the import wrote into twins of `crm_lead` and `crm_leadstagechange` (`LIKE ... INCLUDING ALL`) | {f.twins:.1f} | 1.00x | {f.twins / f.bare:.1f}x | {f.rows:,} / - | |",
            row(
                "the same twins with the tables' own foreign keys, checked at commit as theirs are",
                f.twins_constrained,
                f"{f.rows:,} / -",
            ),
            f"| `\\copy` of the file into a bare table of its columns | {f.bare:.1f} | {f.bare / f.twins:.2f}x | 1.0x | {f.rows:,} / - | |",
            row(
                "`import_records`, embedded default (no broker): the import, then its one KPI recompute in-process",
                f.embedded,
                made(f.embedded_summary),
                f"peak memory {f.peak_mib:.0f} MiB",
            ),
            row(
                "`import_records`, broker configured (a Celery worker recomputes)",
                f.broker,
                made(f.broker_summary),
                f"KPIs fresh {f.fresh_after:.1f} s after it ends ({f.worker_recomputes} recompute tasks)",
            ),
            row(
                "`import_records`, the same file again (every row compared, none written)",
                f.again,
                made(f.again_summary),
            ),
            "",
            "Goal: at most 1.5x the same-table floor, in both configurations.",
        ]
    )


def main() -> None:
    database_url = os.environ.get("DATABASE_URL")
    if not database_url or not os.environ.get("REDIS_URL"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database the benchmark may write to, and REDIS_URL."
        )
    env = production_env()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run(
        [sys.executable, "manage.py", "create_org", "bench-import", "--name", "Bench import",
         "--admin", "bench-importer", "--password", "bench-pass-2026"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(database_url, Path(folder))
    print(figures)
    update_section("import_leads", report(figures))


if __name__ == "__main__":
    main()
