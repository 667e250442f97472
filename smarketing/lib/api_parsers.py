"""The API's JSON parser: DRF's, bounded in depth.

Apart from api_conventions because DRF's APIView reads DEFAULT_PARSER_CLASSES as its class is
built: this module must import nothing that imports rest_framework.views."""

from __future__ import annotations

import json
import re
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.utils.json import strict_constant

from smarketing.lib.bounds import MAX_JSON_DEPTH

# A JSON string, escapes included (the unrolled form, which never backtracks), and anything
# that is not a bracket: what is left once both are removed is the body's nesting.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_SQUARE = str.maketrans("{}", "[]")


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text nests arrays and objects deeper than `limit`, found without parsing
    it (Python's json recurses once per level: 100,000 levels raise RecursionError)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)).translate(_SQUARE)
    shallow = brackets
    for _level in range(limit):  # each pass empties the innermost pairs, in C
        shallow = shallow.replace("[]", "")
    if not shallow:
        return False  # balanced, and no deeper than the passes: most bodies, however long
    depth = 0  # too deep, or malformed: walk it (in Python, but only such bodies)
    for bracket in brackets:
        depth += 1 if bracket == "[" else -1
        if depth > limit:
            return True
        if depth < 0:
            return False  # a closing bracket too many: json's own error says so, at once
    return False


def holds_nul(value: Any) -> bool:
    """Whether a parsed JSON value holds a NUL character in any string, key or value:
    PostgreSQL's text and jsonb can store neither."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def nul_message() -> str:
    return _("holds a NUL character (\\u0000), which no value may contain")


def nul_fields(data: Any) -> dict[str, list[str]]:
    """The fields of a body that hold a NUL character, as the error shape names them: a
    top-level key; in a list of records (a bulk upsert), the key and the record."""
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records):
        items = record.items() if isinstance(record, dict) else [("non_field_errors", record)]
        for key, value in items:
            if holds_nul(key) or holds_nul(value):
                name = str(key).replace("\x00", "%00")
                if isinstance(data, list):
                    message = _("record %(index)s: %(reason)s") % {
                        "index": index,
                        "reason": nul_message(),
                    }
                    return {name: [message]}
                return {name: [nul_message()]}
    return {}


def refuse_nul(value: Any) -> None:
    """A serializer field's validator: JSON given inside a form (a multipart field) is not
    parsed by BoundedJSONParser."""
    if holds_nul(value):
        raise exceptions.ValidationError(nul_message(), code="nul")


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 a body nested deeper than MAX_JSON_DEPTH, or
    holding a NUL character that the database could not store. (Its
    size is bounded before: DRF reads JSON through request.body, which Django holds to
    DATA_UPLOAD_MAX_MEMORY_SIZE.)"""

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        raw = stream.read()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)  # a non-text codec (bz2_codec ...) is a LookupError
        except (UnicodeDecodeError, LookupError) as error:
            raise exceptions.ParseError(
                _("JSON parse error - %(error)s") % {"error": error}
            ) from error
        if json_too_deep(text):
            raise exceptions.ParseError(
                _("The JSON body nests deeper than %(limit)s levels.") % {"limit": MAX_JSON_DEPTH},
                code="too_deep",
            )
        try:
            data = json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as error:
            raise exceptions.ParseError(
                _("JSON parse error - %(error)s") % {"error": error}
            ) from error
        if "\\u0000" in text:  # the escape: the only way JSON holds a NUL
            fields = nul_fields(data)
            if fields:
                raise exceptions.ValidationError(fields)
        return data
