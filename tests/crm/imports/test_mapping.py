import pytest

from crm.imports.mapping import MappingError, no_column_problem, parse_mapping

OLIST_LEADS = {
    "kind": "leads",
    "columns": {"external_id": "mql_id", "created_at": "first_contact_date", "channel": "origin"},
    "constants": {"stage": "mql"},
    "values": {"channel": {"": "unknown"}},
    "date_formats": {"created_at": "%d-%m-%Y"},
}


def test_the_issues_example_is_a_valid_mapping():
    mapping = parse_mapping(OLIST_LEADS)

    assert mapping.kind == "leads"
    assert mapping.mapped == ["external_id", "channel", "created_at", "stage"]
    assert parse_mapping(mapping.as_json()) == mapping


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (
            {"kind": "people", "columns": {}},
            "'kind' must be one of: leads, deals, companies, campaigns, activities",
        ),
        (
            {"kind": "leads", "columns": {"shoe_size": "x"}},
            "'columns' names 'shoe_size', which is not a field of leads",
        ),
        (
            {"kind": "leads", "columns": {"stage": "s"}, "constants": {"stage": "mql"}},
            "'stage' is given both a column and a constant",
        ),
        ({"kind": "companies", "columns": {"industry": "sector"}}, "companies need 'name'"),
        ({"kind": "campaigns", "columns": {"name": "n"}}, "campaigns need 'start_date'"),
        (
            {"kind": "activities", "columns": {"kind": "k", "at": "a"}},
            "activities need 'lead' or 'deal'",
        ),
        (
            {"kind": "leads", "columns": {"name": "n"}, "date_formats": {"name": "%Y"}},
            "'date_formats' names 'name', which is not a date",
        ),
        ({"kind": "leads", "columns": {"name": 3}}, "'columns.name' must be a string"),
        (
            {"kind": "leads", "columns": {}, "values": {"channel": ["a"]}},
            "'values.channel' must map source values",
        ),
        ({"kind": "leads", "columns": {}, "extra": 1}, "Unknown keys: extra"),
        (
            {"kind": "deals", "columns": {"owner": "o"}, "new_sales_reps": "Ann Lee"},
            "'new_sales_reps' must be a list of names",
        ),
        (
            {"kind": "deals", "columns": {"owner": "o"}, "new_sales_reps": ["  "]},
            "'new_sales_reps' must be a list of names",
        ),
    ],
)
def test_a_bad_mapping_names_its_problem(document, problem):
    with pytest.raises(MappingError) as error:
        parse_mapping(document)

    assert problem in str(error.value)


def test_owners_are_mapped_to_members_or_new_sales_reps_in_the_same_document():
    document = {
        "kind": "deals",
        "columns": {"owner": "sales_agent"},
        "values": {"owner": {"M. Frase": "moses", "Temp desk": ""}},
        "new_sales_reps": [" Darcel  Schlecht", "Darcel  Schlecht "],
    }

    mapping = parse_mapping(document)

    assert mapping.member_fields == ["owner"]
    assert mapping.new_sales_reps == ("Darcel  Schlecht",)  # trimmed, once
    assert parse_mapping(mapping.as_json()) == mapping


def test_a_file_without_the_mappings_columns_is_told_which_it_lacks():
    mapping = parse_mapping(OLIST_LEADS)

    assert mapping.columns_missing(["mql_id", "origin"]) == ["first_contact_date"]
    assert no_column_problem(mapping, ["mql_id"]) == (
        "The file has no column first_contact_date, origin."
    )
    assert no_column_problem(mapping, ["origin", "first_contact_date", "mql_id", "x"]) is None
