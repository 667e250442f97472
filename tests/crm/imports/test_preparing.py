"""A file of several chunks is prepared in a process of its own, a chunk ahead of the
writer; what goes wrong there is raised in the import, and the process ends with it."""

import os

import pytest

from crm.imports import preparing, reading, runner
from crm.imports.mapping import parse_mapping
from crm.imports.writing import Writer
from crm.models import Channel, Lead
from tests.crm.imports.test_files import MAPPING, ROWS, write_csv

pytestmark = pytest.mark.django_db

SIX = [ROWS[0]] + [
    [f"L{i}", f"Lead {i}", f"lead{i}@example.test", f"{10 + i}/02/2024", f"Fair {i % 3}"]
    for i in range(1, 7)
]


def import_file(org, tmp_path, rows, *, chunk_rows):
    return runner.run_import(
        organization=org,
        path=write_csv(tmp_path / "leads.csv", rows),
        mapping=parse_mapping(MAPPING),
        max_bytes=10**7,
        report_dir=tmp_path / "reports",
        chunk_rows=chunk_rows,
    )


@pytest.fixture
def preparers(tmp_path, monkeypatch):
    """The ids of the processes that prepared each chunk (written to a file: a child's
    memory is its own)."""
    record = tmp_path / "preparers.txt"
    real_prepare = preparing.prepare

    def prepare(*args, **kwargs):
        with record.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(preparing, "prepare", prepare)
    return lambda: [int(pid) for pid in record.read_text().split()]


def gone(pids):
    """Whether none of these processes (but this one) is still running."""
    for pid in set(pids) - {os.getpid()}:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        return False
    return True


def test_several_chunks_are_prepared_in_another_process(org, tmp_path, preparers):
    summary = import_file(org, tmp_path, SIX, chunk_rows=2)

    assert (summary.created, summary.rejected) == (6, 0)
    assert len(preparers()) == 3
    assert os.getpid() not in preparers()
    # The channels it named were made here, once each, as the process asked for them.
    assert summary.channels_created == ["fair_0", "fair_1", "fair_2"]
    assert Channel.objects.for_org(org).filter(code__startswith="fair").count() == 3
    assert gone(preparers())


def test_a_file_of_one_chunk_is_prepared_here(org, tmp_path, preparers):
    summary = import_file(org, tmp_path, SIX, chunk_rows=10)

    assert summary.created == 6
    assert preparers() == [os.getpid()]


def test_a_failure_while_preparing_is_raised_with_where_it_happened(
    org, tmp_path, monkeypatch, preparers
):
    real_prepare, calls = preparing.prepare, []

    def fails_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyError("a column went missing")
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(preparing, "prepare", fails_on_the_second)

    with pytest.raises(KeyError, match="a column went missing") as raised:
        import_file(org, tmp_path, SIX, chunk_rows=2)

    assert "fails_on_the_second" in "".join(getattr(raised.value, "__notes__", []))
    assert sorted(Lead.objects.for_org(org).values_list("external_id", flat=True)) == ["L1", "L2"]
    assert gone(preparers())


def test_the_preparing_process_ends_when_the_writer_fails(org, tmp_path, monkeypatch, preparers):
    real_write, calls = Writer.write_waves, []

    def fails_on_the_second(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Writer, "write_waves", fails_on_the_second)

    with pytest.raises(RuntimeError, match="the database went away"):
        import_file(org, tmp_path, SIX, chunk_rows=2)

    assert gone(preparers())
    assert Lead.objects.for_org(org).count() == 2


MISSHAPEN = [ROWS[0], ROWS[1][:-1], [*ROWS[2], "surplus"], *SIX[1:]]


@pytest.fixture
def counters(tmp_path, monkeypatch):
    """The ids of the processes that counted the file's lines' widths, every file counted
    aside as a large one is."""
    record = tmp_path / "counters.txt"
    real_count = reading.Table.lines_of_another_width

    def count(self):
        with record.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return real_count(self)

    monkeypatch.setattr(reading.Table, "lines_of_another_width", count)
    monkeypatch.setattr(preparing, "WIDTHS_ASIDE_FROM_BYTES", 0)
    return lambda: [int(pid) for pid in record.read_text().split()]


def test_the_widths_of_a_large_file_are_counted_in_another_process(org, tmp_path, counters):
    summary = import_file(org, tmp_path, MISSHAPEN, chunk_rows=2)

    assert (summary.created, summary.rejected) == (6, 2)
    assert len(counters()) == 1
    assert os.getpid() not in counters()
    assert gone(counters())
    assert sorted(Lead.objects.for_org(org).values_list("external_id", flat=True)) == [
        f"L{i}" for i in range(1, 7)
    ]


def test_a_file_unreadable_to_the_count_aside_writes_nothing(org, tmp_path, monkeypatch, counters):
    def unreadable(self):
        raise reading.FileError("The file cannot be read past line 3: a NUL byte.")

    monkeypatch.setattr(reading.Table, "lines_of_another_width", unreadable)

    with pytest.raises(reading.FileError, match="cannot be read past line 3"):
        import_file(org, tmp_path, SIX, chunk_rows=2)

    assert not Lead.objects.for_org(org).exists()


def test_a_small_file_has_its_widths_counted_here(org, tmp_path, counters, monkeypatch):
    monkeypatch.setattr(preparing, "WIDTHS_ASIDE_FROM_BYTES", 10**6)

    summary = import_file(org, tmp_path, MISSHAPEN, chunk_rows=10)

    assert (summary.created, summary.rejected) == (6, 2)
    assert counters() == [os.getpid()]
