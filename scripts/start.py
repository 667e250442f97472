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

from _bootstrap import ensure_environment, exec_in_root, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="the port to serve (8000)")
    parser.add_argument(
        "--stop", action="store_true", help="stop the embedded PostgreSQL in .data/ and exit"
    )
    args = parser.parse_args()

    python = str(ensure_environment("requirements.lock"))
    env = {**os.environ}
    if args.stop:
        run([python, "-m", "smarketing.embedded_postgres", "stop"], env)
        return
    env.setdefault("DJANGO_DEBUG", "1")  # the local server serves its own static files
    run([python, "manage.py", "migrate", "--noinput"], env)
    run([python, "manage.py", "seed_demo"], env)
    print(
        f"\nSmarketing is starting at http://127.0.0.1:{args.port}/ (Ctrl-C stops it).\n",
        flush=True,
    )
    exec_in_root([python, "manage.py", "runserver", f"127.0.0.1:{args.port}"], env)


if __name__ == "__main__":
    main()
