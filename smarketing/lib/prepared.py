"""Hot queries as server-side prepared statements.

Django binds parameters on the client, so PostgreSQL plans every query anew; for the few
statements that every API call runs (the token lookup, the KPI freshness), planning costs
more than running. These are prepared once per database connection (connections live for
DJANGO_DB_CONN_MAX_AGE) and then only executed. They go straight to psycopg, so Django's
query logging and counting do not see them. Behind PgBouncer in transaction mode this needs
PgBouncer 1.21 or later with max_prepared_statements set.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connection


def fetch_one_prepared(sql: str, params: list[Any] | dict[str, Any]) -> tuple[Any, ...] | None:
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()
