"""What an app adds to the records of an app below it: a column and filters in the record's
list (page and API), its value in the API, and a panel on the record's page.

The layers let an app read the apps below it, never the other way: the CRM's lead pages
cannot import personas to show a lead's fit. Instead personas registers an extension of
the kind "leads" in its AppConfig.ready(), and the CRM's list, page and API ask the
registry what to add (NetBox's plugin template extensions, in small). An extension reads
through its own app's selectors, for a page of records at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from django.db.models import QuerySet
from django.http import HttpRequest
from django_stubs_ext import StrOrPromise


class RecordExtension(Protocol):
    kind: str  # the records it extends: "leads"
    name: str  # its key in the API's records and its column's id: "fit"
    label: StrOrPromise  # its column's heading
    params: tuple[str, ...]  # the list's query parameters it reads
    component: str  # the OpenAPI component of the records it extends: "Lead"
    schema: dict[str, Any]  # the OpenAPI schema of its value
    parameters: list[dict[str, Any]]  # the OpenAPI description of its query parameters

    def filter(self, organization: Any, rows: QuerySet[Any], params: Mapping[str, str]) -> Any:
        """The rows its parameters keep (those given, not blank), or ValidationError naming
        the parameter."""

    def choices(self, organization: Any) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(parameter, label, [(value, label)]) for the list page's filters."""

    def values(self, organization: Any, ids: list[int]) -> dict[int, Any]:
        """Its value for each of these records (plain data, as the API shows it); a record
        without one is left out."""

    def cell(self, value: Any) -> str:
        """Its value as the list's cell shows it (text)."""

    def panel(self, request: HttpRequest, record: Any) -> str:
        """Its panel on the record's page (HTML), or "" for none."""


_registry: dict[tuple[str, str], RecordExtension] = {}
# Panels alone, for an app that adds nothing else to the records (the SLA's clock on a
# lead's page): kind -> name -> a function of the request and the record giving HTML or "".
_panels: dict[str, dict[str, Callable[[HttpRequest, Any], str]]] = {}


def register(extension: RecordExtension) -> None:
    """Add it; registering the same name again replaces it (ready() may run twice)."""
    _registry[(extension.kind, extension.name)] = extension


def register_panel(kind: str, name: str, panel: Callable[[HttpRequest, Any], str]) -> None:
    """Add a panel to the page of each record of `kind`; the same name again replaces it."""
    _panels.setdefault(kind, {})[name] = panel


def record_panels(kind: str, request: HttpRequest, record: Any) -> list[str]:
    """The panels the extensions and the panel-only apps add to a record's page, in the
    order of their names."""
    panels = [e.panel(request, record) for e in extensions(kind)]
    panels += [panel(request, record) for _name, panel in sorted(_panels.get(kind, {}).items())]
    return [p for p in panels if p]


def extensions(kind: str) -> list[RecordExtension]:
    return [e for (k, _name), e in sorted(_registry.items()) if k == kind]


def extended_values(kind: str, organization: Any, ids: list[int]) -> dict[str, dict[int, Any]]:
    """Each extension's values for these records, by its name: one read per extension."""
    return {e.name: e.values(organization, ids) for e in extensions(kind)} if ids else {}


def filtered(kind: str, organization: Any, rows: QuerySet[Any], params: Mapping[str, str]) -> Any:
    """`rows` as the extensions' parameters among `params` keep them."""
    for extension in extensions(kind):
        given = {p: params[p] for p in extension.params if params.get(p, "") != ""}
        if given:
            rows = extension.filter(organization, rows, given)
    return rows


def document_extensions(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """A drf-spectacular postprocessing hook: each extension's value in its records' schema
    and its query parameters on their list (GET /api/v1/<kind>/)."""
    schemas = result.get("components", {}).get("schemas", {})
    for (kind, name), extension in sorted(_registry.items()):
        component = schemas.get(extension.component)
        if component is not None:
            component.setdefault("properties", {})[name] = {**extension.schema, "readOnly": True}
        listing = result.get("paths", {}).get(f"/api/v1/{kind}/", {}).get("get")
        if listing is not None:
            listing.setdefault("parameters", []).extend(extension.parameters)
    return result
