"""Bad settings stop start-up with a message naming the variable; good ones load."""

import os
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from smarketing.env import env_bool, env_int, env_list, parse_database_url

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "smarketing" / "settings.py"
PREFIXES = (
    "DJANGO_",
    "DATABASE_",
    "REDIS_",
    "CELERY_",
    "EMAIL_",
    "API_",
    "LOGIN_",
    "INVITATION_",
    "SMARKETING_",
)
PRODUCTION = {
    "DJANGO_SECRET_KEY": "k" * 64,
    "DJANGO_ALLOWED_HOSTS": "smarketing.example.com",
    "DATABASE_URL": "postgres://app:pw@db.internal:5432/smarketing",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def load_settings(monkeypatch, **env):
    for name in list(os.environ):
        if name.startswith(PREFIXES):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_production_settings_load(monkeypatch):
    settings = load_settings(monkeypatch, **PRODUCTION)

    assert settings["DEBUG"] is False
    assert settings["DATABASES"]["default"]["HOST"] == "db.internal"
    assert settings["DATABASES"]["default"]["NAME"] == "smarketing"
    assert settings["CELERY_BROKER_URL"] == "redis://cache.internal:6379/0"
    assert settings["CELERY_TASK_ALWAYS_EAGER"] is False
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_no_database_url_means_the_embedded_postgres(monkeypatch, tmp_path):
    settings = load_settings(monkeypatch, DJANGO_DEBUG="1", SMARKETING_DATA_DIR=str(tmp_path))

    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "smarketing.embedded_postgres"
    assert database["PGDATA"] == str(tmp_path / "postgres")
    assert settings["CELERY_BROKER_URL"] is None
    assert settings["CELERY_TASK_ALWAYS_EAGER"] is True
    assert (tmp_path / "dev-secret-key").exists()  # a dev key, made once, never committed


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_CSRF_TRUSTED_ORIGINS": "example.com"}, "DJANGO_CSRF_TRUSTED_ORIGINS"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@h:5432"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@h:port/db"}, "DATABASE_URL"),
        ({"DJANGO_DB_CONN_MAX_AGE": "forever"}, "DJANGO_DB_CONN_MAX_AGE"),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL"),
        ({"CELERY_BROKER_URL": "amqp://guest@rabbit//"}, "CELERY_BROKER_URL"),
        ({"EMAIL_BACKEND": "pigeon"}, "EMAIL_BACKEND"),
        ({"EMAIL_PORT": "0"}, "EMAIL_PORT"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_TLS"),
        ({"API_THROTTLE_USER": "fast"}, "API_THROTTLE_USER"),
        (
            {"CELERY_TASK_SOFT_TIME_LIMIT": "600", "CELERY_TASK_TIME_LIMIT": "60"},
            "CELERY_TASK_TIME_LIMIT",
        ),
        ({"DJANGO_LOG_LEVEL": "LOUD"}, "DJANGO_LOG_LEVEL"),
        ({"LOGIN_FAILURE_LIMIT": "-1"}, "LOGIN_FAILURE_LIMIT"),
    ],
)
def test_a_bad_value_fails_at_start_up_naming_the_variable(monkeypatch, env, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        load_settings(monkeypatch, **{**PRODUCTION, **env})


def test_env_helpers_read_what_people_write():
    environ = {"A": " yes ", "B": "Off", "N": "42", "L": "a, b,,c "}

    assert env_bool("A", False, environ=environ) is True
    assert env_bool("B", True, environ=environ) is False
    assert env_bool("MISSING", True, environ=environ) is True
    assert env_int("N", 0, environ=environ) == 42
    assert env_list("L", [], environ=environ) == ["a", "b", "c"]


def test_database_urls_with_options_and_sockets():
    config = parse_database_url(
        "DATABASE_URL", "postgresql://me:p%40ss@/app?host=/run/pg&sslmode=require"
    )

    assert config["USER"] == "me"
    assert config["PASSWORD"] == "p@ss"
    assert config["HOST"] == "/run/pg"
    assert config["OPTIONS"] == {"sslmode": "require"}
