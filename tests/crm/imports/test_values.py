"""The distinct values the mapping step lists: counted over the whole file, trimmed, capped."""

from crm.imports.reading import open_table
from crm.imports.values import column_values


def test_values_are_counted_trimmed_most_frequent_first_and_capped(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id,origin\n1, social\n2,social\n3,\n4,email\n5,social\n6,\n7,event\n")
    table = open_table(path, max_bytes=2**20)

    listed = column_values(table, ["origin", "missing"], limit=2)

    assert list(listed) == ["origin"]
    assert listed["origin"].counts == [("social", 3), ("", 2)]
    assert (listed["origin"].distinct, listed["origin"].capped) == (4, True)


def test_values_are_read_in_chunks_and_added_up(tmp_path, monkeypatch):
    monkeypatch.setattr("crm.imports.values.CHUNK_ROWS", 2)
    path = tmp_path / "f.csv"
    path.write_text("origin\na\nb\na\nc\na\nb\n")

    listed = column_values(open_table(path, max_bytes=2**20), ["origin"])

    assert listed["origin"].counts == [("a", 3), ("b", 2), ("c", 1)]
    assert not listed["origin"].capped
