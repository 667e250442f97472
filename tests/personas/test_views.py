"""The personas' pages: roles, tenant isolation, the editor's bad inputs (each explained
beside its field, nothing written), approving from the page, versions, query counts."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgs.models import Role
from personas.forms import CriteriaFormSet, PersonaForm, place_errors
from personas.models import Approval, Criterion, Persona, PersonaVersion
from personas.services import persona_approve, persona_archive, persona_update
from tests.conftest import ALL_ROLES, signed_in_client

pytestmark = pytest.mark.django_db
EDITORS = {Role.ADMIN, Role.MARKETING_MANAGER, Role.SALES_MANAGER}
READERS = [role for role in ALL_ROLES if role not in EDITORS]
FORM = {
    "name": "Mid-size software",
    "description": "Software companies of 50 to 500 people",
    "decision_maker": "The CTO",
    "role_title": "",
    "goals": "Ship faster",
    "pains": "Manual reports",
    "whereabouts": "",
    "industries": "",
    "company_sizes": "",
    "countries": "",
    "products": "",
    "channels": "",
    "threshold": "70",
    "criteria-TOTAL_FORMS": "2",
    "criteria-INITIAL_FORMS": "0",
    "criteria-MIN_NUM_FORMS": "0",
    "criteria-MAX_NUM_FORMS": "30",
    "criteria-0-kind": "industry_in",
    "criteria-0-values": "Software, Retail",
    "criteria-0-weight": "3",
    "criteria-1-kind": "annual_revenue_between",
    "criteria-1-minimum": "1 000 000",
    "criteria-1-maximum": "",
    "criteria-1-values": "typed for another kind: ignored",
    "criteria-1-weight": "2",
}


def written():
    return (
        Persona.objects.count(),
        PersonaVersion.objects.count(),
        Criterion.objects.count(),
        Approval.objects.count(),
    )


def text(response):
    return response.content.decode()


def field_html(page, field_id):
    """The editor's block of one field: its input and the errors shown beside it."""
    found = re.search(
        rf'<div class="field[^"]*">(?:(?!<div class="field).)*id="{field_id}".*?</div>', page, re.S
    )
    assert found, f"no field {field_id}"
    return found.group(0)


def approve_both(persona, managers):
    persona_approve(persona=persona, membership=managers["marketing"], side="marketing")
    persona_approve(persona=persona, membership=managers["sales"], side="sales")


# --- who sees and does what ---


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_reads_the_list_a_persona_and_its_versions(role, member, persona):
    draft = persona()
    client = signed_in_client(member(role))

    listed = client.get("/personas/")
    shown = client.get(f"/personas/{draft.pk}/")
    old = client.get(f"/personas/{draft.pk}/versions/1/")

    assert listed.status_code == shown.status_code == old.status_code == 200
    assert "Mid-size software" in text(listed)
    assert "fits at 60 / 100" in text(listed)
    assert "Industry is one of Software, Retail" in text(shown)
    assert ('data-testid="edit-persona"' in text(shown)) is (role in EDITORS)
    assert ('data-testid="new-persona"' in text(listed)) is (role in EDITORS)
    assert ("archive-persona" in text(shown)) is (role in EDITORS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_editors_open_the_editor(role, member, persona):
    draft = persona()
    client = signed_in_client(member(role))

    new = client.get("/personas/new/")
    edit = client.get(f"/personas/{draft.pk}/edit/")

    assert new.status_code == edit.status_code == (200 if role in EDITORS else 403)


@pytest.mark.parametrize("role", READERS)
def test_a_reader_forging_writes_gets_403_and_nothing_is_written(role, member, persona):
    draft = persona()
    client = signed_in_client(member(role))
    before = written()

    answers = [
        client.post("/personas/new/", FORM),
        client.post(f"/personas/{draft.pk}/edit/", FORM),
        client.post(f"/personas/{draft.pk}/approve/", {"side": "marketing", "version": "1"}),
        client.post(f"/personas/{draft.pk}/approve/", {"side": "sales", "version": "1"}),
        client.post(f"/personas/{draft.pk}/archive/"),
    ]

    assert [a.status_code for a in answers] == [403] * 5
    assert written() == before
    assert Persona.objects.get().archived_at is None
    assert PersonaVersion.objects.get().name == "Mid-size software"


@pytest.mark.parametrize(
    ("role", "buttons"),
    [
        (Role.MARKETING_MANAGER, ["marketing"]),
        (Role.SALES_MANAGER, ["sales"]),
        (Role.ADMIN, ["marketing", "sales"]),
        (Role.LEADERSHIP, []),
        (Role.SALES_REP, []),
    ],
)
def test_approve_buttons_only_for_who_may_approve_that_side(role, buttons, member, persona):
    draft = persona()

    page = text(signed_in_client(member(role)).get(f"/personas/{draft.pk}/"))

    assert [side for side in ("marketing", "sales") if f"approve-{side}" in page] == buttons


def test_no_button_once_a_side_is_approved_or_for_who_approved_the_other(persona, managers):
    draft = persona()
    persona_approve(persona=draft, membership=managers["admin"], side="marketing")

    admin_page = text(signed_in_client(managers["admin"]).get(f"/personas/{draft.pk}/"))
    marketing_page = text(signed_in_client(managers["marketing"]).get(f"/personas/{draft.pk}/"))
    sales_page = text(signed_in_client(managers["sales"]).get(f"/personas/{draft.pk}/"))

    assert "approve-" not in admin_page  # the admin approved marketing: sales is another's
    assert "approve-" not in marketing_page  # marketing is approved already
    assert "approve-sales" in sales_page
    assert "an admin stood in as marketing" in sales_page


def test_no_approve_button_without_criteria_or_once_archived(persona, managers):
    empty = persona(criteria=[])
    archived = persona(name="Old one")
    persona_archive(persona=archived)
    client = signed_in_client(managers["marketing"])

    assert "approve-" not in text(client.get(f"/personas/{empty.pk}/"))
    assert "approve-" not in text(client.get(f"/personas/{archived.pk}/"))


# --- approving from the page ---


def test_both_managers_approve_from_the_page(persona, managers):
    draft = persona()
    marketing = signed_in_client(managers["marketing"])
    sales = signed_in_client(managers["sales"])

    first = marketing.post(f"/personas/{draft.pk}/approve/", {"side": "marketing", "version": "1"})
    second = sales.post(f"/personas/{draft.pk}/approve/", {"side": "sales", "version": "1"})
    page = text(sales.get(f"/personas/{draft.pk}/"))

    assert first.status_code == second.status_code == 302
    assert PersonaVersion.objects.get().is_approved
    assert "Approved v1" in page
    assert "Approved by both teams: version 1 now qualifies leads." in page
    assert str(managers["marketing"].user) in page
    assert str(managers["sales"].user) in page


@pytest.mark.parametrize(
    ("role", "post", "message"),
    [
        (Role.MARKETING_MANAGER, {"side": "sales", "version": "1"}, "approves for Marketing only"),
        (Role.SALES_MANAGER, {"side": "marketing", "version": "1"}, "approves for Sales only"),
        (Role.ADMIN, {"side": "finance", "version": "1"}, "Choose marketing or sales."),
        (Role.ADMIN, {"side": "marketing", "version": "7"}, "Only the current version (1)"),
        (Role.ADMIN, {"side": "marketing", "version": "²"}, "Approve a version from"),
        (Role.ADMIN, {"side": "marketing", "version": "-1"}, "Approve a version from"),
    ],
)
def test_a_refused_approval_is_a_message_and_writes_nothing(role, post, message, member, persona):
    draft = persona()
    client = signed_in_client(member(role))

    answer = client.post(f"/personas/{draft.pk}/approve/", post, follow=True)

    assert answer.status_code == 200
    assert message in text(answer)
    assert not Approval.objects.exists()


def test_approving_a_side_twice_is_a_message_naming_who_did(persona, managers, member):
    draft = persona()
    persona_approve(persona=draft, membership=managers["marketing"], side="marketing")
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    answer = client.post(
        f"/personas/{draft.pk}/approve/", {"side": "marketing", "version": "1"}, follow=True
    )

    assert "Marketing already approved version 1" in text(answer)
    assert Approval.objects.count() == 1


# --- the editor ---


def test_a_persona_is_made_from_the_editor(member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    answer = client.post("/personas/new/", FORM)

    persona = Persona.objects.get()
    version = persona.versions.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/personas/{persona.pk}/"
    assert (version.name, version.threshold, version.pains) == (
        "Mid-size software",
        70,
        "Manual reports",
    )
    assert [(c.kind, c.weight, c.params) for c in version.criteria.order_by("position")] == [
        ("industry_in", 3, {"values": ["Software", "Retail"]}),
        ("annual_revenue_between", 2, {"min": "1000000", "max": None}),
    ]


def test_criteria_read_in_plain_words(member, persona, org):
    org.currency = "EUR"
    org.save()
    draft = persona(
        criteria=[
            {"kind": "annual_revenue_between", "weight": 2, "params": {"min": 1000000, "max": 25000000.5}},
            {"kind": "employees_between", "weight": 1, "params": {"min": 5001, "max": None}},
            {"kind": "channel_in", "weight": 1, "params": {"values": ["paid_search"]}},
            {"kind": "title_words", "weight": 1, "params": {"values": ["CTO", "Head of IT"]}},
            {"kind": "custom_field", "weight": 1, "params": {"field": "tier", "values": ["gold"]}},
        ]
    )  # fmt: skip

    page = text(signed_in_client(member(Role.LEADERSHIP)).get(f"/personas/{draft.pk}/"))

    assert "Annual revenue from €1,000,000 to €25,000,000.50" in page
    assert "Employees at least 5,001" in page
    assert "Channel is Paid search" in page
    assert "Job title contains one of «CTO», «Head of IT»" in page
    assert "Field «tier» is gold" in page


def test_a_channel_typed_by_its_name_is_stored_by_its_code(member):
    client = signed_in_client(member(Role.SALES_MANAGER))

    client.post(
        "/personas/new/",
        FORM | {"criteria-1-kind": "channel_in", "criteria-1-values": "Paid search\nsocial"},
    )

    stored = Criterion.objects.get(kind="channel_in").params
    assert stored == {"values": ["paid_search", "social"]}


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        ({"name": ""}, "id_name", "This field is required."),
        ({"threshold": "101"}, "id_threshold", "less than or equal to 100"),
        ({"threshold": "sixty"}, "id_threshold", "Enter a whole number."),
        ({"criteria-0-values": " , "}, "id_criteria-0-values", "Give a list of at least one value."),
        ({"criteria-0-kind": "hair_colour"}, "id_criteria-0-kind", "Select a valid choice."),
        ({"criteria-0-weight": "0"}, "id_criteria-0-weight", "greater than or equal to 1"),
        ({"criteria-0-weight": "101"}, "id_criteria-0-weight", "less than or equal to 100"),
        ({"criteria-1-minimum": "a lot"}, "id_criteria-1-minimum", "Enter an amount from 0"),
        ({"criteria-1-minimum": "1,5"}, "id_criteria-1-minimum", "Enter an amount from 0"),
        ({"criteria-1-minimum": "0.001"}, "id_criteria-1-minimum", "at most two decimal places"),
        (
            {"criteria-1-minimum": "900", "criteria-1-maximum": "100"},
            "id_criteria-1-maximum",
            "The maximum cannot be below the minimum.",
        ),
        (
            {"criteria-1-kind": "employees_between", "criteria-1-minimum": "2.5"},
            "id_criteria-1-minimum",
            "Enter a whole number from 0",
        ),
        (
            {"criteria-1-kind": "custom_field", "criteria-1-field": "my field!", "criteria-1-values": "x"},
            "id_criteria-1-field",
            "Name the custom field",
        ),
        ({"criteria-0-values": "\n".join(f"v{i}" for i in range(51))}, "id_criteria-0-values", "at most 50 values"),
    ],
)  # fmt: skip
def test_a_bad_input_is_explained_beside_its_field_and_nothing_is_written(
    change, field_id, message, member
):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    answer = client.post("/personas/new/", FORM | change)

    assert answer.status_code == 200
    block = field_html(text(answer), field_id)
    assert message in block
    assert "has-error" in block
    assert written() == (0, 0, 0, 0)
    for typed in (v for v in change.values() if v and "\n" not in v):
        assert typed.replace("!", "") in text(answer).replace("!", "")  # what was typed stays


def test_a_bad_edit_is_explained_and_leaves_the_persona_as_it_was(persona, managers):
    draft = persona()
    persona_approve(persona=draft, membership=managers["sales"], side="sales")
    before = written()

    answer = signed_in_client(managers["marketing"]).post(
        f"/personas/{draft.pk}/edit/", FORM | {"name": "Renamed", "criteria-0-weight": "0"}
    )

    assert "greater than or equal to 1" in field_html(text(answer), "id_criteria-0-weight")
    assert written() == before  # the sales approval stands: nothing was saved
    assert PersonaVersion.objects.get().name == "Mid-size software"


def test_a_range_with_neither_end_is_explained_on_its_row(member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    answer = client.post("/personas/new/", FORM | {"criteria-1-minimum": ""})

    assert "Give a minimum, a maximum or both." in text(answer)
    assert written() == (0, 0, 0, 0)


def test_more_criteria_than_allowed_are_refused(member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))
    rows = {
        f"criteria-{i}-{k}": v
        for i in range(31)
        for k, v in {"kind": "country_in", "values": f"C{i}", "weight": "1"}.items()
    }

    answer = client.post("/personas/new/", FORM | rows | {"criteria-TOTAL_FORMS": "31"})

    assert "at most 30" in text(answer)
    assert written() == (0, 0, 0, 0)


def test_a_refusal_of_the_service_goes_beside_the_field_it_names():
    profile = PersonaForm(data={"name": "x", "threshold": "60"})
    criteria = CriteriaFormSet(
        data={"criteria-TOTAL_FORMS": "2", "criteria-INITIAL_FORMS": "0"}, prefix="criteria"
    )
    profile.is_valid()
    error = ValidationError(
        {
            "threshold": ["The fit threshold lies from 0 to 100."],
            "criteria[1].params.values": ["Give a list of at least one value."],
            "criteria[0].params": ["Give a minimum, a maximum or both."],
            "criteria[9].kind": ["No such row."],
            "version": ["Only the current version."],
        }
    )

    place_errors(error, profile, criteria.forms)

    assert profile.errors["threshold"] == ["The fit threshold lies from 0 to 100."]
    assert criteria.forms[1].errors["values"] == ["Give a list of at least one value."]
    assert criteria.forms[0].non_field_errors() == ["Give a minimum, a maximum or both."]
    assert profile.non_field_errors() == ["No such row.", "Only the current version."]


def test_adding_and_removing_rows_keeps_what_was_typed_and_writes_nothing(member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    added = client.post("/personas/new/", FORM | {"add": "1", "name": "Typed name"})
    removed = client.post("/personas/new/", FORM | {"remove": "0"})

    assert added.status_code == removed.status_code == 200
    assert text(added).count('data-testid="criterion"') == 3
    assert 'value="Typed name"' in text(added)
    assert "Software, Retail" in text(added)
    assert "has-error" not in text(added)  # nothing checked yet
    assert text(removed).count('data-testid="criterion"') == 1
    assert 'name="criteria-0-kind"' in text(removed)
    assert '<option value="annual_revenue_between" selected>' in text(removed)
    assert written() == (0, 0, 0, 0)


def test_htmx_adds_a_row_and_answers_with_the_criteria_alone(member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    answer = client.post("/personas/new/", FORM | {"add": "1"}, HTTP_HX_REQUEST="true")

    assert text(answer).startswith('<section class="card" id="criteria"')
    assert 'name="criteria-TOTAL_FORMS" value="3"' in text(answer)
    assert "autofocus" in text(answer)
    assert written() == (0, 0, 0, 0)


def test_editing_a_draft_changes_it_and_withdraws_its_approvals(persona, managers):
    draft = persona()
    persona_approve(persona=draft, membership=managers["sales"], side="sales")
    client = signed_in_client(managers["marketing"])

    warned = text(client.get(f"/personas/{draft.pk}/edit/"))
    answer = client.post(f"/personas/{draft.pk}/edit/", FORM | {"name": "Software 2"})

    assert "withdraws the approvals this draft has" in warned
    assert answer.status_code == 302
    assert PersonaVersion.objects.get().name == "Software 2"
    assert not Approval.objects.exists()


def test_editing_an_approved_persona_says_so_first_and_makes_the_next_version(persona, managers):
    draft = persona()
    approve_both(draft, managers)
    client = signed_in_client(managers["sales"])

    warned = text(client.get(f"/personas/{draft.pk}/edit/"))
    client.post(f"/personas/{draft.pk}/edit/", FORM | {"name": "Bigger software"})
    page = text(client.get(f"/personas/{draft.pk}/"))
    old = text(client.get(f"/personas/{draft.pk}/versions/1/"))

    assert "Saving makes <strong>version 2</strong>" in warned
    assert "Save as version 2" in warned
    assert [v.number for v in PersonaVersion.objects.order_by("number")] == [1, 2]
    assert "Approved v1; new draft v2 awaiting approval" in page
    assert f'href="/personas/{draft.pk}/versions/1/"' in page
    assert "Mid-size software" in old
    assert "the persona is now at version 2" in old
    assert str(managers["marketing"].user) in old
    assert "approve-" not in old


def test_an_archived_persona_is_listed_apart_and_no_longer_edited(persona, managers):
    persona(name="Kept")
    archived = persona(name="Retired")
    client = signed_in_client(managers["marketing"])

    client.post(f"/personas/{archived.pk}/archive/")
    listed = text(client.get("/personas/"))
    listed_archived = text(client.get("/personas/?archived=1"))
    edit = client.post(f"/personas/{archived.pk}/edit/", FORM, follow=True)

    assert Persona.objects.get(pk=archived.pk).archived_at is not None
    assert "Kept" in listed
    assert "Retired" not in listed
    assert "Retired" in listed_archived
    assert "Kept" not in listed_archived
    assert "This persona is archived" in text(edit)
    assert PersonaVersion.objects.get(persona=archived).name == "Retired"


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("draft", "Draft"),
        ("marketing", "Awaiting sales approval"),
        ("sales", "Awaiting marketing approval"),
        ("approved", "Approved v1"),
        ("next", "Approved v1; new draft v2 awaiting approval"),
        ("next_half", "Approved v1; new draft v2 awaiting sales approval"),
        ("archived", "Archived"),
    ],
)
def test_the_list_says_each_status_in_words(state, words, persona, managers):
    draft = persona()
    if state in ("marketing", "sales"):
        persona_approve(persona=draft, membership=managers[state], side=state)
    if state in ("approved", "next", "next_half"):
        approve_both(draft, managers)
    if state in ("next", "next_half"):
        persona_update(persona=draft, by=None, name="Next")
    if state == "next_half":
        persona_approve(persona=draft, membership=managers["marketing"], side="marketing")
    if state == "archived":
        persona_archive(persona=draft)
    url = "/personas/?archived=1" if state == "archived" else "/personas/"

    page = text(signed_in_client(managers["admin"]).get(url))

    assert f">{words}</span>" in page


# --- isolation, missing versions, the menu, query counts ---


def test_another_organisations_persona_is_a_404_and_nothing_changes(persona, member, other_org):
    theirs = persona(organization=other_org)
    client = signed_in_client(member(Role.ADMIN))
    before = written()

    answers = [
        client.get(f"/personas/{theirs.pk}/"),
        client.get(f"/personas/{theirs.pk}/edit/"),
        client.get(f"/personas/{theirs.pk}/versions/1/"),
        client.post(f"/personas/{theirs.pk}/edit/", FORM),
        client.post(f"/personas/{theirs.pk}/approve/", {"side": "marketing", "version": "1"}),
        client.post(f"/personas/{theirs.pk}/archive/"),
    ]

    assert [a.status_code for a in answers] == [404] * 6
    assert written() == before
    assert Persona.objects.get().archived_at is None
    assert "Mid-size software" not in text(client.get("/personas/"))


def test_a_version_that_does_not_exist_is_a_404(persona, member):
    draft = persona()

    answer = signed_in_client(member(Role.LEADERSHIP)).get(f"/personas/{draft.pk}/versions/2/")

    assert answer.status_code == 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_menu_lists_the_personas_between_home_and_the_leads(role, member):
    page = text(signed_in_client(member(role)).get(reverse("home")))

    home, personas, leads = (
        page.index(f'href="{url}"') for url in ("/", "/personas/", "/crm/leads/")
    )
    assert home < personas < leads
    assert ">Buyer personas</a>" in page


def make_many(persona, managers, count):
    for i in range(count):
        made = persona(name=f"Persona {i}")
        approve_both(made, managers)
        persona_update(persona=made, by=None, name=f"Persona {i} v2")


def test_the_list_reads_a_fixed_number_of_queries(persona, managers, django_assert_max_num_queries):
    client = signed_in_client(managers["admin"])
    make_many(persona, managers, 1)
    with django_assert_max_num_queries(10) as one:  # with the fitting leads and the setting
        client.get("/personas/")
    make_many(persona, managers, 6)

    with django_assert_max_num_queries(len(one.captured_queries)):
        answer = client.get("/personas/")

    assert text(answer).count("Approved v1; new draft v2") == 7


def test_a_persona_page_reads_a_fixed_number_of_queries(
    persona, managers, django_assert_max_num_queries
):
    draft = persona()
    for i in range(4):
        approve_both(draft, managers)
        persona_update(persona=draft, by=None, name=f"Version {i + 2}")
    client = signed_in_client(managers["marketing"])

    with django_assert_max_num_queries(9):
        answer = client.get(f"/personas/{draft.pk}/")

    assert text(answer).count('data-testid="version-') == 5
    assert "approve-marketing" in text(answer)


def test_the_list_counts_the_leads_that_fit_each_approved_persona(
    org, client_as, approve, committing
):
    from crm.models import Company, Lead

    acme = Company.objects.create(organization=org, name="Acme", industry="Software")
    Lead.objects.bulk_create(
        Lead(organization=org, name=n, company=acme, stage="lead") for n in "AB"
    )
    persona = approve()

    page = client_as(Role.LEADERSHIP).get("/personas/").content.decode()

    assert f'href="/crm/leads/?persona={persona.pk}" data-testid="fitting-leads">2</a>' in page
    assert 'data-testid="qualify-toggle"' not in page  # leadership reads


def test_editors_switch_the_qualification_of_new_leads_on_and_off(org, client_as):
    from personas.models import PersonaSettings

    client = client_as(Role.MARKETING_MANAGER)

    client.post("/personas/settings/", {"qualify_new_leads": "1"})
    assert PersonaSettings.objects.get(organization=org).qualify_new_leads
    page = client.get("/personas/").content.decode()
    assert "becomes an MQL by itself" in page
    client.post("/personas/settings/", {"qualify_new_leads": "0"})
    assert not PersonaSettings.objects.get(organization=org).qualify_new_leads


def test_readers_may_not_switch_it(org, client_as):
    from personas.models import PersonaSettings

    response = client_as(Role.SALES_REP).post("/personas/settings/", {"qualify_new_leads": "1"})

    assert response.status_code == 403
    assert not PersonaSettings.objects.filter(organization=org).exists()
