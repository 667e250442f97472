"""/healthz: is the database up, is the broker up, each reported on its own.

200 with "ok" when both answer; 200 with "degraded" when only the broker is down (the
site works and writes are kept; background work waits); 503 with "down" when the
database is down. Every check has a short timeout, so a hung Redis cannot hang it.
"""

from __future__ import annotations

import time
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:
        return {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    result = {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker() -> str | None:
    if settings.CELERY_BROKER_URL is None:
        return "no broker configured: tasks run in-process"
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
        retry_on_timeout=False,
    )
    try:
        client.ping()
    finally:
        client.close()
    return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _timed(_check_database)
    broker = _timed(_check_broker)
    if database["status"] != "ok":
        overall, status = "down", 503
    elif broker["status"] != "ok":
        overall, status = "degraded", 200
    else:
        overall, status = "ok", 200
    return JsonResponse({"status": overall, "database": database, "broker": broker}, status=status)
