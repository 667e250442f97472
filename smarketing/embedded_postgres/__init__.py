"""The database a fresh machine gets when no DATABASE_URL is set.

A real PostgreSQL 16 from the `pgserver` wheel, started on the first connection in a
local data folder and left running, so the dev server's reloader, gunicorn workers, the
Celery worker and the test suite all share one server. It listens on a Unix socket in
the data folder only. Demo, tests and production therefore run on one engine.
"""
