"""The import's field list comes from the models: a change to a model is a change to what an
import takes, with nothing to update by hand."""

from crm.imports.kinds import KINDS, Reference
from crm.imports.mapping import FIELDS


def test_a_mapping_may_set_every_editable_field_of_the_model_but_derived_ones():
    assert list(FIELDS["deals"]) == [
        "external_id", "name", "lead", "company", "owner", "product", "amount", "currency",
        "status", "pipeline_stage", "created_at", "closed_at", "lost_reason",
    ]  # fmt: skip  # neither kind (from the company's wins) nor updated_at (stamped)
    assert list(FIELDS["companies"]) == [
        "external_id", "name", "industry", "employees", "annual_revenue", "country", "parent",
    ]  # fmt: skip


def test_text_is_as_long_as_its_column_allows():
    for kind, fields in FIELDS.items():
        model = KINDS[kind].model
        for name, spec in fields.items():
            if spec.type == "text" and name not in (*KINDS[kind].deferred, "notes"):
                assert spec.max_length == model._meta.get_field(name).max_length, (kind, name)
    assert FIELDS["activities"]["notes"].max_length == 10_000  # a text column has no limit
    assert FIELDS["companies"]["parent"].max_length == 200  # the longest key: a name


def test_a_file_must_give_what_the_model_needs_and_the_import_cannot_supply():
    required = {
        kind: [name for name, spec in fields.items() if spec.required]
        for kind, fields in FIELDS.items()
    }

    assert required == {
        "leads": [],  # the first stage and the time of the import stand in
        "deals": [],  # the organisation's currency stands in
        "companies": ["name"],
        "campaigns": ["name", "start_date"],
        "activities": ["kind", "at"],
    }


def test_types_choices_and_references_follow_the_model():
    leads, deals = FIELDS["leads"], FIELDS["deals"]

    assert (leads["channel"].type, leads["channel"].max_length) == ("channel", 50)
    assert (leads["company"].type, leads["company"].ref) == ("ref", "company")
    assert (leads["owner"].type, leads["owner"].ref) == ("ref", "user")
    assert [leads[n].type for n in ("email", "stage", "created_at")] == [
        "email",
        "stage",
        "datetime",
    ]
    assert deals["status"].choices == ("open", "won", "lost")
    assert [deals[n].type for n in ("amount", "currency")] == ["decimal", "currency"]
    assert FIELDS["companies"]["employees"].type == "int"
    assert FIELDS["campaigns"]["start_date"].type == "date"
    assert KINDS["deals"].references == {
        "lead": Reference("crm_lead", ("external_id", "email"), "lead"),
        "company": Reference("crm_company", ("external_id", "name"), "company"),
    }
    assert KINDS["companies"].references == {}  # a parent is linked once every row is in


def test_unmapped_columns_get_the_models_defaults():
    assert KINDS["deals"].defaults == {
        "external_id": "''", "name": "''", "product": "''", "currency": "%(currency)s",
        "status": "'open'", "pipeline_stage": "''", "lost_reason": "''", "kind": "'new'",
        "updated_at": "%(now)s",
    }  # fmt: skip
    assert KINDS["campaigns"].defaults == {"external_id": "''", "status": "'planned'"}
