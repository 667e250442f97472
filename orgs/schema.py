"""Teaches drf-spectacular how the API authenticates, for /api/schema/ and /api/docs/ (how it
fails: smarketing.lib.api_schema)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "orgs.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: create one under API tokens; it acts with your role in one organisation.",
        }
