"""Every front-end asset is served from this site: no template loads from another host."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REMOTE = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', re.IGNORECASE)


def test_no_template_loads_an_asset_from_another_host():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and REMOTE.search(path.read_text())
    ]

    assert offenders == []


def test_htmx_comes_from_the_installed_django_htmx_package(client, db):
    page = client.get("/accounts/login/").content.decode()

    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js', page)


def test_the_htmx_file_exists_in_the_installed_package():
    from django.contrib.staticfiles import finders

    assert finders.find("django_htmx/htmx-2.min.js")
