#!/usr/bin/env python3
"""Install everything and start Smarketing with demo data at http://127.0.0.1:8000.

    python3 scripts/start.py [--port 8000]
    python3 scripts/start.py --stop     # stop the embedded PostgreSQL it left running

With no DATABASE_URL the app uses its embedded PostgreSQL in .data/; with no
REDIS_URL, background tasks run in-process. Set them to use real services.
"""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from _bootstrap import ROOT, ensure_environment, exec_in_root, run


def local_settings() -> dict[str, str]:
    """The production settings on this machine, over plain HTTP: static files hashed and
    compressed as production serves them, a key kept in the data folder. Any of these set
    in the environment wins (DJANGO_DEBUG=1 for debug pages while developing)."""
    data = Path(os.environ.get("SMARKETING_DATA_DIR") or ROOT / ".data")
    key_file = data / "local-secret-key"
    if not key_file.exists():
        data.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": key_file.read_text().strip(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        # runserver answers each request in a new thread: a connection kept for reuse stays
        # open with its dead thread, and some hundred requests fill max_connections.
        "DJANGO_DB_CONN_MAX_AGE": "0",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="the port to serve (8000)")
    parser.add_argument(
        "--stop", action="store_true", help="stop the embedded PostgreSQL in .data/ and exit"
    )
    args = parser.parse_args()

    python = str(ensure_environment("requirements.lock"))
    env = {**os.environ, **{k: v for k, v in local_settings().items() if k not in os.environ}}
    if args.stop:
        run([python, "-m", "smarketing.embedded_postgres", "stop"], env)
        return
    run([python, "manage.py", "migrate", "--noinput"], env)
    run([python, "manage.py", "seed_demo"], env)
    # Hashed, gzipped copies that the browser keeps for a year: plotly's 4.8 MB once, not on
    # every dashboard (with DJANGO_DEBUG=1 the source files are served as they are instead).
    run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    print(
        f"\nSmarketing is starting at http://127.0.0.1:{args.port}/ (Ctrl-C stops it).\n",
        flush=True,
    )
    exec_in_root([python, "manage.py", "runserver", f"127.0.0.1:{args.port}"], env)


if __name__ == "__main__":
    main()
