"""Reading CSV and XLSX exports as chunks of text columns, with their line numbers."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

LINE = "_line"  # the row's line in the file: the header is line 1
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
    sample = path.read_bytes()[: 1 << 16].decode(encoding, errors="ignore")
    if "\x00" in sample:
        raise FileError("This is not a CSV or XLSX file.")
    delimiter = _delimiter(sample)
    header_line = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
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
    try:
        return csv.Sniffer().sniff(sample[:20000], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: first_line.count(d) for d in DELIMITERS}
        return max(counts, key=lambda d: counts[d])


def _check_header(header: list[str]) -> list[str]:
    header = [h.strip() for h in header]
    if len(header) < 1 or not any(header):
        raise FileError("The first line holds no column names.")
    duplicates = sorted({h for h in header if header.count(h) > 1 and h})
    if duplicates:
        raise FileError(f"Column names appear twice: {', '.join(duplicates)}.")
    return header


def _open_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # A file object: openpyxl judges a path by its extension, and uploads lie about theirs.
        workbook = load_workbook(path.open("rb"), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FileError(f"This is not a readable XLSX file ({exc}).") from None
    sheet = workbook.worksheets[0]
    first = next(sheet.iter_rows(max_row=1, values_only=True), ())
    workbook.close()
    return Table(path, _check_header([_cell(v) for v in first]), "xlsx")


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


def _xlsx_chunks(
    path: Path, header: list[str], columns: list[str], rows: int
) -> Iterator[pd.DataFrame]:
    from openpyxl import load_workbook

    workbook = load_workbook(path.open("rb"), read_only=True, data_only=True)
    positions = [header.index(c) for c in columns]
    batch: list[list[str]] = []
    lines: list[int] = []
    for line, row in enumerate(
        workbook.worksheets[0].iter_rows(min_row=2, values_only=True), start=2
    ):
        if not any(v is not None and v != "" for v in row):
            continue  # spreadsheets end in blank rows
        batch.append([_cell(row[p]) if p < len(row) else "" for p in positions])
        lines.append(line)
        if len(batch) == rows:
            yield _frame(batch, columns, lines)
            batch, lines = [], []
    if batch:
        yield _frame(batch, columns, lines)
    workbook.close()


def _frame(batch: list[list[str]], columns: list[str], lines: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame(batch, columns=columns, dtype=str)
    frame[LINE] = lines
    return frame
