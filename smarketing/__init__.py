from smarketing.celery import app as celery_app
from smarketing.lib import statement_timeout  # noqa: F401 - limits each new connection

__all__ = ["celery_app"]
