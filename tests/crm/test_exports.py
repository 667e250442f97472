"""Lists as files: formulas neutralised, and a file name no user-chosen name can break."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from smarketing.lib.exports import export_response, safe_file_name

ROWS = [["2027-01", "=1+1", 3]]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("leads", "leads"),
        ("Q1: EMEA/APAC", "Q1-EMEA-APAC"),
        ("two\nlines\r\n", "two-lines"),
        ('x"; filename="evil.html', "x-filename-evil.html"),
        ("..\\..\\etc", "etc"),
        ("Plan Zürich", "Plan-Zürich"),
        ("/:*?", "export"),
    ],
)
def test_a_file_name_keeps_only_safe_characters(name, safe):
    assert safe_file_name(name) == safe


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "name", ["Q1: EMEA/APAC [draft]?*", "two\nlines", 'x"; filename="evil.html', "Plan Zürich"]
)
def test_any_name_gives_one_attachment_with_a_safe_name(fmt, name):
    response = export_response(fmt, name, ["Month", "Note", "Count"], ROWS)

    # One parameter: a quoted plain name, or a percent-encoded UTF-8 one (RFC 6266).
    assert re.fullmatch(
        rf"attachment; (filename=\"[\w.-]+\.{fmt}\"|filename\*=utf-8''[\w.%-]+\.{fmt})",
        response.headers["Content-Disposition"],
    )
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert [c.value for c in sheet[2]] == ["2027-01", "'=1+1", 3]
    else:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[1] == ["2027-01", "'=1+1", "3"]
