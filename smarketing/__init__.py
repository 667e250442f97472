from smarketing import statement_timeout  # noqa: F401 - limits each new connection
from smarketing.celery import app as celery_app

__all__ = ["celery_app"]
