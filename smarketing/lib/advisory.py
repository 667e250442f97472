"""Session advisory locks keyed by (organisation, purpose), and who holds them.

A lock of (organisation id, purpose) lives with its connection: a process that dies frees
it. The purposes are small negative numbers, each named where it is used (kpis.turns.TURN,
crm.journal.HOLD, personas.fits.TURN); the KPI recompute's month locks use 0, -1 and
positive month numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def organisation_lock(
    organization_id: int, purpose: int, *, wait: bool, shared: bool = False
) -> Iterator[bool]:
    """Hold (organisation, purpose) for the block; yields False, without waiting, if another
    session holds it (in a conflicting mode) and `wait` is off. Shared holders do not
    conflict with one another."""
    mode = "_shared" if shared else ""
    with connection.cursor() as cursor:
        if wait:
            cursor.execute(f"SELECT pg_advisory_lock{mode}(%s, %s)", [organization_id, purpose])
            taken = True
        else:
            cursor.execute(f"SELECT pg_try_advisory_lock{mode}(%s, %s)", [organization_id, purpose])
            taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT pg_advisory_unlock{mode}(%s, %s)", [organization_id, purpose]
                )


def organisations_holding(purpose: int) -> set[int]:
    """The organisations whose (organisation, purpose) lock a session holds now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT classid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND objsubid = 2 AND objid = %s::bigint::oid"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [purpose & 0xFFFFFFFF],  # the key as pg_locks shows it, an unsigned oid
        )
        return {row[0] for row in cursor.fetchall()}
