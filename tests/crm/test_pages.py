import csv
import io
import re
from datetime import UTC, datetime

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from crm.models import (
    Activity,
    Campaign,
    Channel,
    Company,
    Deal,
    ImportJob,
    ImportPreset,
    Lead,
    LeadStageChange,
)
from crm.services.deals import deal_create
from crm.services.leads import lead_create
from crm.services.records import record_create
from orgs.models import Role
from orgs.permissions import Action, can, can_import
from tests.conftest import ALL_ROLES, signed_in_client
from tests.crm.imports.conftest import DATA, needs_data

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 1, 10, tzinfo=UTC)
KINDS = ["leads", "deals", "companies", "campaigns", "channels", "activities"]
WRITE = {
    "leads": Action.EDIT_LEADS,
    "deals": Action.EDIT_DEALS,
    "companies": Action.EDIT_LEADS,
    "campaigns": Action.EDIT_CAMPAIGNS,
    "channels": Action.EDIT_CAMPAIGNS,
    "activities": Action.EDIT_LEADS,
}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_role_sees_lists_and_only_writers_get_forms(kind, role, member):
    client = signed_in_client(member(role))

    listed = client.get(reverse("crm-list", args=[kind]))
    form = client.get(reverse("crm-new", args=[kind]))

    assert listed.status_code == 200
    assert form.status_code == (200 if can(role, WRITE[kind]) else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_importers_reach_the_import_pages(role, member):
    response = signed_in_client(member(role)).get(reverse("crm-import"))

    assert response.status_code == (200 if can(role, Action.IMPORT_RECORDS) else 403)


def test_creating_a_lead_from_the_form_records_its_entry(org, member):
    client = signed_in_client(member(Role.SALES_REP))

    response = client.post(
        reverse("crm-new", args=["leads"]),
        {
            "name": "Ann",
            "email": "Ann@Example.test",
            "stage": "mql",
            "created_at": "2026-01-05T09:30",
            "channel": Channel.objects.for_org(org).get(code="social").pk,
        },
    )

    lead = Lead.objects.get()
    assert response["Location"] == reverse("crm-detail", args=["leads", lead.pk])
    assert (lead.email, lead.stage) == ("ann@example.test", "mql")
    assert LeadStageChange.objects.get(lead=lead).source == "manual"


def test_a_bad_form_shows_errors_and_saves_nothing(org, member):
    record_create(Company, organization=org, name="Acme")
    client = signed_in_client(member(Role.ADMIN))

    lead = client.post(
        reverse("crm-new", args=["leads"]), {"email": "nope", "stage": "mql", "created_at": "soon"}
    )
    campaign = client.post(
        reverse("crm-new", args=["campaigns"]),
        {"name": "X", "start_date": "2026-02-01", "end_date": "2026-01-01", "status": "planned"},
    )

    assert "Enter a valid date/time." in lead.content.decode()
    assert "A campaign cannot end before it starts." in campaign.content.decode()
    assert not Lead.objects.exists()


def test_a_lead_form_with_no_name_email_or_external_id_saves_nothing(member):
    client = signed_in_client(member(Role.ADMIN))

    page = client.post(
        reverse("crm-new", args=["leads"]), {"stage": "mql", "created_at": "2026-01-10T09:00"}
    )

    assert page.status_code == 200
    assert "A lead needs a name, an e-mail or an external id." in page.content.decode()
    assert not Lead.objects.exists()


def test_another_organisations_records_answer_404(other_org, member):
    theirs = lead_create(organization=other_org, by=None, stage="lead", created_at=T0)
    client = signed_in_client(member(Role.ADMIN))

    assert client.get(reverse("crm-detail", args=["leads", theirs.pk])).status_code == 404
    assert client.get(reverse("crm-edit", args=["leads", theirs.pk])).status_code == 404
    assert (
        client.post(reverse("crm-lead-move", args=[theirs.pk]), {"stage": "mql"}).status_code == 404
    )
    assert (
        client.post(
            reverse("crm-lead-activity", args=[theirs.pk]),
            {"kind": "call", "at": "2026-01-11T10:00"},
        ).status_code
        == 404
    )
    assert client.get(reverse("crm-list", args=["no-such-kind"])).status_code == 404
    assert Lead.objects.get(pk=theirs.pk).stage == "lead"


def test_the_lead_page_moves_stages_and_logs_activities_on_its_timeline(org, member):
    lead = lead_create(organization=org, by=None, name="Ann", stage="mql", created_at=T0)
    client = signed_in_client(member(Role.SALES_REP))

    client.post(
        reverse("crm-lead-move", args=[lead.pk]), {"stage": "sql", "at": "2026-01-11T09:00"}
    )
    client.post(
        reverse("crm-lead-activity", args=[lead.pk]),
        {"kind": "call", "at": "2026-01-11T08:00", "outcome": "interested"},
    )
    page = client.get(reverse("crm-detail", args=["leads", lead.pk])).content.decode()

    assert "Stage Marketing-qualified lead → Sales-qualified lead" in page
    assert "Call: interested" in page
    assert "Entered the funnel as Marketing-qualified lead" in page
    assert (
        page.index("Stage Marketing-qualified lead → Sales-qualified lead")
        < page.index("Call: interested")
        < page.index("Entered the funnel as Marketing-qualified lead")
    )


def test_lists_filter_search_sort_and_answer_htmx_with_the_results_only(org, member):
    social = Channel.objects.for_org(org).get(code="social")
    lead_create(organization=org, by=None, name="Zed", stage="mql", channel=social, created_at=T0)
    lead_create(organization=org, by=None, name="Amy", stage="sql", created_at=T0)
    client = signed_in_client(member(Role.LEADERSHIP))
    url = reverse("crm-list", args=["leads"])

    by_stage = client.get(url, {"stage": "sql"}).content.decode()
    by_channel = client.get(
        url, {"channel": "social"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    ).content.decode()
    sorted_page = client.get(url, {"sort": "name"}).content.decode()

    assert "Amy" in by_stage
    assert "Zed" not in by_stage
    assert "Zed" in by_channel
    assert "Amy" not in by_channel
    assert "<html" not in by_channel  # a fragment for htmx
    assert sorted_page.index("Amy") < sorted_page.index("Zed")


def test_csv_export_neutralises_formulas(org, member):
    lead_create(
        organization=org,
        by=None,
        name='=HYPERLINK("http://evil.test","x")',
        stage="mql",
        created_at=T0,
    )
    lead_create(
        organization=org, by=None, name="+31 20 123", email="a@b.test", stage="mql", created_at=T0
    )
    client = signed_in_client(member(Role.LEADERSHIP))

    response = client.get(reverse("crm-list", args=["leads"]), {"export": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = sorted(row[0] for row in rows[1:])
    assert names == ["'+31 20 123", '\'=HYPERLINK("http://evil.test","x")']


def test_xlsx_export_of_the_filtered_list(org, member):
    lead_create(organization=org, by=None, name="@cmd", stage="mql", created_at=T0)
    lead_create(organization=org, by=None, name="Other", stage="sql", created_at=T0)
    client = signed_in_client(member(Role.LEADERSHIP))

    response = client.get(reverse("crm-list", args=["leads"]), {"export": "xlsx", "stage": "mql"})

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Name"
    assert [row[0] for row in values[1:]] == ["'@cmd"]


def test_the_import_pages_upload_map_run_and_report(
    org, member, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.MARKETING_MANAGER))
    upload = SimpleUploadedFile(
        "hubspot.csv",
        b"Record ID,Email,Create Date,Original Source\n1,a@x.test,2026-01-05,Paid Search\n2,bad,2026-01-06,Email\n",
    )

    uploaded = client.post(reverse("crm-import"), {"file": upload})
    job = ImportJob.objects.get()
    mapping_page = client.get(uploaded["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        start = client.post(
            reverse("crm-import-map", args=[job.pk]),
            {
                "kind": "leads",
                "action": "start",
                "preset_name": "HubSpot contacts",
                "column_external_id": "Record ID",
                "column_email": "Email",
                "column_created_at": "Create Date",
                "column_channel": "Original Source",
                "constant_stage": "mql",
            },
        )
    progress = client.get(start["Location"], HTTP_HX_REQUEST="true").content.decode()
    report = client.get(reverse("crm-import-report", args=[job.pk]))

    assert "selected>Record ID" in mapping_page.replace(
        'value="Record ID" ', ""
    )  # suggested from HubSpot's header
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == ("done", 1, 1)
    assert 'data-status="done"' in progress
    assert b"not an e-mail address" in b"".join(report.streaming_content)
    assert ImportPreset.objects.for_org(org).get(name="HubSpot contacts").mapping["constants"] == {
        "stage": "mql"
    }
    assert Lead.objects.get().channel.code == "paid_search"


def test_the_mapping_step_suggests_deals_for_olists_won_deals_and_says_why(
    member, settings, tmp_path
):
    needs_data()
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.SALES_MANAGER))
    upload = SimpleUploadedFile(
        "olist_closed_deals_dataset.csv",
        (DATA / "olist/olist_closed_deals_dataset.csv").read_bytes(),
    )

    uploaded = client.post(reverse("crm-import"), {"file": upload})
    page = client.get(uploaded["Location"]).content.decode()

    assert '<option value="deals" selected>' in page
    why = page.split('data-testid="kind-suggestion">')[1].split("</p>")[0]
    assert "<strong>won_date</strong> (a won or close date)" in why
    assert "<strong>declared_monthly_revenue</strong> (an amount, value or revenue)" in why
    assert 'value="won_date" selected' in page  # closed_at, from the deals' fields


def test_a_suggested_kind_the_role_may_not_import_is_said_and_not_chosen(
    member, settings, tmp_path
):
    needs_data()
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.MARKETING_MANAGER))  # may not write deals
    upload = SimpleUploadedFile(
        "olist_closed_deals_dataset.csv",
        (DATA / "olist/olist_closed_deals_dataset.csv").read_bytes(),
    )

    uploaded = client.post(reverse("crm-import"), {"file": upload})
    page = client.get(uploaded["Location"]).content.decode()

    assert "These rows look like deals" in page
    assert 'data-testid="kind-not-allowed"' in page
    assert '<option value="deals"' not in page


def test_the_mapping_step_says_when_no_column_tells_the_kind(member, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.ADMIN))
    client.post(reverse("crm-import"), {"file": SimpleUploadedFile("x.csv", b"Foo,Bar\n1,2\n")})

    page = client.get(reverse("crm-import-map", args=[ImportJob.objects.get().pk])).content.decode()

    assert "No column tells which kind of records these are" in page
    assert '<option value="leads" selected>' in page


def test_an_unreadable_upload_is_refused_on_the_page(member, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.ADMIN))

    response = client.post(
        reverse("crm-import"), {"file": SimpleUploadedFile("x.csv", b"\x00\x01\x02")}
    )

    assert "This is not a CSV or XLSX file." in response.content.decode()
    assert not ImportJob.objects.exists()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_a_mapping_problem_is_shown_and_nothing_starts(org, member, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.ADMIN))
    client.post(reverse("crm-import"), {"file": SimpleUploadedFile("c.csv", b"Sector\nretail\n")})
    job = ImportJob.objects.get()

    response = client.post(
        reverse("crm-import-map", args=[job.pk]),
        {"kind": "companies", "action": "start", "column_industry": "Sector"},
    )

    assert "companies need &#x27;name&#x27;" in response.content.decode()
    assert ImportJob.objects.get().status == "draft"
    assert not Company.objects.exists()


def test_a_company_page_lists_its_deals_leads_and_subsidiaries(org, member):
    from crm.services.deals import deal_create

    acme = record_create(Company, organization=org, name="Acme")
    record_create(Company, organization=org, name="Acme Italia", parent=acme)
    lead_create(organization=org, by=None, name="Ann", company=acme, stage="mql", created_at=T0)
    deal_create(organization=org, by=None, name="Big order", company=acme, amount="1200")
    client = signed_in_client(member(Role.LEADERSHIP))

    page = client.get(reverse("crm-detail", args=["companies", acme.pk])).content.decode()

    assert 'data-testid="section-deals"' in page
    assert "Big order" in page
    assert "Ann" in page
    assert "Acme Italia" in page


def test_a_deal_in_another_currency_shows_its_amount_in_it_everywhere(org, member):
    """Not the organisation's euro beside "USD"."""
    acme = record_create(Company, organization=org, name="Acme")
    deal = deal_create(organization=org, by=None, name="Order", company=acme, amount="1200",
                       currency="USD")  # fmt: skip
    client = signed_in_client(member(Role.LEADERSHIP))
    assert org.currency == "EUR"

    pages = {
        "deal": client.get(reverse("crm-detail", args=["deals", deal.pk])),
        "list": client.get(reverse("crm-list", args=["deals"])),
        "company": client.get(reverse("crm-detail", args=["companies", acme.pk])),
    }

    for name, page in pages.items():
        text = page.content.decode()
        assert "$1,200" in text, name
        assert "€1,200" not in text, name


# One small file per kind of record and the form fields that map it; importing it writes one record.
IMPORTS = {
    "leads": (b"id,name\nL1,Ann\n", {"external_id": "id", "name": "name"}, Lead),
    "companies": (b"name\nAcme\n", {"name": "name"}, Company),
    "campaigns": (
        b"name,start\nSpring,2026-03-01\n",
        {"name": "name", "start_date": "start"},
        Campaign,
    ),
    "deals": (
        b"id,amount,status,closed\nD1,99999,won,2026-01-05\n",
        {"external_id": "id", "amount": "amount", "status": "status", "closed_at": "closed"},
        Deal,
    ),
    "activities": (
        b"kind,at,deal\ncall,2026-01-05,D0\n",
        {"kind": "kind", "at": "at", "deal": "deal"},
        Activity,
    ),
}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("kind", list(IMPORTS))
def test_the_import_page_imports_only_kinds_the_role_may_write(
    kind, role, org, member, settings, tmp_path, django_capture_on_commit_callbacks
):
    from crm.services.deals import deal_create

    settings.IMPORT_DIR = tmp_path
    deal_create(organization=org, by=None, external_id="D0", name="For the activity")
    content, columns, model = IMPORTS[kind]
    before = model.objects.count()
    client = signed_in_client(member(role))

    uploaded = client.post(
        reverse("crm-import"), {"file": SimpleUploadedFile(f"{kind}.csv", content)}
    )
    if not can(role, Action.IMPORT_RECORDS):
        assert uploaded.status_code == 403
        assert not ImportJob.objects.exists()
        return
    job = ImportJob.objects.get()
    offered = client.get(uploaded["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            reverse("crm-import-map", args=[job.pk]),
            {"kind": kind, "action": "start", **{f"column_{f}": c for f, c in columns.items()}},
        )

    job.refresh_from_db()
    assert (f'<option value="{kind}"' in offered) == can_import(role, kind)
    if can_import(role, kind):
        assert started.status_code == 302
        assert job.status == "done"
        assert model.objects.count() == before + 1
    else:
        assert started.status_code == 403
        assert job.status == "draft"
        assert model.objects.count() == before


def test_the_rejected_rows_download_neutralises_formulas(
    member, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.ADMIN))
    formula = '=HYPERLINK("http://evil.test","click")'
    content = b'id,mail\n1,"=HYPERLINK(""http://evil.test"",""click"")"\n'
    client.post(reverse("crm-import"), {"file": SimpleUploadedFile("leads.csv", content)})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("crm-import-map", args=[job.pk]),
            {
                "kind": "leads",
                "action": "start",
                "column_external_id": "id",
                "column_email": "mail",
            },
        )

    report = client.get(reverse("crm-import-report", args=[job.pk]))

    rows = list(csv.DictReader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert [(row["value"], row["reason"]) for row in rows] == [
        ("'" + formula, "not an e-mail address")
    ]


def _form(page: str) -> dict[str, str]:
    """The values a browser would post from the mapping form as rendered (selected options)."""
    data = dict(re.findall(r'<input type="hidden" name="(vsrc_[^"]+)" value="([^"]*)"', page))
    for name, options in re.findall(r'<select name="(vmap_[^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_the_mapping_step_lists_olists_channels_with_their_counts(member, settings, tmp_path):
    needs_data()
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.MARKETING_MANAGER))
    path = DATA / "olist/olist_marketing_qualified_leads_dataset.csv"
    origins = pd.read_csv(path, dtype=str, keep_default_na=False)["origin"].value_counts()

    uploaded = client.post(
        reverse("crm-import"), {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    page = client.get(uploaded["Location"]).content.decode()

    table = page.split('data-testid="values-channel"')[1].split("</table>")[0]
    listed = re.findall(r'name="vsrc_channel_\d+" value="([^"]*)"></td>\s*<td>([^<]+)</td>', table)
    counts = [(value, int(re.sub(r"\D", "", rows))) for value, rows in listed]  # 2,296
    assert dict(counts) == origins.to_dict()
    assert [rows for _value, rows in counts] == sorted(origins, reverse=True)  # most first
    assert origins[""] == 60  # the blank origins are listed, to be mapped like any value
    assert "New channel: direct_traffic" in table  # said, not silently created
    assert '<option value="organic_search" selected>' in table


def test_channel_values_map_to_existing_channels_and_blanks_to_no_channel_unless_told(
    org, member, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.MARKETING_MANAGER))
    content = b"id,origin\n1,Direct traffic\n2,\n3,paid_search\n4,display\n5,Direct traffic\n"
    client.post(reverse("crm-import"), {"file": SimpleUploadedFile("mql.csv", content)})
    job = ImportJob.objects.get()
    columns = {"kind": "leads", "column_external_id": "id", "column_channel": "origin"}
    page = client.post(reverse("crm-import-map", args=[job.pk]), columns).content.decode()
    form = _form(page)
    direct = next(k for k, v in form.items() if v == "Direct traffic").replace("vsrc", "vmap")
    display = next(k for k, v in form.items() if v == "display").replace("vsrc", "vmap")
    blank = next(k for k, v in form.items() if k.startswith("vsrc") and v == "").replace(
        "vsrc", "vmap"
    )
    # a blank is no channel (a group of its own), unless the user maps it, as here, to one
    assert (form[direct], form[blank], form[display]) == ("direct_traffic", "", "display")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("crm-import-map", args=[job.pk]),
            {**columns, **form, direct: "direct", blank: "unknown", display: "", "action": "start"},
        )

    job.refresh_from_db()
    channels = dict(Lead.objects.values_list("external_id", "channel__code"))
    assert channels == {"1": "direct", "2": "unknown", "3": "paid_search", "4": None, "5": "direct"}
    assert job.mapping["values"]["channel"] == {
        "Direct traffic": "direct",
        "": "unknown",
        "display": "",
    }
    assert job.channels_created == ["unknown"]
    assert not Channel.objects.filter(code__in=["direct_traffic", "display"]).exists()


def test_owner_values_map_to_a_member_a_new_rep_or_nobody(
    org, member, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_DIR = tmp_path
    manager = member(Role.SALES_MANAGER)
    manager.user.first_name, manager.user.last_name = "Ada", "Byron"
    manager.user.save()
    client = signed_in_client(manager)
    content = b"id,agent,stage\nD1,Ada Byron,Won\nD2,Moses Frase,Engaging\nD3,Temp Desk,Lost\nD4,,Engaging\n"
    client.post(reverse("crm-import"), {"file": SimpleUploadedFile("pipe.csv", content)})
    job = ImportJob.objects.get()
    columns = {"kind": "deals", "column_external_id": "id", "column_owner": "agent"}
    form = _form(client.post(reverse("crm-import-map", args=[job.pk]), columns).content.decode())
    pick = {v: k.replace("vsrc", "vmap") for k, v in form.items() if k.startswith("vsrc_owner")}
    # Suggested: the member by name, a new rep for a name nobody has, nobody for a blank.
    assert [form[pick[n]] for n in ("Ada Byron", "Moses Frase", "")] == [
        manager.user.username,
        "+rep",
        "",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("crm-import-map", args=[job.pk]),
            {**columns, **form, pick["Temp Desk"]: "", "action": "start"},
        )

    job.refresh_from_db()
    owners = dict(Deal.objects.values_list("external_id", "owner__first_name"))
    assert owners == {"D1": "Ada", "D2": "Moses", "D3": None, "D4": None}
    assert job.mapping["new_sales_reps"] == ["Moses Frase"]
    assert (job.created, job.rejected, job.unassigned) == (4, 0, 1)
    assert job.unassigned_owners == {"Temp Desk": 1}
    assert job.sales_reps_created == ["Moses Frase"]


def test_a_finished_import_ends_with_its_summary_and_where_to_see_the_records(
    org, member, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.SALES_MANAGER))
    content = b"id,agent,closed,status\nD1,Nobody Known,2017-03-01,won\nD2,,2018-08-20,lost\n"
    client.post(reverse("crm-import"), {"file": SimpleUploadedFile("pipe.csv", content)})
    job = ImportJob.objects.get()
    columns = {"column_external_id": "id", "column_owner": "agent", "column_closed_at": "closed"}
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            reverse("crm-import-map", args=[job.pk]),
            {"kind": "deals", "action": "start", **columns, "column_status": "status"},
        )

    polled = client.get(started["Location"], HTTP_HX_REQUEST="true").content.decode()
    page = client.get(started["Location"]).content.decode()

    assert "hx-get" not in polled  # the polling stops: the summary replaced the progress
    heading = polled.split('data-testid="import-heading">')[1].split("</h1>")[0]
    assert heading == "Imported pipe.csv"
    assert "Importing" not in page
    summary = polled.split('data-testid="import-summary"')[1].split("</dl>")[0]
    assert 'data-testid="summary-created">2<' in summary
    assert 'data-testid="summary-unassigned">1 <small class="muted">(Nobody Known: 1)' in summary
    links = polled.split('data-testid="import-links"')[1].split("</p>")[0]
    assert f'href="{reverse("crm-list", args=["deals"])}"' in links
    assert 'href="/dashboards/sales/?start=2017-03&amp;end=2018-08"' in links


@pytest.mark.parametrize(
    ("language", "status", "amount", "stage", "pipeline"),
    [
        ("en", "Open", "€1,200", "Sales-qualified lead", "Proposal"),
        ("ru", "Открыта", "1\xa0200\xa0€", "Лид, квалифицированный продажами", "Предложение"),
    ],
)
def test_records_show_labels_names_and_money_not_codes(
    org, member, language, status, amount, stage, pipeline
):
    lead = lead_create(organization=org, by=None, name="Ann", stage="sql")
    deal = deal_create(
        organization=org, by=None, name="Big order", lead=lead, amount="1200",
        pipeline_stage="proposal",
    )  # fmt: skip
    client = signed_in_client(member(Role.SALES_MANAGER))
    client.post(reverse("set_language"), {"language": language})

    deal_page = client.get(reverse("crm-detail", args=["deals", deal.pk])).content.decode()
    leads = client.get(reverse("crm-list", args=["leads"])).content.decode()
    lead_page = client.get(reverse("crm-detail", args=["leads", lead.pk])).content.decode()

    assert f"<dd>{status}</dd>" in deal_page  # not "open"
    assert f"<dd>{amount}</dd>" in deal_page  # not 1200.00
    assert f"<dd>{pipeline}</dd>" in deal_page  # not "proposal"
    assert f"<td>{stage}</td>" in leads  # not "sql"
    assert f'data-testid="lead-stage">{stage}<' in lead_page


def test_a_role_that_may_not_make_channels_is_not_offered_new_ones(org, member, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    client = signed_in_client(member(Role.SALES_MANAGER))  # imports leads, edits no campaigns
    content = b"id,origin\n1,Direct traffic\n2,paid_search\n"
    client.post(reverse("crm-import"), {"file": SimpleUploadedFile("mql.csv", content)})
    job = ImportJob.objects.get()
    columns = {"kind": "leads", "column_external_id": "id", "column_channel": "origin"}

    page = client.post(reverse("crm-import-map", args=[job.pk]), columns).content.decode()

    form = _form(page)
    direct = next(k for k, v in form.items() if v == "Direct traffic").replace("vsrc", "vmap")
    paid = next(k for k, v in form.items() if v == "paid_search").replace("vsrc", "vmap")
    assert form[direct] == ""  # no channel, not a new one its rows would be refused for
    assert form[paid] == "paid_search"  # an existing channel is still found
    assert "New channel:" not in page
