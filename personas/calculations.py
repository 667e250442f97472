"""How well a lead fits a persona: pure functions over plain data (no ORM, clock or settings).

A persona's criteria each carry a weight. A lead's fit score is the weighted share of the
criteria it meets, in percent, **rounded down** to a whole number: `100 * met // total`.
Rounding down keeps the fit decision exact: a score of at least the threshold (a whole
number) means the true share reached it, never that rounding lifted it there.

Matching is case-insensitive and ignores surrounding spaces; ranges include both ends and
either end may be left open; title words match whole words; a lead that lacks the attribute
a criterion reads misses that criterion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from smarketing.lib.decimals import plain_decimal

MAX_CRITERIA = 30  # of one persona version
MAX_VALUES = 50  # in one criterion's list
VALUE_LENGTH = 100  # of one value, like the CRM's industry and country columns
FIELD_NAME_LENGTH = 50  # of a custom field's name
MAX_WEIGHT = 100
MAX_AMOUNT = Decimal("1e15")  # employees or annual revenue: beyond, a typo


class Kind(StrEnum):
    INDUSTRY_IN = "industry_in"
    EMPLOYEES_BETWEEN = "employees_between"
    ANNUAL_REVENUE_BETWEEN = "annual_revenue_between"
    COUNTRY_IN = "country_in"
    TITLE_WORDS = "title_words"
    CHANNEL_IN = "channel_in"
    PRODUCT_IN = "product_in"
    CUSTOM_FIELD = "custom_field"


LIST_KINDS = {Kind.INDUSTRY_IN, Kind.COUNTRY_IN, Kind.CHANNEL_IN, Kind.PRODUCT_IN}
RANGE_KINDS = {Kind.EMPLOYEES_BETWEEN, Kind.ANNUAL_REVENUE_BETWEEN}
# The lead attribute each kind reads (custom_field reads `custom[field]`).
ATTRIBUTE = {
    Kind.INDUSTRY_IN: "industry",
    Kind.EMPLOYEES_BETWEEN: "employees",
    Kind.ANNUAL_REVENUE_BETWEEN: "annual_revenue",
    Kind.COUNTRY_IN: "country",
    Kind.TITLE_WORDS: "title",
    Kind.CHANNEL_IN: "channel",
    Kind.PRODUCT_IN: "products",
    Kind.CUSTOM_FIELD: "custom",
}


class CriterionError(ValueError):
    """A criterion's parameters are not of the shape its kind needs; `field` names the part."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Criterion:
    """One checkable criterion: `values` for the list kinds, title words and custom fields;
    `minimum`/`maximum` (either may be None) for the ranges; `field` for a custom field."""

    kind: Kind
    weight: int
    values: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    field: str = ""


@dataclass(frozen=True)
class Reason:
    kind: Kind
    weight: int
    met: bool
    reason: str


@dataclass(frozen=True)
class Fit:
    score: int  # 0..100
    fits: bool
    reasons: tuple[Reason, ...]


def normalise(value: object) -> str:
    """How two texts are compared: trimmed, lower case, inner spaces collapsed (lower case,
    not case-folded: the set-based statement compares with PostgreSQL's lower(), and the
    two must agree on every lead; see personas.fitting.NORMALISED)."""
    return " ".join(str(value).split()).lower()


def words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.lower()))


# --- parameters: the stored shape of each kind, checked and normalised ---


def clean_params(kind: str, params: object) -> dict[str, Any]:
    """The parameters of a criterion of `kind` in their one stored shape, or CriterionError:
    {"values": [...]} for lists and title words, {"min": x, "max": y} for ranges (numbers as
    strings, either may be null), {"field": name, "values": [...]} for a custom field."""
    try:
        kind = Kind(kind)
    except ValueError:
        raise CriterionError("kind", _("Choose a kind of criterion from the list.")) from None
    if not isinstance(params, dict):
        raise CriterionError("params", _("Give the parameters as a JSON object."))
    expected = (
        {"min", "max"}
        if kind in RANGE_KINDS
        else {"field", "values"}
        if kind is Kind.CUSTOM_FIELD
        else {"values"}
    )
    unknown = set(params) - expected
    if unknown:
        raise CriterionError(
            "params",
            _("Unknown parameters: %(names)s; this kind takes %(expected)s.")
            % {
                "names": ", ".join(sorted(map(str, unknown))),
                "expected": ", ".join(sorted(expected)),
            },
        )
    if kind in RANGE_KINDS:
        return _clean_range(kind, params)
    cleaned: dict[str, Any] = {"values": _clean_values(params.get("values"))}
    if kind is Kind.CUSTOM_FIELD:
        cleaned = {"field": _clean_field_name(params.get("field")), **cleaned}
    return cleaned


def _clean_values(raw: object) -> list[str]:
    if not isinstance(raw, list) or not raw:
        raise CriterionError("params.values", _("Give a list of at least one value."))
    if len(raw) > MAX_VALUES:
        raise CriterionError("params.values", _("Give at most %(n)s values.") % {"n": MAX_VALUES})
    values: list[str] = []
    for item in raw:
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise CriterionError("params.values", _("Each value is a text or a whole number."))
        text = " ".join(str(item).split())
        if not text:
            raise CriterionError("params.values", _("A value cannot be blank."))
        if len(text) > VALUE_LENGTH:
            raise CriterionError(
                "params.values",
                _("A value has at most %(n)s characters.") % {"n": VALUE_LENGTH},
            )
        if normalise(text) not in {normalise(v) for v in values}:
            values.append(text)
    return values


def _clean_field_name(raw: object) -> str:
    name = raw.strip() if isinstance(raw, str) else ""
    if not name or len(name) > FIELD_NAME_LENGTH or not re.fullmatch(r"[\w.-]+", name):
        raise CriterionError(
            "params.field",
            _("Name the custom field: up to %(n)s letters, digits, dots, dashes or underscores.")
            % {"n": FIELD_NAME_LENGTH},
        )
    return name


def _clean_range(kind: Kind, params: Mapping[str, Any]) -> dict[str, Any]:
    bounds = {end: _amount(kind, end, params.get(end)) for end in ("min", "max")}
    low, high = bounds["min"], bounds["max"]
    if low is None and high is None:
        raise CriterionError("params", _("Give a minimum, a maximum or both."))
    if low is not None and high is not None and low > high:
        raise CriterionError("params.max", _("The maximum cannot be below the minimum."))
    return {end: None if value is None else plain_decimal(value) for end, value in bounds.items()}


def _amount(kind: Kind, end: str, raw: object) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
            raise InvalidOperation
        value = Decimal(str(raw).strip())  # a float as it was written: 0.1 is "0.1"
    except InvalidOperation:
        value = Decimal("NaN")
    whole = kind is Kind.EMPLOYEES_BETWEEN
    if (
        not value.is_finite()
        or value < 0
        or value > MAX_AMOUNT
        or (whole and value != value.to_integral_value())
    ):
        message = (
            _("Enter a whole number from 0 to %(max)s.")
            if whole
            else _('Enter an amount from 0 to %(max)s, as a number or a text like "2500000.50".')
        )
        raise CriterionError(f"params.{end}", message % {"max": f"{MAX_AMOUNT:,.0f}"})
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CriterionError(f"params.{end}", _("Give at most two decimal places."))
    return value


def criterion(kind: str, weight: int, params: Mapping[str, Any]) -> Criterion:
    """A Criterion from stored (cleaned) parameters."""
    kind = Kind(kind)
    if kind in RANGE_KINDS:
        return Criterion(
            kind=kind,
            weight=weight,
            minimum=None if params.get("min") is None else Decimal(params["min"]),
            maximum=None if params.get("max") is None else Decimal(params["max"]),
        )
    return Criterion(
        kind=kind,
        weight=weight,
        values=tuple(params["values"]),
        field=params.get("field", ""),
    )


# --- matching ---


def fit(criteria: Sequence[Criterion], lead: Mapping[str, Any], threshold: int) -> Fit:
    """The lead's fit to a persona with these criteria and threshold (see the module's doc)."""
    reasons = tuple(_check(c, lead) for c in criteria)
    total = sum(c.weight for c in criteria)
    met = sum(r.weight for r in reasons if r.met)
    score = 100 * met // total if total else 0
    return Fit(score=score, fits=score >= threshold, reasons=reasons)


def _check(c: Criterion, lead: Mapping[str, Any]) -> Reason:
    if c.kind in RANGE_KINDS:
        met, reason = _check_range(c, lead.get(ATTRIBUTE[c.kind]))
    elif c.kind is Kind.TITLE_WORDS:
        met, reason = _check_title(c, lead.get("title"))
    elif c.kind is Kind.PRODUCT_IN:
        met, reason = _check_products(c, lead.get("products"))
    elif c.kind is Kind.CUSTOM_FIELD:
        met, reason = _check_custom(c, lead.get("custom"))
    elif c.kind is Kind.CHANNEL_IN:
        met, reason = _check_channel(c, lead.get("channel"), lead.get("channel_code"))
    else:
        met, reason = _check_one_of(c, lead.get(ATTRIBUTE[c.kind]))
    return Reason(kind=c.kind, weight=c.weight, met=met, reason=reason)


def _label(kind: Kind) -> str:
    return {
        Kind.INDUSTRY_IN: _("Industry"),
        Kind.EMPLOYEES_BETWEEN: _("Employees"),
        Kind.ANNUAL_REVENUE_BETWEEN: _("Annual revenue"),
        Kind.COUNTRY_IN: _("Country"),
        Kind.TITLE_WORDS: _("Job title"),
        Kind.CHANNEL_IN: _("Channel"),
        Kind.PRODUCT_IN: _("Products"),
        Kind.CUSTOM_FIELD: _("Custom field"),
    }[kind]


def _listed(values: Sequence[str]) -> str:
    return ", ".join(values)


def _missing(label: str) -> tuple[bool, str]:
    return False, _("%(what)s is not known.") % {"what": label}


def _check_one_of(c: Criterion, value: object) -> tuple[bool, str]:
    label = _label(c.kind)
    if value is None or not normalise(value):
        return _missing(label)
    params = {"what": label, "value": " ".join(str(value).split()), "list": _listed(c.values)}
    if normalise(value) in {normalise(v) for v in c.values}:
        return True, _("%(what)s «%(value)s» is one of %(list)s.") % params
    return False, _("%(what)s «%(value)s» is not one of %(list)s.") % params


def _check_channel(c: Criterion, name: object, code: object) -> tuple[bool, str]:
    """A channel is named by its name or its code (discovery's segments give the code)."""
    met, reason = _check_one_of(c, name)
    wanted = {normalise(v) for v in c.values}
    if not met and code is not None and normalise(code) in wanted:
        shown = name if name is not None and normalise(name) else code
        return True, _("%(what)s «%(value)s» is one of %(list)s.") % {
            "what": _label(c.kind),
            "value": " ".join(str(shown).split()),
            "list": _listed(c.values),
        }
    return met, reason


def _number(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _check_range(c: Criterion, value: object) -> tuple[bool, str]:
    label = _label(c.kind)
    number = _number(value)
    if number is None:
        return _missing(label)
    low = None if c.minimum is None else plain_decimal(c.minimum)
    high = None if c.maximum is None else plain_decimal(c.maximum)
    if low is None:
        wanted = _("at most %(max)s") % {"max": high}
    elif high is None:
        wanted = _("at least %(min)s") % {"min": low}
    else:
        wanted = _("from %(min)s to %(max)s") % {"min": low, "max": high}
    params = {"what": label, "value": plain_decimal(number), "wanted": wanted}
    inside = (c.minimum is None or number >= c.minimum) and (
        c.maximum is None or number <= c.maximum
    )
    if inside:
        return True, _("%(what)s %(value)s is %(wanted)s.") % params
    return False, _("%(what)s %(value)s is not %(wanted)s.") % params


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _check_title(c: Criterion, value: object) -> tuple[bool, str]:
    label = _label(c.kind)
    if not isinstance(value, str) or not value.strip():
        return _missing(label)
    title = words(value)
    found = [w for w in c.values if _contains(title, words(w))]
    params = {"what": label, "value": " ".join(value.split()), "list": _listed(c.values)}
    if found:
        return True, _("%(what)s «%(value)s» contains %(found)s.") % {
            **params,
            "found": _listed(found),
        }
    return False, _("%(what)s «%(value)s» contains none of %(list)s.") % params


def _check_products(c: Criterion, value: object) -> tuple[bool, str]:
    label = _label(c.kind)
    products = [p for p in value or [] if normalise(p)] if isinstance(value, list | tuple) else []
    if not products:
        return _missing(label)
    wanted = {normalise(v) for v in c.values}
    found = [str(p) for p in products if normalise(p) in wanted]
    if found:
        return True, _("%(what)s include %(found)s, one of %(list)s.") % {
            "what": label,
            "found": _listed(found),
            "list": _listed(c.values),
        }
    return False, _("%(what)s include none of %(list)s.") % {
        "what": label,
        "list": _listed(c.values),
    }


def _check_custom(c: Criterion, custom: object) -> tuple[bool, str]:
    fields = {normalise(k): v for k, v in custom.items()} if isinstance(custom, Mapping) else {}
    value = fields.get(normalise(c.field))
    values = value if isinstance(value, list | tuple) else [value]
    present = [v for v in values if v is not None and normalise(v)]
    label = _("Field «%(field)s»") % {"field": c.field}
    if not present:
        return _missing(label)
    wanted = {normalise(v) for v in c.values}
    shown = ", ".join(" ".join(str(v).split()) for v in present)
    params = {"what": label, "value": shown, "list": _listed(c.values)}
    if any(normalise(v) in wanted for v in present):
        return True, _("%(what)s «%(value)s» is one of %(list)s.") % params
    return False, _("%(what)s «%(value)s» is not one of %(list)s.") % params
