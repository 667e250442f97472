"""The base of every endpoint over one organisation's rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import viewsets


class OrgScopedViewSet(viewsets.GenericViewSet):
    """Base of every endpoint over one organisation's rows.

    The queryset is always `model.objects.for_org(<the caller's organisation>)`, so an
    id from another organisation answers 404; new rows are created in the caller's
    organisation by the services the subclasses call.
    """

    model: type[Model]

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return self.model._default_manager.none()
        return self.model._default_manager.for_org(self.request.organization)  # type: ignore[attr-defined]
