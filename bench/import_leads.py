"""Benchmark: importing a generated 1,000,000-lead CSV end to end, next to `psql \\copy`.

Two floors, measured in the same run on the same database:
- `\\copy` of the same file into a bare table of the file's columns: moving the bytes in;
- `\\copy` of exactly the rows the import wrote back into the same tables (crm_lead and
  crm_leadstagechange, with their indexes): the least any import can do. The import does that plus reading, validating,
resolving channels, upserting into crm_lead and writing one stage change per lead.
The import runs as `manage.py import_records` in its own process, whose peak memory
(max RSS) is reported.
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
from pathlib import Path

from bench.harness import ROOT, machine, production_env, update_section

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


def psql(database_url: str, *args: str) -> None:
    subprocess.run(["psql", database_url, "-v", "ON_ERROR_STOP=1", "-q", *args], check=True)


def copy_floor(database_url: str, path: Path) -> float:
    psql(
        database_url,
        "-c",
        "DROP TABLE IF EXISTS bench_copy_floor",
        "-c",
        "CREATE TABLE bench_copy_floor (id text, name text, email text, created timestamptz, "
        "source text, stage text, country text)",
    )
    started = time.perf_counter()
    psql(
        database_url, "-c", f"\\copy bench_copy_floor FROM '{path}' WITH (FORMAT csv, HEADER true)"
    )
    seconds = time.perf_counter() - started
    psql(database_url, "-c", "DROP TABLE bench_copy_floor")
    return seconds


def same_table_floor(database_url: str, folder: Path) -> float:
    """Export the rows the import wrote, delete them, and time \\copy of them back."""
    org = "(SELECT id FROM orgs_organization WHERE slug = 'bench-import')"
    leads, changes = folder / "crm_lead.csv", folder / "crm_leadstagechange.csv"
    psql(
        database_url,
        "-c",
        f"\\copy (SELECT * FROM crm_lead WHERE organization_id = {org}) TO '{leads}' WITH (FORMAT csv)",
    )
    psql(
        database_url,
        "-c",
        f"\\copy (SELECT * FROM crm_leadstagechange WHERE organization_id = {org}) TO '{changes}' WITH (FORMAT csv)",
    )
    psql(
        database_url,
        "-c",
        f"DELETE FROM crm_leadstagechange WHERE organization_id = {org}",
        "-c",
        f"DELETE FROM crm_lead WHERE organization_id = {org}",
        "-c",
        "VACUUM crm_lead",
        "-c",
        "VACUUM crm_leadstagechange",
    )
    started = time.perf_counter()
    psql(
        database_url,
        "-c",
        f"\\copy crm_lead FROM '{leads}' WITH (FORMAT csv)",
        "-c",
        f"\\copy crm_leadstagechange FROM '{changes}' WITH (FORMAT csv)",
    )
    return time.perf_counter() - started


def run_import(env: dict[str, str], path: Path, mapping: Path) -> tuple[float, dict, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_records",
            str(path),
            "--org",
            "bench-import",
            "--mapping",
            str(mapping),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, json.loads(result.stdout.strip().splitlines()[-1]), peak_mib


def main() -> None:
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        sys.exit("Set DATABASE_URL to a PostgreSQL database the benchmark may write to.")
    env = production_env()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    # Earlier runs' rows go with SQL: a million leads through Django's collector take minutes.
    org = "(SELECT id FROM orgs_organization WHERE slug = 'bench-import')"
    for table in ["crm_leadstagechange", "crm_activity", "crm_deal", "crm_lead", "crm_channel"]:
        psql(database_url, "-c", f"DELETE FROM {table} WHERE organization_id IN {org}")
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "create_org",
            "bench-import",
            "--name",
            "Bench import",
            "--admin",
            "bench-importer",
            "--password",
            "bench-pass-2026",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        path, mapping = Path(folder) / "leads.csv", Path(folder) / "mapping.json"
        mapping.write_text(json.dumps(MAPPING))
        generate(path, ROWS)
        size_mib = path.stat().st_size / 2**20
        floor = copy_floor(database_url, path)
        first, summary, peak = run_import(env, path, mapping)
        again, second, _peak = run_import(env, path, mapping)
        same_table = same_table_floor(database_url, Path(folder))
    print(
        f"same table {same_table:.1f}s  copy {floor:.1f}s  import {first:.1f}s {summary}  again {again:.1f}s {second}  peak {peak:.0f} MiB"
    )
    body = "\n".join(
        [
            f"## Import of {ROWS:,} leads",
            "",
            f"Run {datetime.date.today():%Y-%m-%d} on {machine()}; PostgreSQL from DATABASE_URL on the same machine. "
            f"A generated CSV of {ROWS:,} leads ({size_mib:.0f} MiB, 7 columns: external id, name, e-mail, created, "
            "channel, stage, country). Command: `python3 scripts/run_bench.py import_leads` "
            "(`BENCH_LEADS` sets the row count).",
            "",
            "| what | seconds | vs bare `\\copy` | rows created / unchanged | peak memory |",
            "|---|---|---|---|---|",
            f"| `psql \\copy` of the file into a bare table of its columns | {floor:.1f} | 1.00x | {ROWS:,} / - | - |",
            f"| `psql \\copy` of the rows the import wrote into the same tables (crm_lead and its stage history, indexed) | {same_table:.1f} | {same_table / floor:.2f}x | {ROWS:,} / - | - |",
            f"| `import_records`, first time (validation, channels, upsert, stage history) | {first:.1f} | {first / floor:.2f}x | "
            f"{summary['created']:,} / {summary['unchanged']:,} | {peak:.0f} MiB |",
            f"| `import_records`, same file again (every row compared, none written) | {again:.1f} | {again / floor:.2f}x | "
            f"{second['created']:,} / {second['unchanged']:,} | |",
            "",
            f"Against the same-table floor the first import takes {first / same_table:.1f}x and the repeat {again / same_table:.1f}x.",
        ]
    )
    update_section("import_leads", body)


if __name__ == "__main__":
    main()
