"""The review pack as a workbook: a sheet per section, headers in the reader's language,
numbers as numbers in their unit's format."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from orgs.models import Role
from reviews.models import ReviewDecision
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


def _book(client, month="2025-03"):
    answer = client.get(f"/reviews/{month}/export.xlsx")
    assert answer.status_code == 200
    assert (
        answer["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f'filename="review-pack-acme-{month}.xlsx"' in answer["Content-Disposition"]
    return load_workbook(io.BytesIO(answer.content))


def _row(sheet, name):
    return next(row for row in sheet.iter_rows(min_row=2) if row[0].value == name)


def test_the_workbook_has_a_sheet_per_section_with_numbers_in_their_format(march, org, member):
    ReviewDecision.objects.create(organization=org, month=date(2025, 3, 1), text="Double the spring budget",
                                  owner=member(Role.MARKETING_MANAGER), due=date(2025, 4, 30))  # fmt: skip

    book = _book(signed_in_client(member(Role.LEADERSHIP)))

    assert book.sheetnames == [
        "Plan vs actual", "Objectives", "SLA scorecard", "SLA breaches", "Channels", "Campaigns",
        "Plan drift", "Alignment pulse", "Decisions",
    ]  # fmt: skip
    channels = book["Channels"]
    assert [c.value for c in channels[1]] == [
        "Channel", "Leads", "MQLs", "New customers", "Won revenue", "Cost", "Cost per lead", "ROI",
    ]  # fmt: skip
    paid = _row(channels, "Paid search")
    assert [c.value for c in paid[1:]] == [2, 2, 1, 900, 400, 200, 1.25]
    assert paid[6].number_format == '"€"#,##0.00'  # cost per lead, in euros
    assert paid[7].number_format == "0.0%"  # ROI, a percentage
    assert paid[1].number_format == "#,##0"
    mql = _row(book["Plan vs actual"], "Marketing-qualified lead")
    assert mql[3].value == 4  # March's MQLs
    assert mql[5].number_format == "0.0%"  # attainment
    revenue = _row(book["Plan vs actual"], "Won revenue")
    assert revenue[7].value == 900
    assert revenue[7].number_format == '"€"#,##0.00'
    delivered = _row(book["SLA scorecard"], "MQLs delivered")
    assert [delivered[1].value, delivered[2].value] == [4, 4]
    accepted = _row(book["SLA scorecard"], "Accepted by sales")
    assert (accepted[1].value, accepted[1].number_format) == (0.5, "0.0%")
    assert book["Plan drift"].max_row == 1  # the plan is not measured yet: its header only
    pulse = [row[0] for row in book["Alignment pulse"].iter_rows(min_row=2, values_only=True)]
    assert pulse[:2] == ["No alignment pulse was held for Mar 2025.", "Alignment index, Mar 2025"]
    (decision,) = list(book["Decisions"].iter_rows(min_row=2, values_only=True))
    assert decision[:3] == ("Mar 2025", "Double the spring budget", "Test")
    assert decision[3].date() == date(2025, 4, 30)
    assert decision[4] == "overdue"  # due in April 2025, and not done


def test_the_headers_are_in_the_readers_language(march, member):
    client = signed_in_client(member(Role.SALES_REP))
    client.cookies["django_language"] = "it"

    book = _book(client)

    channels = book["Canali"]
    assert [c.value for c in channels[1]][:2] == ["Canale", "Lead"]
    assert channels[1][6].value == "Costo per lead"
    paid = next(
        row for row in channels.iter_rows(min_row=2) if row[1].value == 2 and row[4].value == 900
    )
    assert paid[6].number_format == '#,##0.00 "€"'  # the symbol after the amount in Italian
    assert Decimal(str(paid[6].value)) == Decimal(200)
