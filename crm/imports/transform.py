"""One chunk of raw text columns -> typed values ready for COPY, and the rows rejected.

Values are strings (or None for SQL NULL) so that COPY parses numbers and dates exactly.
References to other records (company, lead, deal, campaign) stay text here and are
resolved in SQL by the writer; members (owner, by) are looked up here, and a name no
member has leaves the record unassigned (UNASSIGNED says which name) rather than refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from crm.imports import dates
from crm.imports.mapping import Field, Mapping
from crm.imports.numbers import is_number, largest, normalise_decimal, too_large
from crm.imports.reading import LINE
from crm.services.common import EMAIL

CONSTANT = "(constant)"
REJECTION_COLUMNS = ["line", "column", "value", "reason"]
UNASSIGNED = "_unassigned"  # the file's owner name of a row left without one, else None


@dataclass
class Context:
    """What the transformation needs to know about the organisation."""

    stages: list[str]
    pipeline_stages: list[str]
    currencies: frozenset[str]
    default_currency: str
    members: dict[str, int]  # lower-case username, e-mail or full name -> user id
    formats: dict[str, str]  # date field -> format
    # codes -> ids, creating missing ones if the importer may; a code left out is unknown
    channel_ids: Callable[[set[str]], dict[str, int]]
    created_channels: set[str] = field(default_factory=set)


def source_values(chunk: pd.DataFrame, mapping: Mapping, name: str) -> pd.Series:
    """The field's text values: its column, trimmed, or its constant; then the `values` table."""
    if name in mapping.columns:
        raw = chunk[mapping.columns[name]].astype(str).str.strip()
    else:
        raw = pd.Series(mapping.constants[name], index=chunk.index, dtype=object)
    table = mapping.values.get(name)
    if table:
        raw = raw.map(lambda value: table.get(value, value))
    return raw


def prepare(
    chunk: pd.DataFrame, mapping: Mapping, context: Context
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (valid rows with one column per mapped field, rejections)."""
    out = pd.DataFrame({LINE: chunk[LINE].astype(int)}, index=chunk.index)
    out[UNASSIGNED] = None
    problems: list[pd.DataFrame] = []
    for name in mapping.mapped:
        spec = mapping.fields[name]
        raw = source_values(chunk, mapping, name)
        value, reason = convert(spec, raw, context)
        out[name] = value
        if name in mapping.member_fields:
            out[UNASSIGNED] = out[UNASSIGNED].where(
                out[UNASSIGNED].notna(), _unassigned(chunk, mapping, name, value)
            )
        bad = reason.notna()
        if bad.any():
            problems.append(
                pd.DataFrame(
                    {
                        "line": out.loc[bad, LINE],
                        "column": mapping.columns.get(name, CONSTANT),
                        "value": raw[bad],
                        "reason": reason[bad],
                    }
                )
            )
    _kind_rules(out, mapping, problems)
    rejections = (
        pd.concat(problems, ignore_index=True)
        if problems
        else pd.DataFrame(columns=REJECTION_COLUMNS)
    )
    valid = out[~out[LINE].isin(rejections["line"])]
    return valid, rejections


def convert(spec: Field, raw: pd.Series, context: Context) -> tuple[pd.Series, pd.Series]:
    """(values, reasons): a reason (text) where the value is unusable, else None."""
    empty = raw == ""
    reason = pd.Series(None, index=raw.index, dtype=object)
    if spec.required:
        reason[empty] = f"{spec.name} is required"
    converter = CONVERTERS.get(spec.type, _reference)
    return converter(spec, raw, empty, reason, context), reason


# Each converter returns the values of one type of field, writing into `reason` why a
# value is unusable.
Converter = Callable[[Field, pd.Series, pd.Series, pd.Series, Context], pd.Series]


def _text(
    spec: Field, raw: pd.Series, empty: pd.Series, reason: pd.Series, context: Context
) -> pd.Series:
    if spec.max_length:
        reason[raw.str.len() > spec.max_length] = f"longer than {spec.max_length} characters"
    return raw


def _email(
    spec: Field, raw: pd.Series, empty: pd.Series, reason: pd.Series, context: Context
) -> pd.Series:
    value = raw.str.lower()
    reason[~empty & ~value.str.match(EMAIL)] = "not an e-mail address"
    return value


def _date(
    spec: Field, raw: pd.Series, empty: pd.Series, reason: pd.Series, context: Context
) -> pd.Series:
    fmt = context.formats[spec.name]
    parsed = dates.parse(raw.where(~empty), fmt)
    reason[~empty & parsed.isna()] = f"not a date in the format {fmt}"
    reason[dates.out_of_bounds(parsed)] = dates.OUT_OF_BOUNDS
    # ISO text (a time in UTC, Z), written by numpy: strftime formatted each value in
    # Python, 0.7 s a million.
    seconds = parsed.dt.tz_convert(None).to_numpy(dtype="datetime64[s]")
    if spec.type == "date":
        text = np.datetime_as_string(seconds, unit="D")
    else:
        text = np.datetime_as_string(seconds, unit="s", timezone="UTC")
    return pd.Series(text, index=raw.index, dtype=str).where(parsed.notna(), None)


def _decimal(
    spec: Field, raw: pd.Series, empty: pd.Series, reason: pd.Series, context: Context
) -> pd.Series:
    number = normalise_decimal(raw)
    reason[~empty & ~is_number(number)] = "not a number"
    reason[~empty & is_number(number) & number.str.startswith("-")] = "cannot be negative"
    reason[~empty & too_large(number)] = _("larger than %(largest)s") % {"largest": largest()}
    return number.where(~empty, None)


def _int(
    spec: Field, raw: pd.Series, empty: pd.Series, reason: pd.Series, context: Context
) -> pd.Series:
    number = raw.str.replace(r"[\s,.'\u00a0]", "", regex=True)
    reason[~empty & ~number.str.fullmatch(r"[0-9]{1,9}")] = "not a whole number"
    return number.where(~empty, None)


def _choice(
    spec: Field, raw: pd.Series, empty: pd.Series, reason: pd.Series, context: Context
) -> pd.Series:
    value = raw.str.lower()
    reason[~empty & ~value.isin(spec.choices)] = f"must be one of: {', '.join(spec.choices)}"
    return value.where(~empty, None)


def _stage(
    spec: Field, raw: pd.Series, empty: pd.Series, reason: pd.Series, context: Context
) -> pd.Series:
    codes = context.stages if spec.type == "stage" else context.pipeline_stages
    value = raw.str.lower()
    reason[~empty & ~value.isin(codes)] = f"not a stage of this organisation ({', '.join(codes)})"
    return value.where(~empty, None) if spec.type == "stage" else value


def _currency(
    spec: Field, raw: pd.Series, empty: pd.Series, reason: pd.Series, context: Context
) -> pd.Series:
    value = raw.str.upper().where(~empty, context.default_currency)
    reason[~value.isin(context.currencies)] = "not an ISO 4217 currency code"
    return value


def _reference(
    spec: Field, raw: pd.Series, empty: pd.Series, reason: pd.Series, context: Context
) -> pd.Series:
    if spec.ref == "user":  # a name no member has leaves the record unassigned
        ids = raw.str.lower().map(context.members)
        return ids.map(lambda v: None if pd.isna(v) else str(int(v)))
    return raw.where(~empty, None)  # company, lead, deal, campaign: resolved in SQL


def _unassigned(chunk: pd.DataFrame, mapping: Mapping, name: str, ids: pd.Series) -> pd.Series:
    """The file's name where it gave one and the row has no member for it: the value of
    the column as written (before `values`), so the summary names what the user sees."""
    if name in mapping.columns:
        written = chunk[mapping.columns[name]].astype(str).str.strip()
    else:
        written = pd.Series(mapping.constants[name], index=chunk.index, dtype=object)
    return written.where((written != "") & ids.isna(), None)


def _channel(
    spec: Field, raw: pd.Series, empty: pd.Series, reason: pd.Series, context: Context
) -> pd.Series:
    # Each name once: a file names a handful of channels in its million rows.
    positions, names = pd.factorize(raw, use_na_sentinel=False)
    distinct = pd.Series(names, dtype=str)
    normalised = distinct.str.lower().str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_")
    codes = pd.Series(normalised.to_numpy()[positions], index=raw.index, dtype=str)
    reason[~empty & (codes == "")] = "not a channel name"
    longest = spec.max_length or 0  # a channel code's
    too_long = (normalised.str.len() > longest).to_numpy()[positions]
    reason[too_long] = f"longer than {longest} characters"
    wanted = set(codes[~empty & reason.isna()].unique())
    ids = context.channel_ids(wanted) if wanted else {}
    reason[~empty & reason.isna() & ~codes.isin(ids)] = _(
        "no channel of this organisation has this code"
    )
    return codes.map({code: str(id_) for code, id_ in ids.items()}).where(codes.isin(ids), None)


CONVERTERS: dict[str, Converter] = {
    "text": _text,
    "email": _email,
    "date": _date,
    "datetime": _date,
    "decimal": _decimal,
    "int": _int,
    "choice": _choice,
    "stage": _stage,
    "pipeline_stage": _stage,
    "currency": _currency,
    "channel": _channel,
}


def _kind_rules(out: pd.DataFrame, mapping: Mapping, problems: list[pd.DataFrame]) -> None:
    """Rules across fields of one row."""

    def reject(mask: pd.Series, name: str, reason: str) -> None:
        if mask.any():
            problems.append(
                pd.DataFrame(
                    {
                        "line": out.loc[mask, LINE],
                        "column": mapping.columns.get(name, CONSTANT),
                        "value": out.loc[mask, name].fillna(""),
                        "reason": reason,
                    }
                )
            )

    if mapping.kind == "deals" and "status" in out:
        closed = out["status"].isin(["won", "lost"])
        if "closed_at" in out:
            reject(
                closed & out["closed_at"].isna(),
                "closed_at",
                "a won or lost deal needs its close date",
            )
            # An open deal's date in a CRM export is the expected close: not a close date.
            out.loc[~closed, "closed_at"] = None
        else:
            reject(closed, "status", "a won or lost deal needs its close date: map closed_at")
    if mapping.kind == "campaigns" and "end_date" in out:
        ends_early = (
            out["end_date"].notna()
            & out["start_date"].notna()
            & (out["end_date"] < out["start_date"])
        )
        reject(ends_early, "end_date", "a campaign cannot end before it starts")
        # Its cost is spread over every month it runs, each a KPI cell to recompute.
        reject(dates.too_long(out["start_date"], out["end_date"]), "end_date", dates.TOO_LONG)
