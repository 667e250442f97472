"""Content-Security-Policy: every page sends it, and nothing the pages need is inline."""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from smarketing.vendor import FILES

ROOT = Path(__file__).resolve().parents[2]
# plotly skips injecting maplibre's CSS when an element has this id (templates/partials/charts.html).
PLOTLY_MAPLIBRE_STYLE_ID = "9f215cf04c5486422605d13261cb87401f4e7763b6296af81e98efbc0130da53"
INLINE = {
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "an on...= handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "a style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "a <style> block": re.compile(r"<style\b", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def _paths_without_parameters(patterns=None, prefix=""):
    """Every URL of the site that takes no parameter, e.g. /crm/import/ or /api/v1/kpis/."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")  # the API router's regexes
        if "<" in route or "(?P" in route or "\\" in route:
            continue  # takes a parameter
        if isinstance(entry, URLResolver):
            yield from _paths_without_parameters(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield "/" + route


@pytest.mark.django_db
def test_every_page_sends_the_policy(member):
    from tests.conftest import signed_in_client

    client = signed_in_client(member())
    client.raise_request_exception = False  # a page that fails must still carry the header
    paths = sorted(set(_paths_without_parameters()))
    assert {"/", "/plans/new/", "/api/docs/", "/api/v1/leads/", "/admin/"} <= set(paths)
    paths += ["/dashboards/marketing/", "/crm/leads/", "/crm/leads/new/", "/no-such-page/"]

    missing = [p for p in paths if "Content-Security-Policy" not in client.get(p)]

    assert missing == []


@pytest.mark.django_db
def test_the_policy_allows_nothing_inline_and_no_eval(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))

    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


# E-mails are read in mail clients, which take styles only inline or in the message's own
# <style>; no page renders them, so the site's policy never meets them.
PAGES = sorted(t for t in (ROOT / "templates").rglob("*.html") if "email" not in t.parts)


@pytest.mark.parametrize("template", PAGES, ids=str)
def test_no_template_has_inline_script_or_style(template):
    text = template.read_text()
    # Comments explain the policy; they are not sent.
    text = re.sub(r"{% comment %}.*?{% endcomment %}|{#.*?#}", "", text, flags=re.S)

    found = [what for what, pattern in INLINE.items() if pattern.search(text)]

    assert found == [], f"{template.relative_to(ROOT)} has {', '.join(found)}"


def test_the_installed_plotly_still_looks_for_the_ids_the_chart_pages_give_it():
    bundle = FILES["vendor/plotly.min.js"].read_text()

    assert f'getElementById("{PLOTLY_MAPLIBRE_STYLE_ID}")' in bundle
    assert '"plotly.js-style-"' in bundle
