"""One import, start to end: check the file, decide date formats, then transform and write
chunk by chunk, and write the rejected rows to a CSV report."""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

import pandas as pd
from babel.numbers import list_currencies
from django.db import transaction
from django.utils import timezone

from crm.imports import dates
from crm.imports.mapping import DATE_TYPES, Mapping
from crm.imports.preparing import Chunks, Prepared, prepared_chunks, widths_aside
from crm.imports.reading import LINE, FileError, Table, open_table
from crm.imports.transform import UNASSIGNED, Context
from crm.imports.writing import Counts, Rejection, writer_for
from crm.journal import marks_held
from crm.models import Channel, PipelineStage
from crm.selectors import funnel_stage_codes
from orgs.models import Membership, Organization
from orgs.services import sales_rep_record
from smarketing.lib.exports import neutralise

# Rows per chunk: big enough that COPY and the upsert statements dominate, small enough
# that a chunk of a wide file stays well under 100 MB of pandas memory.
CHUNK_ROWS = 50_000
Progress = Callable[[int, int], None]
UNASSIGNED_NAMED = 50  # the owners left unassigned that the summary names, most rows first


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    error_report: str | None = None
    rows: int = 0
    channels_created: list[str] = field(default_factory=list)
    sales_reps_created: list[str] = field(default_factory=list)
    unassigned: int = 0  # records imported without the owner the file named
    unassigned_owners: dict[str, int] = field(default_factory=dict)  # the file's names, rows
    first_date: str | None = None  # the span of the records' dates (ISO), for the dashboards
    last_date: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def run_import(
    *,
    organization: Organization,
    path: Path,
    mapping: Mapping,
    max_bytes: int,
    report_dir: Path,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    now: datetime | None = None,
    may_create_channels: bool = True,
) -> Summary:
    """Import `path`; raise FileError (nothing written) when the file cannot be used.

    A channel code no channel has is created only if `may_create_channels` (the importer may
    write channels); otherwise its rows are rejected."""
    table = open_table(path, max_bytes=max_bytes)
    missing = mapping.columns_missing(table.header)
    if missing:  # said with the file's columns, for the command line and the job's error
        raise FileError(
            f"The file has no column {', '.join(repr(c) for c in missing)}. Its columns are: {', '.join(table.header)}."
        )
    # Both passes over the file, side by side (see crm.imports.preparing): the first pass
    # raises its own errors first, as when they ran one after the other.
    with widths_aside(table) as widths:
        rows, formats = _first_pass(table, mapping, chunk_rows)
        other_widths = widths()
    reps = _record_sales_reps(organization, mapping)
    context = import_context(
        organization, mapping, formats, may_create_channels=may_create_channels
    )
    writer = writer_for(organization, mapping, first_stage=context.stages[0], now=now)
    summary = Summary(rows=rows, sales_reps_created=reps)
    tally = Tally(summary, mapping, progress)
    chunks = Chunks(table, mapping, context, writer.target, other_widths, chunk_rows)
    # Each wave commits its marks; they are announced once, as the import ends, so that
    # its cells are recomputed once rather than after every wave (see crm.journal).
    with marks_held(organization.pk):
        with (
            prepared_chunks(chunks, file_rows=rows) as prepared,
            writer.side_by_side(waves=math.ceil(rows / chunk_rows)),
        ):
            for chunk in prepared:
                writer.write_waves(chunk.waves, partial(tally.written, chunk))
        notes = writer.finish()
    _count(summary, tally, context)
    if tally.rejected or notes:
        summary.error_report = str(_write_report(report_dir, path, tally.rejected + notes))
    return summary


@dataclass
class Tally:
    """What an import wrote and refused so far, chunk by chunk in file order."""

    summary: Summary
    mapping: Mapping
    progress: Progress | None
    counts: Counts = field(default_factory=Counts)
    rejected: list[Rejection] = field(default_factory=list)
    unassigned: Counter[str] = field(default_factory=Counter)
    done: int = 0  # rows of the file

    def written(self, chunk: Prepared, counts: Counts, refused_by_sql: list[Rejection]) -> None:
        self.counts.add(counts)
        self.rejected += chunk.rejected + refused_by_sql
        refused = {line for line, *_rest in refused_by_sql}
        kept = chunk.kept[~chunk.kept[LINE].isin(refused)]
        self.unassigned.update(kept[UNASSIGNED].dropna())
        _widen_span(self.summary, kept, self.mapping)
        self.done += chunk.rows
        if self.progress:
            self.progress(self.done, self.summary.rows)


def _count(summary: Summary, tally: Tally, context: Context) -> None:
    """Put what the import wrote, refused and made into its summary."""
    summary.created, summary.updated, summary.unchanged = (
        tally.counts.created,
        tally.counts.updated,
        tally.counts.unchanged,
    )
    summary.rejected = len({line for line, *_rest in tally.rejected})
    summary.channels_created = sorted(context.created_channels)
    summary.unassigned = sum(tally.unassigned.values())
    summary.unassigned_owners = dict(tally.unassigned.most_common(UNASSIGNED_NAMED))


def _record_sales_reps(organization: Organization, mapping: Mapping) -> list[str]:
    """Record the mapping's new sales reps that no member is yet (by username, e-mail or
    name, as the import will look them up): running the import again records nobody twice."""
    known = set(_members(organization))
    created = []
    for name in mapping.new_sales_reps:
        if name.lower() not in known:
            sales_rep_record(organization=organization, name=name)
            known.add(name.lower())
            created.append(name)
    return created


def _members(organization: Organization) -> dict[str, int]:
    """Lower-case username, e-mail and full name -> user id: how a file names a member."""
    members: dict[str, int] = {}
    rows = Membership.objects.for_org(organization).values_list(
        "user__username", "user__email", "user__first_name", "user__last_name", "user_id"
    )
    for username, email, first, last, user_id in rows.order_by("-user__is_active", "user_id"):
        full_name = " ".join(f"{first} {last}".split()).lower()
        for key in (username.lower(), email.lower(), full_name):
            if key:
                members.setdefault(key, user_id)  # an active member first, then the oldest
    return members


def _widen_span(summary: Summary, written: pd.DataFrame, mapping: Mapping) -> None:
    """Stretch the summary's date span over the written rows' dates (ISO text sorts as dates)."""
    for name in mapping.mapped:
        if mapping.fields[name].type in DATE_TYPES and name in written:
            dates_written = written[name].dropna()
            if dates_written.empty:
                continue
            first, last = str(dates_written.min())[:10], str(dates_written.max())[:10]
            summary.first_date = min(filter(None, [summary.first_date, first]))
            summary.last_date = max(filter(None, [summary.last_date, last]))


def _first_pass(table: Table, mapping: Mapping, chunk_rows: int) -> tuple[int, dict[str, str]]:
    """Read the whole file once: count its rows and decide each date column's format."""
    date_fields = [
        name
        for name in mapping.mapped
        if mapping.fields[name].type in DATE_TYPES
        and name in mapping.columns
        and name not in mapping.date_formats
    ]
    columns = list(dict.fromkeys(mapping.columns[name] for name in date_fields)) or table.header[:1]
    seen: dict[str, set[str]] = {column: set() for column in columns}
    rows = 0
    for chunk in table.chunks(columns, chunk_rows):
        rows += len(chunk)
        for column in columns:
            # As a list, into the set: pandas' own unique, then a set updated from pandas'
            # array value by value, took 1.4 s a million rows.
            seen[column].update(chunk[column].astype(str).str.strip().tolist())
    for values in seen.values():
        values.discard("")
    formats = dict(mapping.date_formats)
    for name in date_fields:
        column = mapping.columns[name]
        try:
            formats[name] = dates.detect_format(column, pd.Series(list(seen[column]), dtype=str))
        except dates.DateFormatError as error:
            raise FileError(str(error)) from None
    for name in mapping.mapped:  # constants that are dates
        if mapping.fields[name].type in DATE_TYPES and name not in formats:
            formats[name] = "ISO8601"
    if rows == 0:
        raise FileError("The file has a header but no rows.")
    return rows, formats


def import_context(
    organization: Organization,
    mapping: Mapping,
    formats: dict[str, str],
    *,
    may_create_channels: bool,
) -> Context:
    """What the transformation of `mapping`'s rows needs to know of the organisation: its
    stages, members, currency and channels (made as needed if `may_create_channels`)."""
    members = _members(organization)
    known = dict(Channel.objects.for_org(organization).values_list("code", "id"))
    context = Context(
        stages=funnel_stage_codes(organization, exits=True),
        pipeline_stages=list(
            PipelineStage.objects.for_org(organization).values_list("code", flat=True)
        ),
        currencies=frozenset(list_currencies()),
        default_currency=organization.currency,
        members=members,
        formats=formats,
        channel_ids=lambda codes: {},
    )

    def channel_ids(codes: set[str]) -> dict[str, int]:
        """The ids of the codes known (or created, if the importer may write channels)."""
        missing = sorted(codes - set(known))
        if missing and may_create_channels:
            with transaction.atomic():
                for code in missing:
                    channel, made = Channel.objects.get_or_create(
                        organization=organization,
                        code=code,
                        defaults={"name": code.replace("_", " ").capitalize()},
                    )
                    known[code] = channel.pk
                    if made:
                        context.created_channels.add(code)
        return {code: known[code] for code in codes if code in known}

    context.channel_ids = channel_ids
    return context


def _write_report(report_dir: Path, source: Path, rows: list[Rejection]) -> Path:
    report_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    path = report_dir / f"{source.stem}-{stamp}-rejected.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "column", "value", "reason"])
        for row in sorted(rows, key=lambda r: (int(r[0]), r[1])):
            # The values come from the file: a spreadsheet must show them, never run them.
            writer.writerow([neutralise(cell) for cell in row])
    return path


__all__ = ["LINE", "FileError", "Summary", "import_context", "run_import"]
