"""What an import writes, and its rows COPYed into a temporary staging table, a wave at a
time so that no key repeats within a wave."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from crm.imports.kinds import KINDS, SQL_TYPES, Kind, column_of
from crm.imports.mapping import Mapping
from crm.imports.reading import LINE

STAGING = "import_staging"
TOUCHED = "import_touched"  # ids of the rows a wave inserted or changed
CHANGING = "import_changing"  # ids of the existing rows a wave is about to change
CREATED_LEADS = "import_created_leads"  # the creation and channel of a wave's new leads


@dataclass(frozen=True)
class Target:
    """Where an import writes and what its SQL needs to know of the organisation."""

    organization_id: int
    mapping: Mapping
    now: datetime
    first_stage: str
    currency: str
    funnel: list[str]  # the funnel's stage codes in order, exits left out
    customer_stage: str | None  # where a won deal takes its lead

    @property
    def kind(self) -> Kind:
        return KINDS[self.mapping.kind]

    def params(self) -> dict[str, Any]:
        return {
            "org": self.organization_id,
            "now": self.now,
            "first_stage": self.first_stage,
            "currency": self.currency,
            "funnel": self.funnel,
        }

    @cached_property
    def references_staged(self) -> bool:
        """Whether rows refer to other records by key (resolved by joining the staging table)."""
        return any(f"{name}_ref" in self.staging_columns for name in self.kind.references)

    @cached_property
    def staging_columns(self) -> dict[str, str]:
        """Staging column -> SQL type."""
        columns = {"line": "integer", "id": "bigint", "old_stage": "text"}
        for name in self.mapping.mapped:
            spec = self.mapping.fields[name]
            if name in self.kind.references:
                columns[f"{name}_ref"] = "text"
                columns[f"{name}_id"] = "bigint"
            elif name in self.kind.deferred:
                columns[f"{name}_ref"] = "text"
            else:
                columns[column_of(name, spec.type)] = SQL_TYPES[spec.type]
        return columns


@dataclass(frozen=True)
class Wave:
    """A wave's rows as the CSV that COPY reads into the staging table, and whether none of
    its keys is one of an earlier wave's (`Keys`): such a wave of new rows may be written
    beside the wave before it (crm.imports.writing.lanes)."""

    rows: bytes
    new_keys: bool = False


class Keys:
    """The keys of an import's waves so far, as hashes (a collision only makes a wave's
    keys look seen): 16 bytes a key, where the keys themselves took ten times that."""

    def __init__(self, mapping: Mapping) -> None:
        self.names = [k for k in KINDS[mapping.kind].keys if k in mapping.mapped]
        self.seen: set[int] = set()

    def new(self, frame: pd.DataFrame) -> bool:
        """Whether none of the frame's keys is one seen before; they are seen from now on."""
        hashes: list[int] = []
        for number, name in enumerate(self.names):
            column = frame[name]
            values = column[column.notna() & (column != "")].to_numpy(dtype=object)
            hashes += pd.util.hash_array(values, hash_key=f"{number:016d}").tolist()
        new = self.seen.isdisjoint(hashes)
        self.seen.update(hashes)
        return new


def copy_waves(target: Target, frame: pd.DataFrame, keys: Keys | None = None) -> list[Wave]:
    """The frame's rows split in waves (see `waves`), each as the CSV that COPY reads into
    the staging table; with `keys`, each wave tells whether its keys are new."""
    return [
        Wave(_copy_rows(target, wave), keys.new(wave) if keys else False)
        for wave in waves(frame, target.mapping)
    ]


def _copy_rows(target: Target, frame: pd.DataFrame) -> bytes:
    """CSV as pandas' to_csv writes it (text quoted, None as a quoted ""), by the csv module
    alone: to_csv converted each row's values first (1.3 s a million rows, against 0.5)."""
    buffer = io.StringIO()
    columns = [_values(frame[name]) for name in _renamed(target)]
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue().encode()


def _values(column: pd.Series) -> np.ndarray:
    """The column's values as Python objects, None where missing."""
    values = column.to_numpy(dtype=object, copy=True)
    values[column.isna().to_numpy()] = None
    return values


def stage_wave(cursor: Any, target: Target, wave: Wave, *, joined: bool = True) -> None:
    """Create the wave's staging table and COPY its rows in (analysed if it is to be
    `joined` to other tables); create TOUCHED, empty."""
    columns = target.staging_columns
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute(
        f"CREATE TEMP TABLE {STAGING} ({', '.join(f'{c} {t}' for c, t in columns.items())}) ON COMMIT DROP"
    )
    names = list(_renamed(target).values())
    # csv writes None as a quoted "": FORCE_NULL reads it back as NULL where that is meant.
    nullable = [n for n in names if columns[n] != "text" or n in ("stage", "status")]
    force_null = f", FORCE_NULL ({', '.join(nullable)})" if nullable else ""
    statement = f"COPY {STAGING} ({', '.join(names)}) FROM STDIN (FORMAT csv{force_null})"
    with cursor.cursor.copy(statement) as copy:
        copy.write(wave.rows)
    # Temporary tables are never analysed on their own: without statistics the planner
    # scans the whole target table for every chunk instead of looking rows up by key.
    if joined:
        cursor.execute(f"ANALYZE {STAGING}")
    cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}, {CREATED_LEADS}")
    cursor.execute(f"CREATE TEMP TABLE {TOUCHED} (id bigint) ON COMMIT DROP")
    cursor.execute(
        f"CREATE TEMP TABLE {CREATED_LEADS} (created_at timestamptz, channel_id bigint) ON COMMIT DROP"
    )


def _renamed(target: Target) -> dict[str, str]:
    """The frame's columns -> the staging columns they are copied into."""
    renamed = {LINE: "line"}
    for name in target.mapping.mapped:
        spec = target.mapping.fields[name]
        if name in target.kind.references or name in target.kind.deferred:
            renamed[name] = f"{name}_ref"
        else:
            renamed[name] = column_of(name, spec.type)
    return renamed


def waves(frame: pd.DataFrame, mapping: Mapping) -> list[pd.DataFrame]:
    """Split rows so that no key repeats within a wave (the file's later row comes later)."""
    keys = [k for k in KINDS[mapping.kind].keys if k in frame]
    if frame.empty or not keys:
        return [frame] if not frame.empty else []
    key = pd.Series("", index=frame.index)
    for name in reversed(keys):
        values = frame[name].fillna("")
        key = values.where(values != "", key)
    if key[key != ""].is_unique:  # as in most files: no key repeats, one wave
        return [frame]
    order = key.groupby(key).cumcount().where(key != "", 0)
    return [frame[order == wave] for wave in range(int(order.max()) + 1)]
