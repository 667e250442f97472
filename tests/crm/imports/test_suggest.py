"""Which kind of records a file holds, suggested from its header, and why."""

import csv

import pytest

from crm.imports.suggest import suggest_columns, suggest_kind
from tests.crm.imports.conftest import DATA, needs_data


def _header(relative: str) -> list[str]:
    with (DATA / relative).open(encoding="utf-8-sig", newline="") as file:
        return next(csv.reader(file))


@pytest.mark.parametrize(
    ("relative", "kind", "telling"),
    [
        ("olist/olist_closed_deals_dataset.csv", "deals", ["won_date", "declared_monthly_revenue"]),
        ("olist/olist_marketing_qualified_leads_dataset.csv", "leads", ["first_contact_date", "origin"]),
        ("maven/sales_pipeline.csv", "deals", ["deal_stage", "close_date", "close_value"]),
        ("maven/accounts.csv", "companies", ["sector", "employees"]),
    ],
)  # fmt: skip
def test_it_suggests_the_kind_of_the_real_files(relative, kind, telling):
    needs_data()

    suggestion = suggest_kind(_header(relative))

    assert suggestion.kind == kind
    columns = [reason.column for reason in suggestion.reasons]
    assert set(telling) <= set(columns)
    assert suggestion.scores[kind] == max(suggestion.scores.values())


@pytest.mark.parametrize("relative", ["maven/products.csv", "maven/sales_teams.csv"])
def test_it_suggests_nothing_for_a_file_of_no_kind_it_imports(relative):
    needs_data()

    suggestion = suggest_kind(_header(relative))

    assert (suggestion.kind, suggestion.reasons) == (None, [])


EXPORTS = {
    "hubspot": {
        "deals": ["Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount",
                  "Pipeline", "Create Date", "Associated Company", "Associated Contact"],
        "leads": ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Contact owner",
                  "Lifecycle Stage", "Lead Status", "Original Source", "Create Date",
                  "Company Name", "Job Title"],
        "companies": ["Record ID", "Company name", "Company Domain Name", "Industry",
                      "Number of Employees", "Annual Revenue", "Phone Number", "City",
                      "Country/Region", "Company owner", "Create Date", "Website URL"],
        "campaigns": ["Campaign name", "Campaign owner", "Start date", "End date", "Budget total",
                      "Spend total", "Campaign status"],
        "activities": ["Record ID", "Task Title", "Task Type", "Due Date", "Task Status",
                       "Priority", "Assigned to", "Associated Contact", "Associated Deal", "Notes"],
    },
    "salesforce": {
        "deals": ["Opportunity ID", "Opportunity Name", "Account Name", "Amount", "Close Date",
                  "Stage", "Probability (%)", "Lead Source", "Type", "Opportunity Owner",
                  "Created Date"],
        "leads": ["Lead ID", "First Name", "Last Name", "Title", "Company / Account", "Email",
                  "Phone", "Lead Source", "Lead Status", "Industry", "Annual Revenue",
                  "No. of Employees", "Lead Owner", "Create Date"],
        "companies": ["Account ID", "Account Name", "Type", "Industry", "Annual Revenue",
                      "Employees", "Website", "Billing Country", "Parent Account",
                      "Account Owner", "Phone"],
        "campaigns": ["Campaign ID", "Campaign Name", "Type", "Status", "Start Date", "End Date",
                      "Budgeted Cost in Campaign", "Actual Cost in Campaign",
                      "Expected Revenue in Campaign", "Num Sent in Campaign"],
        "activities": ["Activity ID", "Assigned", "Subject", "Due Date", "Activity Type",
                       "Status", "Priority", "Company / Account", "Contact", "Opportunity",
                       "Call Result", "Comments"],
    },
    # Salesforce's Data Loader writes API names rather than labels.
    "salesforce api": {
        "deals": ["Id", "Name", "AccountId", "StageName", "Amount", "CloseDate", "Probability",
                  "LeadSource", "OwnerId"],
        "leads": ["Id", "FirstName", "LastName", "Company", "Email", "LeadSource", "Status",
                  "CreatedDate"],
    },
    # Pipedrive names every column "Entity - Field", related entities' columns included.
    "pipedrive": {
        "deals": ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Status",
                  "Deal - Stage", "Deal - Won time", "Deal - Expected close date",
                  "Deal - Lost reason", "Deal - Owner", "Person - Name", "Organization - Name"],
        "leads": ["Lead - Title", "Lead - Source", "Lead - Owner", "Lead - Labels", "Lead - Value",
                  "Person - Name", "Person - Email", "Organization - Name"],
        "contacts": ["Person - ID", "Person - Name", "Person - First name", "Person - Last name",
                     "Person - Email", "Person - Phone", "Person - Organization",
                     "Person - Owner", "Person - Label", "Person - Add time"],
        "companies": ["Organization - ID", "Organization - Name", "Organization - Address",
                      "Organization - Owner", "Organization - Industry",
                      "Organization - Number of employees", "Organization - Annual revenue",
                      "Organization - Website"],
        "campaigns": ["Campaign - Name", "Campaign - Status", "Campaign - Start date",
                      "Campaign - End date", "Campaign - Budget", "Campaign - Owner"],
        "activities": ["Activity - ID", "Activity - Subject", "Activity - Type",
                       "Activity - Due date", "Activity - Done", "Activity - Note",
                       "Activity - Assigned to user", "Deal - Title", "Person - Name",
                       "Organization - Name"],
    },
}  # fmt: skip
KIND_OF = {"contacts": "leads"}


@pytest.mark.parametrize(
    ("crm", "export"),
    [(crm, export) for crm, exports in EXPORTS.items() for export in exports],
)
def test_it_suggests_the_kind_of_each_crms_exports(crm, export):
    suggestion = suggest_kind(EXPORTS[crm][export])

    assert suggestion.kind == KIND_OF.get(export, export), suggestion.scores
    assert suggestion.reasons


def test_a_column_counts_for_the_kind_it_is_most_specific_to():
    # "Amount spent" is a campaign's spend, not a deal's amount; "Annual Revenue" is a
    # company's, not a deal's revenue.
    header = ["Campaign", "Amount spent", "Annual Revenue", "Start"]

    suggestion = suggest_kind(header)

    assert suggestion.scores["deals"] == 0
    assert suggestion.kind == "campaigns"
    assert [r.column for r in suggestion.reasons] == ["Campaign", "Amount spent", "Start"]


def test_the_reasons_say_what_each_column_is():
    suggestion = suggest_kind(["mql_id", "won_date", "declared_monthly_revenue", "lead_type"])

    assert [(r.column, str(r.what)) for r in suggestion.reasons] == [
        ("won_date", "a won or close date"),
        ("declared_monthly_revenue", "an amount, value or revenue"),
    ]


def test_the_columns_are_suggested_for_the_suggested_kind():
    header = ["mql_id", "won_date", "declared_monthly_revenue"]

    columns = suggest_columns(suggest_kind(header).kind or "leads", header)

    assert columns == {"lead": "mql_id", "closed_at": "won_date"}
