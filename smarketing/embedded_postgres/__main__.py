"""`python -m smarketing.embedded_postgres stop`: stop the embedded PostgreSQL of the data
folder (SMARKETING_DATA_DIR, ./.data by default), whoever started it. Needs no settings, so
it works whatever the environment (what `python3 scripts/start.py --stop` runs)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from smarketing.embedded_postgres.server import stop_server

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m smarketing.embedded_postgres")
    parser.add_argument("action", choices=["stop"])
    parser.parse_args()
    data = Path(os.environ.get("SMARKETING_DATA_DIR") or ROOT / ".data").resolve()
    if stop_server(data / "postgres"):
        print(f"Stopped the embedded PostgreSQL in {data / 'postgres'}.")
    else:
        print(f"No embedded PostgreSQL was running in {data / 'postgres'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
