"""The real settings, with the few values a test run needs when the environment has none."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-" + "x" * 60)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("API_THROTTLE_USER", "100000/minute")
os.environ.setdefault("API_THROTTLE_ANON", "100000/minute")

from smarketing.settings import *  # noqa: F403

# Hashing passwords fast: the tests sign in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# Tests run tasks in-process unless a test starts a real worker (tests/smarketing/test_celery.py).
CELERY_TASK_ALWAYS_EAGER = True
# A real worker (tests/workers.py) sends what its tasks send through Redis, to its own
# queue, as production does: a recompute's rest must wait in the queue, not run inline.
if os.environ.get("TEST_WORKER_QUEUE"):
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_TASK_DEFAULT_QUEUE = os.environ["TEST_WORKER_QUEUE"]
# Each test process gets its own cache; the Redis cache backend is tested on its own.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Except a real worker's, when its test shares a Redis cache with it (tests/workers.py).
if os.environ.get("TEST_REDIS_CACHE_PREFIX") and REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "smarketing.lib.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "KEY_PREFIX": os.environ["TEST_REDIS_CACHE_PREFIX"],
        }
    }
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing

# One test database per run: two runs on one server (a developer's and CI's) never collide.
DATABASES["default"]["TEST"] = {"NAME": f"test_smarketing_{os.getpid()}"}  # noqa: F405
