"""Every SQL statement run for a web request or a task has a time limit.

A statement the planner gets wrong (stale statistics after a large write) can run for
hours; with a limit it fails loudly instead and frees the connection. The limit is set on
each new connection (`SET statement_timeout`), by what the process is: a web process (the
default, so that nothing is left unbounded by accident) gets DB_STATEMENT_TIMEOUT_MS, a
Celery worker DB_TASK_STATEMENT_TIMEOUT_MS (smarketing/celery.py), and management commands
none (manage.py): migrations, imports from the command line and `recompute_kpis --full`
legitimately run long, and someone is watching them.

A request whose statement was cancelled answers 503 in the one error shape (the API) or
a page saying so, instead of a 500.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

_limit_ms: int | None = None  # None: the web's limit


def limit_statements_of_this_process(milliseconds: int) -> None:
    """Give every statement of this process this limit (0: none), from the next connection."""
    global _limit_ms
    _limit_ms = milliseconds
    connections.close_all()  # a connection opened before keeps the old limit


def statement_limit_ms() -> int:
    return settings.DB_STATEMENT_TIMEOUT_MS if _limit_ms is None else _limit_ms


@receiver(connection_created, dispatch_uid="smarketing-statement-timeout")
def limit_each_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {int(statement_limit_ms())}")


def timed_out(error: BaseException | None) -> bool:
    """Whether the error is, or was caused by, a statement cancelled by its time limit
    (Django raises its own OperationalError from psycopg's QueryCanceled)."""
    while error is not None:
        if isinstance(error, psycopg.errors.QueryCanceled):
            return True
        error = error.__cause__
    return False


def timeout_message() -> str:
    return _(
        "The database took too long to answer and the request was stopped. "
        "Try again in a moment, or ask for less (a shorter period, fewer rows)."
    )


class StatementTimeoutMiddleware:
    """A page (or API view outside DRF) whose statement timed out answers 503, not 500."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not timed_out(exception):
            return None
        if request.path.startswith("/api/"):
            from smarketing.lib.api_conventions import error_body

            body = error_body(503, "statement_timeout", timeout_message())
            return JsonResponse(body, status=503)
        from django.shortcuts import render

        return render(request, "503.html", {"message": timeout_message()}, status=503)
