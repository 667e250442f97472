"""Teaches drf-spectacular how the API fails: the one error body, on every operation."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "description": "The one body of every API error (smarketing.lib.api_conventions.error_body).",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer", "example": 400},
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "Per field or parameter, what is wrong with it.",
                    "additionalProperties": {},
                },
            },
            "required": ["status", "code", "message"],
        }
    },
    "required": ["error"],
}
# Every operation can answer these: a bad query string (a NUL byte, refused by a middleware) or body,
# no or a bad token, a role without the right, and the throttle.
ALWAYS = {
    "400": "A parameter or the body is invalid: `fields` names each one.",
    "401": "No valid token (or session) was given.",
    "403": "The caller's role may not do this.",
    "429": "Too many requests: try again after the time the message gives.",
}
NOT_FOUND = {"404": "No such record in the caller's organisation, or a page past the end."}
UNREADABLE_BODY = {"415": "The body's media type is not one this operation reads."}


def document_error_answers(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """A postprocessing hook: the error answers each operation can give, in the one shape,
    added to every operation here rather than on each view."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            answers = (
                ALWAYS
                | (NOT_FOUND if _can_be_missing(path, operation) else {})
                | (UNREADABLE_BODY if "requestBody" in operation else {})
            )
            responses = operation.setdefault("responses", {})
            for status, description in answers.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result


# An operation whose answer may not exist without naming a record in its path (the SLA's
# compliance of a period no agreement covers) says so: extend_schema(extensions=MAY_BE_MISSING).
MAY_BE_MISSING = {"x-may-be-missing": True}


def _can_be_missing(path: str, operation: dict[str, Any]) -> bool:
    """A record named in the path, or a list's page past the end, or an answer that says
    it may be missing."""
    parameters = operation.get("parameters", [])
    declared = operation.pop("x-may-be-missing", False)
    return declared or "{" in path or any(p.get("name") == "page" for p in parameters)
