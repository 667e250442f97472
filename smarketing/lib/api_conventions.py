"""What every endpoint shares: pagination, one error body, and a fast renderer.

Kept apart from api_base: DRF's settings import this module, so it must not import views."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, renderers, serializers
from rest_framework.fields import empty
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from smarketing.lib.bounds import validate_business_date
from smarketing.lib.decimals import plain_decimal
from smarketing.lib.months import ISO_DAY
from smarketing.lib.statement_timeout import timed_out, timeout_message


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def error_body(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The one shape of every API error."""
    error: dict[str, Any] = {"status": status, "code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return None  # an unexpected error: Django's handler500 answers (smarketing.urls)
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(
            response.status_code, "invalid", _("Some fields are invalid."), fields
        )
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(response.status_code, str(code), str(exc.detail))
    return response


class StatementTimedOut(exceptions.APIException):
    """A statement of the request ran past DB_STATEMENT_TIMEOUT_MS and was cancelled."""

    status_code = 503
    default_code = "statement_timeout"


def _as_api_exception(exc: Exception) -> Exception:
    if timed_out(exc):
        return StatementTimedOut(timeout_message())
    if isinstance(exc, Http404):
        return exceptions.NotFound(_("Not found."))
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {
                ("non_field_errors" if k == "__all__" else k): v
                for k, v in exc.message_dict.items()
            }
            return exceptions.ValidationError(fields)
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    return exc


class PlainDecimalField(serializers.DecimalField):
    """A DecimalField that reads exactly and writes as `plain_decimal` (DRF's own writes
    every one of its decimal places: "5000000.0000000000")."""

    def to_representation(self, value: Any) -> Any:
        represented = super().to_representation(value)
        if isinstance(represented, str) and represented:
            return plain_decimal(Decimal(represented))
        return represented


class WholeItem(serializers.Serializer):
    """An item of a nested list, given whole even in a PATCH. DRF makes every field of a
    partial write optional, nested ones too, and leaves their defaults out: an owner
    without its weight or a criterion without its params reached the code that needs them
    (a 500). Here a missing required field is a 400 and a default is filled in."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {n: f for n, f in self.fields.items() if not f.read_only}
            missing = [n for n, f in writable.items() if f.required and n not in data]
            if missing:
                message = serializers.Field.default_error_messages["required"]
                raise serializers.ValidationError({n: [message] for n in missing})
        attrs = super().to_internal_value(data)
        for name, field in self.fields.items():
            if name not in attrs and not field.read_only and field.default is not empty:
                attrs[name] = field.default() if callable(field.default) else field.default
        return attrs


class IsoDateField(serializers.DateField):
    """A date written YYYY-MM-DD in ASCII digits, as OpenAPI's `date` says."""

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and not ISO_DAY.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


def bounded_date(**options: Any) -> serializers.DateField:
    """A date a user gives, within the bounds a business can mean (smarketing.lib.bounds)."""
    return IsoDateField(validators=[validate_business_date], **options)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain_decimal(value)  # money and rates keep their exact digits
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_bytes(data: Any) -> bytes:
    """JSON as the fast endpoints write it (Decimals as strings); an `orjson.Fragment` of it
    can be cached and dropped into a later answer as it is."""
    # Non-string keys: a list field's errors are keyed by the item's index ({0: [...]}).
    return orjson.dumps(data, default=_plain, option=orjson.OPT_NON_STR_KEYS)


class FastJSONRenderer(renderers.BaseRenderer):
    """orjson for the hot read endpoints, whose views return plain dicts and lists
    (values() rows), not serializer output: about twice as fast as DRF's renderer."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        return json_bytes(data)
