"""Static files as production serves them: collected with hashed names, compressed, and kept
by browsers for a year, so plotly's 4.8 MB are fetched once, gzipped, not on every page."""

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def collected(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": PRODUCTION_STORAGE},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return WhiteNoiseMiddleware(get_response=lambda request: None)


@pytest.mark.parametrize("name", ["js/charts.js", "vendor/plotly.min.js", "css/app.css"])
def test_a_hashed_static_file_is_served_gzipped_and_cached_for_a_year(collected, name):
    url = staticfiles_storage.url(name)  # what {% static %} writes into a page
    request = RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    answer = collected(request)

    assert url != f"{settings.STATIC_URL}{name}"  # a hashed name: a new file, a new URL
    assert answer.status_code == 200
    assert answer["Content-Encoding"] == "gzip"
    assert answer["Cache-Control"] == "max-age=315360000, public, immutable"


def test_a_browser_that_takes_no_gzip_gets_the_plain_file(collected):
    url = staticfiles_storage.url("js/charts.js")

    answer = collected(RequestFactory().get(url))

    assert answer.status_code == 200
    assert "Content-Encoding" not in answer
