"""Versions and the two approvals, through the services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from orgs.models import Role
from personas.models import Approval, Criterion, Persona, PersonaVersion
from personas.selectors import persona_versions, personas_of
from personas.services import persona_approve, persona_archive, persona_update

pytestmark = pytest.mark.django_db


def approve_both(persona, managers):
    persona_approve(persona=persona, membership=managers["marketing"], side="marketing")
    return persona_approve(persona=persona, membership=managers["sales"], side="sales")


def test_a_new_persona_is_a_draft_version_1_with_its_criteria(persona):
    created = persona(description="  Teams of 50 to 500  ")

    version = created.current_version
    assert version.number == 1
    assert version.description == "Teams of 50 to 500"
    assert not version.is_approved
    assert created.approved_version is None
    assert [(c.kind, c.weight) for c in version.criteria.all()] == [
        ("industry_in", 3),
        ("employees_between", 2),
    ]
    assert version.criteria.all()[1].params == {"min": "50", "max": "500"}


def test_editing_a_draft_changes_it_in_place(persona):
    draft = persona()

    version = persona_update(persona=draft, by=None, pains="Spreadsheets", criteria=[])

    assert version.number == 1
    assert PersonaVersion.objects.filter(persona=draft).count() == 1
    assert version.pains == "Spreadsheets"
    assert not version.criteria.exists()


def test_both_approvals_approve_the_version(persona, managers):
    draft = persona()

    first = persona_approve(persona=draft, membership=managers["marketing"], side="marketing")
    assert not PersonaVersion.objects.get(persona=draft).is_approved
    second = persona_approve(persona=draft, membership=managers["sales"], side="sales")

    version = PersonaVersion.objects.get(persona=draft)
    assert version.approved_at == second.at
    assert (first.side, first.by, first.stood_in_as_admin) == (
        "marketing",
        managers["marketing"].user,
        False,
    )
    assert personas_of(draft.organization).get().approved_version == version


def test_editing_an_approved_version_makes_a_new_draft_and_keeps_the_old(persona, managers):
    draft = persona()
    approve_both(draft, managers)

    new = persona_update(persona=draft, by=managers["sales"].user, name="Software, 50-1000")

    assert new.number == 2
    assert not new.is_approved
    assert [c.params for c in new.criteria.all()] == [
        c.params for c in Criterion.objects.filter(version__number=1)
    ]  # the criteria carry over
    shown = personas_of(draft.organization).get()
    assert shown.current_version.number == 2
    assert shown.approved_version.number == 1  # still the one that qualifies leads
    assert shown.approved_version.name == "Mid-size software"
    history = list(persona_versions(draft))
    assert [v.number for v in history] == [2, 1]
    assert [(a.side, a.by) for a in history[1].approvals.all()] == [
        ("marketing", managers["marketing"].user),
        ("sales", managers["sales"].user),
    ]


def test_an_edit_that_changes_nothing_makes_no_version(persona, managers):
    draft = persona()
    approve_both(draft, managers)
    same = [
        {"kind": c.kind, "weight": c.weight, "params": c.params} for c in Criterion.objects.all()
    ]

    version = persona_update(persona=draft, by=None, name=" Mid-size software ", criteria=same)

    assert version.number == 1
    assert version.is_approved


def test_editing_a_partly_approved_draft_withdraws_its_approval(persona, managers):
    draft = persona()
    persona_approve(persona=draft, membership=managers["marketing"], side="marketing")

    persona_update(persona=draft, by=None, threshold=80)

    assert not Approval.objects.exists()  # marketing approved other content


def test_an_admin_stands_in_for_either_side_and_it_is_recorded(persona, managers):
    draft = persona()

    approval = persona_approve(persona=draft, membership=managers["admin"], side="sales")
    persona_approve(persona=draft, membership=managers["marketing"], side="marketing")

    assert approval.stood_in_as_admin is True
    assert PersonaVersion.objects.get(persona=draft).is_approved


@pytest.mark.parametrize(
    ("role", "side"),
    [
        (Role.MARKETING_MANAGER, "sales"),
        (Role.SALES_MANAGER, "marketing"),
        (Role.LEADERSHIP, "marketing"),
        (Role.SALES_REP, "sales"),
    ],
)
def test_a_side_is_approved_only_by_its_manager_or_an_admin(persona, member, role, side):
    draft = persona()

    with pytest.raises(PermissionDenied) as refused:
        persona_approve(persona=draft, membership=member(role), side=side)

    assert str(refused.value)
    assert not Approval.objects.exists()


def test_approving_the_same_side_twice_is_refused_naming_who_did(persona, managers, member):
    draft = persona()
    persona_approve(persona=draft, membership=managers["marketing"], side="marketing")

    with pytest.raises(ValidationError) as refused:
        persona_approve(persona=draft, membership=member(Role.MARKETING_MANAGER), side="marketing")

    message = refused.value.message_dict["side"][0]
    assert "already approved version 1" in message
    assert str(managers["marketing"].user) in message
    assert Approval.objects.count() == 1


def test_one_person_cannot_approve_both_sides(persona, managers):
    draft = persona()
    persona_approve(persona=draft, membership=managers["admin"], side="marketing")

    with pytest.raises(ValidationError, match="second person"):
        persona_approve(persona=draft, membership=managers["admin"], side="sales")


def test_an_old_or_approved_version_cannot_be_approved(persona, managers, member):
    draft = persona()
    approve_both(draft, managers)

    with pytest.raises(ValidationError, match="already approved by both"):
        persona_approve(persona=draft, membership=member(Role.ADMIN), side="sales")
    persona_update(persona=draft, by=None, pains="Churn")
    with pytest.raises(ValidationError) as refused:
        persona_approve(persona=draft, membership=managers["sales"], side="sales", version=1)

    assert "current version (2)" in refused.value.message_dict["version"][0]
    assert not Approval.objects.filter(version__number=2).exists()


def test_a_persona_without_criteria_cannot_be_approved(persona, managers):
    draft = persona(criteria=[])

    with pytest.raises(ValidationError, match="at least one criterion"):
        persona_approve(persona=draft, membership=managers["marketing"], side="marketing")


def test_an_archived_persona_neither_changes_nor_is_approved(persona, managers):
    draft = persona()
    persona_archive(persona=draft)

    with pytest.raises(ValidationError, match="archived"):
        persona_update(persona=draft, by=None, name="Other")
    with pytest.raises(ValidationError, match="archived"):
        persona_approve(persona=draft, membership=managers["marketing"], side="marketing")
    assert not personas_of(draft.organization).exists()
    assert personas_of(draft.organization, archived=True).get() == draft


def test_a_bad_criterion_is_refused_naming_it_and_nothing_is_written(persona, org):
    bad = [
        {"kind": "industry_in", "params": {"values": ["Software"]}},
        {"kind": "employees_between", "weight": 1, "params": {"min": 10, "max": 5}},
    ]

    with pytest.raises(ValidationError) as refused:
        persona(criteria=bad)

    assert list(refused.value.message_dict) == ["criteria[1].params"]
    assert not Persona.objects.exists()


def test_a_bad_edit_leaves_the_draft_as_it_was(persona):
    draft = persona()

    with pytest.raises(ValidationError) as refused:
        persona_update(persona=draft, by=None, name="x" * 121, threshold=101)

    assert set(refused.value.message_dict) == {"name", "threshold"}
    assert PersonaVersion.objects.get().name == "Mid-size software"


def test_the_database_keeps_one_approval_per_side_and_unique_numbers(persona, managers):
    draft = persona()
    version = PersonaVersion.objects.get()
    Approval.objects.create(organization=draft.organization, version=version, side="sales")

    with pytest.raises(IntegrityError):
        Approval.objects.create(organization=draft.organization, version=version, side="sales")


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (PersonaVersion, {"number": 1}),  # taken
        (PersonaVersion, {"number": 2, "threshold": 101}),
        (Criterion, {"weight": 0}),
    ],
)
def test_the_database_refuses_what_the_services_refuse(persona, model, values):
    draft = persona()
    version = PersonaVersion.objects.get()
    row = (
        PersonaVersion(organization=draft.organization, persona=draft, name="x", **values)
        if model is PersonaVersion
        else Criterion(
            organization=draft.organization,
            version=version,
            kind="industry_in",
            params={},
            **values,
        )
    )

    with pytest.raises(IntegrityError):
        row.save()
