"""The sidebar, put together from entries each app registers in its AppConfig.ready().

An app adds its own pages here, so the shell knows no app, and a new app (personas, the SLA)
needs no edit anywhere else. The role filter is applied per request by
orgs.context_processors.navigation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class MenuEntry:
    position: int  # where it sits in the sidebar, smallest first
    url_name: str
    label: StrOrPromise
    action: Any  # the orgs.permissions.Action a role needs to see it
    kwargs: dict[str, str] = field(default_factory=dict)


_entries: dict[tuple[str, tuple[tuple[str, str], ...]], MenuEntry] = {}


def register(*entries: MenuEntry) -> None:
    """Add `entries`; registering the same page again replaces it (ready() may run twice)."""
    for entry in entries:
        _entries[(entry.url_name, tuple(sorted(entry.kwargs.items())))] = entry


def menu() -> list[MenuEntry]:
    return sorted(_entries.values(), key=lambda entry: entry.position)


@dataclass(frozen=True)
class TopbarEntry:
    """A link in the header beside the language, with a count loaded from `badge_url_name`
    (the notifications' unread count)."""

    name: str
    url_name: str
    label: StrOrPromise
    badge_url_name: str


_topbar: dict[str, TopbarEntry] = {}


def register_topbar(entry: TopbarEntry) -> None:
    _topbar[entry.name] = entry


def topbar() -> list[TopbarEntry]:
    return sorted(_topbar.values(), key=lambda entry: entry.name)
