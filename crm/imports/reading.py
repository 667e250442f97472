"""Reading CSV and XLSX exports as chunks of text columns, with their line numbers."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

LINE = "_line"  # the row's line in the file: the header is line 1
# A header is read whole up to this size: a header longer than the sample that used to be
# read was cut off, and its last name misread (as a name that appears twice).
HEADER_LIMIT = 1 << 20
SNIFF_CHARS = 20_000  # the delimiter is guessed from the first lines up to this length
DELIMITERS = [",", ";", "\t"]


class FileError(ValueError):
    """The file cannot be imported at all; nothing was written."""


@dataclass(frozen=True)
class Table:
    path: Path
    header: list[str]
    format: str  # csv or xlsx
    encoding: str = "utf-8"
    delimiter: str = ","

    def chunks(self, columns: list[str], rows: int) -> Iterator[pd.DataFrame]:
        """Chunks of at most `rows` rows, with only `columns` (as text) and LINE."""
        if self.format == "xlsx":
            yield from _xlsx_chunks(self.path, self.header, columns, rows)
            return
        reader = pd.read_csv(
            self.path,
            sep=self.delimiter,
            encoding=self.encoding,
            dtype=str,
            usecols=columns,
            keep_default_na=False,
            na_filter=False,
            chunksize=rows,
            engine="c",
            skipinitialspace=False,
            encoding_errors="strict",
        )
        first = 2
        try:
            for chunk in reader:
                chunk[LINE] = range(first, first + len(chunk))
                first += len(chunk)
                yield chunk
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise FileError(f"The file cannot be read past line {first}: {exc}") from None

    def lines_of_another_width(self) -> dict[int, int]:
        """Lines whose number of fields differs from the header's: line -> fields.

        Such a row is misread (pandas pads a short one and drops what lies past the header),
        so the import rejects it. A spreadsheet row can only be too wide: its empty cells
        at the end are not stored."""
        if self.format == "xlsx":
            return _xlsx_wider_rows(self.path, len(self.header))
        return _csv_other_widths(self)


def _csv_other_widths(table: Table) -> dict[int, int]:
    # The csv module counts each record's fields where pandas cannot: about 1.5 s for a
    # million rows, against a minute and more for the import itself.
    found: dict[int, int] = {}
    line = 0
    with table.path.open(encoding=table.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=table.delimiter)
        try:
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank lines, which pandas skips too
                line += 1
                if line > 1 and len(row) != len(table.header):
                    found[line] = len(row)
        except csv.Error as exc:
            raise FileError(f"The file cannot be read past line {line}: {exc}.") from None
    return found


def open_table(path: Path, *, max_bytes: int) -> Table:
    """Look at the file: its format, encoding, delimiter and header; or FileError."""
    size = path.stat().st_size
    if size > max_bytes:
        raise FileError(
            f"The file is {size / 2**20:.0f} MB; the limit is {max_bytes / 2**20:.0f} MB."
        )
    if size == 0:
        raise FileError("The file is empty.")
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith(b"PK\x03\x04"):
        return _open_xlsx(path)
    encoding = _encoding(path)
    with path.open("rb") as handle:
        head = handle.read(HEADER_LIMIT + 1)
    sample = head.decode(encoding, errors="ignore")
    if "\x00" in sample:
        raise FileError("This is not a CSV or XLSX file.")
    if len(head) > HEADER_LIMIT and not any(end in sample for end in "\r\n"):
        raise FileError(
            f"The first line is longer than {HEADER_LIMIT // 2**20} MB: "
            "it cannot be a header of column names."
        )
    delimiter = _delimiter(sample)
    try:
        header_line = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    except csv.Error as exc:
        raise FileError(f"The first line cannot be read as column names: {exc}.") from None
    return Table(
        path, _check_header([h.lstrip("\ufeff") for h in header_line]), "csv", encoding, delimiter
    )


def _encoding(path: Path) -> str:
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"  # every byte is a Latin-1 character: Western European exports
    return "utf-8"


def _delimiter(sample: str) -> str:
    first_line = sample.splitlines()[0] if sample else ""
    counts = {d: first_line.count(d) for d in DELIMITERS}
    if len(first_line) > SNIFF_CHARS:  # the sniffer would see part of the header alone
        return max(counts, key=lambda d: counts[d])
    try:
        return csv.Sniffer().sniff(sample[:SNIFF_CHARS], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return max(counts, key=lambda d: counts[d])


def _check_header(header: list[str]) -> list[str]:
    header = [h.strip() for h in header]
    if len(header) < 1 or not any(header):
        raise FileError("The first line holds no column names.")
    # Counted once: counting each name in the header took minutes for a wide one.
    duplicates = sorted(h for h, n in Counter(header).items() if n > 1 and h)
    if duplicates:
        raise FileError(f"Column names appear twice: {', '.join(duplicates)}.")
    return header


# openpyxl raises whatever its zip and XML layers raise on a malformed file (BadZipFile,
# ParseError, KeyError, TypeError...): at this boundary any of them means "not readable".
XLSX_ERRORS = (Exception,)


def _open_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        # A file object: openpyxl judges a path by its extension, and uploads lie about theirs.
        workbook = load_workbook(path.open("rb"), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        first = next(sheet.iter_rows(max_row=1, values_only=True), ())
        workbook.close()
    except XLSX_ERRORS as exc:
        raise FileError(f"This is not a readable XLSX file ({exc}).") from None
    header = [_cell(v) for v in first]
    while header and not header[-1].strip():  # the sheet's width, not the header's
        header.pop()
    return Table(path, _check_header(header), "xlsx")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(line, values) of every row after the header that holds a value, or FileError."""
    from openpyxl import load_workbook

    line = 1
    try:
        workbook = load_workbook(path.open("rb"), read_only=True, data_only=True)
        rows = workbook.worksheets[0].iter_rows(min_row=2, values_only=True)
        for line, row in enumerate(rows, start=2):
            if any(v is not None and v != "" for v in row):  # spreadsheets end in blank rows
                yield line, row
        workbook.close()
    except XLSX_ERRORS as exc:
        raise FileError(f"The XLSX file cannot be read past line {line} ({exc}).") from None


def _xlsx_wider_rows(path: Path, width: int) -> dict[int, int]:
    found: dict[int, int] = {}
    for line, row in _xlsx_rows(path):
        filled = max(i for i, v in enumerate(row) if v is not None and v != "") + 1
        if filled > width:
            found[line] = filled
    return found


def _xlsx_chunks(
    path: Path, header: list[str], columns: list[str], rows: int
) -> Iterator[pd.DataFrame]:
    positions = [header.index(c) for c in columns]
    batch: list[list[str]] = []
    lines: list[int] = []
    for line, row in _xlsx_rows(path):
        batch.append([_cell(row[p]) if p < len(row) else "" for p in positions])
        lines.append(line)
        if len(batch) == rows:
            yield _frame(batch, columns, lines)
            batch, lines = [], []
    if batch:
        yield _frame(batch, columns, lines)


def _frame(batch: list[list[str]], columns: list[str], lines: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame(batch, columns=columns, dtype=str)
    frame[LINE] = lines
    return frame
