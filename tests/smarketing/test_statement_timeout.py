"""Every statement of a request or a task has a time limit; a request that hits it answers
503 (the one error shape on the API, a page saying so otherwise), not 500."""

import pytest
from django.db import connection, transaction

from orgs.models import Role
from smarketing.lib.statement_timeout import limit_statements_of_this_process, statement_limit_ms

pytestmark = pytest.mark.django_db


def shown_limit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def a_statement_past_its_limit(*args, **kwargs):
    """Stands in for a statement the planner got wrong: it runs past a 50 ms limit."""
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint keeps the test's
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(5)")


def test_a_web_connection_is_limited_by_the_setting(settings):
    assert statement_limit_ms() == settings.DB_STATEMENT_TIMEOUT_MS
    assert shown_limit() == f"{settings.DB_STATEMENT_TIMEOUT_MS // 1000}s"


@pytest.mark.django_db(transaction=True)  # it closes the connection
def test_a_worker_or_a_command_sets_its_own_limit_on_new_connections(settings):
    try:
        limit_statements_of_this_process(settings.DB_TASK_STATEMENT_TIMEOUT_MS)
        connection.ensure_connection()
        assert shown_limit() == f"{settings.DB_TASK_STATEMENT_TIMEOUT_MS // 60_000}min"
        limit_statements_of_this_process(0)  # management commands
        connection.ensure_connection()
        assert shown_limit() == "0"
    finally:
        limit_statements_of_this_process(settings.DB_STATEMENT_TIMEOUT_MS)


def test_an_api_statement_past_its_limit_answers_503_in_the_error_shape(api_as, monkeypatch):
    monkeypatch.setattr("kpis.api.kpi_table_json", a_statement_past_its_limit)

    answer = api_as(Role.ADMIN).get("/api/v1/kpis/")

    assert answer.status_code == 503
    error = answer.json()["error"]
    assert (error["status"], error["code"]) == (503, "statement_timeout")
    assert "too long" in error["message"]


def test_a_page_whose_statement_times_out_says_so(client_as, monkeypatch):
    monkeypatch.setattr("dashboards.views.kpis_as_of", a_statement_past_its_limit)

    answer = client_as(Role.ADMIN).get("/dashboards/marketing/")

    assert answer.status_code == 503
    assert b"took too long" in answer.content
