"""Django settings for Smarketing.

Everything comes from the environment (see `.env.example` for each variable). With no
DATABASE_URL the app runs on an embedded PostgreSQL in SMARKETING_DATA_DIR; with no
broker, Celery tasks run in-process after the transaction commits.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from smarketing.env import (
    check_redis_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

# Lets `forms.ModelForm[Model]` and friends, written for mypy, also run.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("SMARKETING_DATA_DIR") or BASE_DIR / ".data").resolve()

DEBUG = env_bool("DJANGO_DEBUG", False)


def _secret_key() -> str:
    key = env_str("DJANGO_SECRET_KEY")
    if key:
        if not DEBUG and len(key) < 50:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Local development only: one random key kept in the data folder, so sessions
    # survive restarts without a secret ever being committed.
    key_file = DATA_DIR / "dev-secret-key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is empty: list the host names this site answers to, comma-separated."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not re.match(r"^https?://", _origin):
        raise ImproperlyConfigured(
            f"DJANGO_CSRF_TRUSTED_ORIGINS entry {_origin!r} must start with http:// or https://."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "orgs",
    "crm",
    "personas",
    "kpis",
    "funnel",
    "objectives",
    "sla",
    "reviews",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the view: answers to a signed-in member get Cache-Control: private, no-store.
    "smarketing.middleware.PrivateAnswersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "orgs.middleware.CurrentMembershipMiddleware",
    # After the membership, so its 400 page has the usual navigation.
    "orgs.middleware.RefuseNulBytes",
    "smarketing.lib.statement_timeout.StatementTimeoutMiddleware",
    # Last, as django-axes asks: it turns a lock-out signalled by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smarketing.urls"
WSGI_APPLICATION = "smarketing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "orgs.context_processors.navigation",
            ],
            # The formatting filters live in smarketing.lib, which is no installed app.
            "libraries": {"money": "smarketing.lib.templatetags.money"},
        },
    },
]

# --- Database -------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": parse_database_url("DATABASE_URL", _database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "smarketing.embedded_postgres",
            "NAME": "smarketing",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "PGDATA": str(DATA_DIR / "postgres"),
        }
    }
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_DB_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and broker ----------------------------------------------------------
_redis_url = env_str("REDIS_URL")
REDIS_URL = check_redis_url("REDIS_URL", _redis_url) if _redis_url else None
_broker_url = env_str("CELERY_BROKER_URL") or REDIS_URL
CELERY_BROKER_URL = check_redis_url("CELERY_BROKER_URL", _broker_url) if _broker_url else None
# A Redis that accepts connections but never answers must not hang a request: every
# Redis call gives up after this many seconds.
REDIS_SOCKET_TIMEOUT = env_int("REDIS_SOCKET_TIMEOUT", 2, minimum=1)
# After one such timeout (or a refused connection), the cache, the API throttle and task
# sends skip that Redis for this many seconds, so a request pays one timeout, not one per
# call (smarketing/lib/redis_breaker.py); 0 tries Redis on every call.
REDIS_BREAKER_SECONDS = env_int("REDIS_BREAKER_SECONDS", 30, minimum=0)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "smarketing.lib.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "smarketing",
            "OPTIONS": {
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None  # no broker: run in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_TASK_TIME_LIMIT must be greater than CELERY_TASK_SOFT_TIME_LIMIT."
    )
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 2,
    # A send connects once: kombu would otherwise retry a hung broker for
    # CELERY_BROKER_CONNECTION_TIMEOUT, two socket timeouts and a sleep. The worker's own
    # connection keeps retrying (broker_connection_retry); a missed send is swept up.
    "max_retries": 0,
}
# Publishing while Redis is down: try briefly, then let the caller decide (the web
# request must not wait for the broker).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "purge-expired-invitations": {
        "task": "orgs.tasks.invitations_purge_expired_task",
        "schedule": timedelta(hours=6),
    },
    # Whatever a lost message or a Redis outage left marked as changed.
    "kpis-sweep": {"task": "kpis.tasks.kpis_sweep_task", "schedule": timedelta(minutes=1)},
    "personas-fits-sweep": {
        "task": "personas.tasks.fits_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    # Agreements ending within 30 days: their managers are reminded to renew, once.
    "sla-renewal-reminders": {
        "task": "sla.tasks.sla_remind_renewals_task",
        "schedule": crontab(hour=7, minute=5),
    },
    # SLA clocks whose deadline passed, agreement months that ended, lost runs; then the
    # breaches still open a day after their owner was told go to their manager.
    "sla-sweep": {"task": "sla.tasks.sla_sweep_task", "schedule": timedelta(minutes=1)},
    "sla-escalate": {"task": "sla.tasks.sla_escalate_task", "schedule": timedelta(minutes=15)},
    # Progress moves with the calendar too (what is expected by now): once a day for all.
    "objectives-daily": {
        "task": "objectives.tasks.objectives_refresh_all_task",
        "schedule": crontab(hour=2, minute=41),
    },
    "kpis-nightly-check": {
        "task": "kpis.tasks.kpis_nightly_check_task",
        "schedule": crontab(hour=3, minute=17),
    },
    # Events whose e-mails or webhooks a lost task or a failed send left untold.
    "reviews-sweep": {"task": "reviews.tasks.reviews_sweep_task", "schedule": timedelta(minutes=1)},
    # Each hour: the organisations where it is Monday morning get their weekly digests.
    "reviews-digests": {"task": "reviews.tasks.digests_due_task", "schedule": crontab(minute=7)},
    # Events (with their notifications) older than a year.
    "reviews-purge": {
        "task": "reviews.tasks.reviews_purge_task",
        "schedule": crontab(hour=4, minute=23),
    },
    # Each organisation's alignment pulse opens at the start of its month (or quarter) in
    # its own time zone: hourly, so that every zone's midnight is met within the hour.
    "reviews-pulse-open": {
        "task": "reviews.tasks.pulses_open_due_task",
        "schedule": crontab(minute=3),
    },
    # Webhook deliveries due again (their retry waits longer than Celery holds a message) or
    # whose retry was lost; the log's old deliveries once a day.
    "webhooks-sweep": {
        "task": "reviews.tasks.webhooks_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "webhooks-purge": {
        "task": "reviews.tasks.webhook_deliveries_purge_task",
        "schedule": crontab(hour=4, minute=23),
    },
    # The drift window moves on each day: every active plan measured again on its latest
    # cohorts, after the night's KPI check.
    "reviews-drift-nightly": {
        "task": "reviews.tasks.drift_nightly_task",
        "schedule": crontab(hour=3, minute=47),
    },
}
# Changes to one organisation's leads within this many seconds share one refresh of their
# fit to the buyer personas (personas/fits.py).
FIT_COALESCE_SECONDS = env_int("FIT_COALESCE_SECONDS", 2, minimum=0)
# KPI recomputes of one organisation within this many seconds share one refresh of its
# objectives' progress (objectives/services.py).
OBJECTIVES_COALESCE_SECONDS = env_int("OBJECTIVES_COALESCE_SECONDS", 2, minimum=0)
# Changes to one organisation's hand-offs within this many seconds share one recompute of
# its SLA compliance (sla/services/compliance.py).
SLA_COALESCE_SECONDS = env_int("SLA_COALESCE_SECONDS", 2, minimum=0)
# An SLA recompute judges the hand-offs in this many ranges of leads side by side, each in
# its own PostgreSQL process (a parallel worker, or the session itself when none is free):
# the database server's cores one recompute may use (sla/compliance_sql.py).
SLA_JUDGE_BRANCHES = env_int("SLA_JUDGE_BRANCHES", 2, minimum=1)
# Events of one organisation within this many seconds share one run of their e-mails and
# webhook deliveries (reviews/services/events.py).
NOTIFY_COALESCE_SECONDS = env_int("NOTIFY_COALESCE_SECONDS", 2, minimum=0)
# Webhooks (reviews/services/webhooks.py): how long a delivery waits for the receiver's
# answer; the waits between the tries of one that fails (the last repeating) until
# WEBHOOKS_RETRY_HOURS after its first, and an endpoint failing that long with no success is
# disabled. Deliveries never go to loopback, private or link-local addresses unless
# WEBHOOKS_ALLOW_PRIVATE (for local development and tests, never in production).
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOKS_RETRY_HOURS = env_int("WEBHOOKS_RETRY_HOURS", 24, minimum=1)
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
# Days a finished delivery stays in the log.
WEBHOOKS_LOG_DAYS = env_int("WEBHOOKS_LOG_DAYS", 30, minimum=1)


def _seconds_list(name: str, default: list[int]) -> list[int]:
    raw = env_list(name, [str(n) for n in default])
    if not raw or not all(item.isdigit() and int(item) > 0 for item in raw):
        raise ImproperlyConfigured(f"{name} must be positive whole seconds, comma-separated.")
    return [int(item) for item in raw]


WEBHOOKS_RETRY_SECONDS = _seconds_list("WEBHOOKS_RETRY_SECONDS", [30, 120, 600, 3600, 10800, 21600])
# KPI recomputes and plan changes of one organisation within this many seconds share one
# measurement of its plans' drift (reviews/services/drift.py).
DRIFT_COALESCE_SECONDS = env_int("DRIFT_COALESCE_SECONDS", 10, minimum=0)
# A breach still open this many hours after its owner was told is sent to their manager.
SLA_ESCALATE_HOURS = env_int("SLA_ESCALATE_HOURS", 24, minimum=1)
# Changes to one organisation within this many seconds share one KPI recompute.
KPI_COALESCE_SECONDS = env_int("KPI_COALESCE_SECONDS", 2, minimum=0)
# Fairness: a recompute task reads at most this many month x channel marks, and stops
# before a span of months that would end past this many seconds, then queues the rest of
# the organisation's marks behind the others' work (kpis/turns.py). With one worker
# process, a change elsewhere waits at most about two slices beyond the coalescing delay;
# with two or more, not at all. The seconds bound a slice; the marks, what one reads (an
# import marks thousands): 200 split a stream of deal wins, which marks most months of
# twelve channels, into three tasks a round.
KPI_SLICE_CELLS = env_int("KPI_SLICE_CELLS", 1000, minimum=1)
KPI_SLICE_SECONDS = env_int("KPI_SLICE_SECONDS", 5, minimum=1)
# Every statement of a web request, or of a Celery task, is cancelled after this many
# milliseconds (0: never); management commands have no limit (smarketing/lib/statement_timeout.py).
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30_000, minimum=0)
DB_TASK_STATEMENT_TIMEOUT_MS = env_int("DB_TASK_STATEMENT_TIMEOUT_MS", 600_000, minimum=0)

# --- Auth and accounts ----------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = None  # show the "you are signed out" page
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_HOURS", 24, minimum=1) * 3600
INVITATION_TTL = timedelta(days=env_int("INVITATION_TTL_DAYS", 7, minimum=1))

# Login lock-out (django-axes): after this many failures for one username from one
# address, that pair is locked out for the cool-off time.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0, minimum=0)

# --- E-mail ---------------------------------------------------------------------------
_email_backends = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
EMAIL_BACKEND = _email_backends[env_choice("EMAIL_BACKEND", "console", list(_email_backends))]
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Smarketing <noreply@localhost>")
# Where the app is reached, for links in e-mails sent outside a request (reminders).
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Languages ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("it", _("Italian")),
    ("es", _("Spanish")),
    ("ru", _("Russian")),
    ("pl", _("Polish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Front-end libraries from their installed packages: plotly.min.js from plotly.
    "smarketing.vendor.PackageFileFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

# --- Imports --------------------------------------------------------------------------
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 500, minimum=1) * 2**20
IMPORT_DIR = DATA_DIR / "imports"  # uploaded files and reports of rejected rows

# --- Security -------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int(
    "DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 30, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list is hard to undo and binds every subdomain: only
# the site's owner can decide it (DJANGO_SECURE_HSTS_PRELOAD=1), so its check stays quiet.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if AXES_IPWARE_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from this site's own static
# files, nothing inline. htmx comes from django-htmx's static file, configured by a meta tag
# so it injects no <style> of its own; charts are drawn by static/js/charts.js from
# json_script data; plotly.js draws its SVG with element.style (CSSOM, which a policy does
# not govern). The API docs load Swagger UI's init script from a URL of their own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Swagger UI's and plotly's icons are data: SVGs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- REST API -------------------------------------------------------------------------
_rate = re.compile(r"^\d+/(second|minute|hour|day|s|m|h|d)$")


def _throttle_rate(name: str, default: str) -> str:
    rate = env_str(name) or default
    if not _rate.match(rate):
        raise ImproperlyConfigured(
            f"{name}={rate!r} must look like 1000/hour (per second, minute, hour or day)."
        )
    return rate


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "orgs.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["orgs.api_permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "smarketing.lib.api_conventions.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["smarketing.lib.api_parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "smarketing.lib.throttling.UserWindowThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _throttle_rate("API_THROTTLE_ANON", "60/minute"),
        "user": _throttle_rate("API_THROTTLE_USER", "6000/minute"),
    },
    "EXCEPTION_HANDLER": "smarketing.lib.api_conventions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Smarketing API",
    "DESCRIPTION": (
        "One shared funnel for marketing and sales. Authenticate with "
        "`Authorization: Token <key>`; a token belongs to one organisation and acts with "
        "its member's role. Errors share one body: "
        '`{"error": {"status": 400, "code": "...", "message": "...", "fields": {...}}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # "status" and "side" name several choice sets (deals, plans, objectives; persona
    # approvals, agreement signatures): each its own name.
    "ENUM_NAME_OVERRIDES": {
        "ObjectiveStatusEnum": "objectives.models.Status",
        "AgreementSideEnum": "sla.models.Side",
        "ApprovalSideEnum": "personas.models.Side",
        "RejectionReasonEnum": "sla.models.RejectionReason",
        "NotificationTopicEnum": "reviews.models.Topic",
        "DirectionEnum": "objectives.metrics.Direction",  # its name before drift had one
        "DriftDirectionEnum": "reviews.models.drift.DriftDirection",
        "DriftMetricEnum": "reviews.models.drift.DriftMetric",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "smarketing.lib.api_schema.document_error_answers",
        "smarketing.lib.extensions.document_extensions",
    ],
}

# --- Logging --------------------------------------------------------------------------
LOG_LEVEL = env_choice("DJANGO_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}, "pgserver": {"level": "WARNING"}},
}
