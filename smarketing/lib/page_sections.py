"""Sections an app adds to a page of an app below it: the objectives' SMART thresholds on
the KPIs' metric dictionary, which kpis cannot import. Each is a template and the context
it needs, registered in AppConfig.ready(); the page renders what is registered for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class PageSection:
    page: str  # the page's URL name
    position: int  # smallest first
    template: str
    context: Callable[[HttpRequest], dict[str, Any]]


_sections: dict[tuple[str, str], PageSection] = {}


def register(section: PageSection) -> None:
    """Add it; registering the same template again replaces it (ready() may run twice)."""
    _sections[(section.page, section.template)] = section


def rendered(page: str, request: HttpRequest) -> list[SafeString]:
    """The page's sections as HTML, in order."""
    found = sorted((s for s in _sections.values() if s.page == page), key=lambda s: s.position)
    return [
        SafeString(render_to_string(s.template, s.context(request), request=request)) for s in found
    ]
