"""What an import marks for the KPI recompute: the cells its rows leave and enter, and
nothing for rows it leaves as they were."""

from datetime import date

import pytest

from crm.models import ChangedCell, Channel, Lead
from tests.crm.imports.test_files import MAPPING, ROWS, write_csv

pytestmark = pytest.mark.django_db


def marks(org):
    return set(ChangedCell.objects.for_org(org).values_list("month", "channel_id"))


def test_a_file_imported_again_marks_nothing(tmp_path, run_import, org):
    path = write_csv(tmp_path / "leads.csv", ROWS)
    run_import(path, MAPPING)
    assert marks(org)  # the new leads' cells
    ChangedCell.objects.for_org(org).delete()

    summary = run_import(path, MAPPING)

    assert (summary["created"], summary["unchanged"]) == (0, 2)
    assert marks(org) == set()


def test_a_lead_moved_to_another_channel_marks_the_cells_it_leaves_and_enters(
    tmp_path, run_import, org
):
    run_import(write_csv(tmp_path / "a.csv", ROWS), MAPPING)
    ChangedCell.objects.for_org(org).delete()
    channels = {c.code: c.pk for c in Channel.objects.for_org(org)}
    moved = [ROWS[0], [*ROWS[1][:4], "Referral"], ROWS[2]]

    summary = run_import(write_csv(tmp_path / "b.csv", moved), MAPPING)

    assert (summary["updated"], summary["unchanged"]) == (1, 1)
    assert Lead.objects.get(external_id="L1").channel_id == channels["referral"]
    january = date(2024, 1, 1)  # L1 was created on 31 January 2024
    assert marks(org) == {(january, channels["paid_search"]), (january, channels["referral"])}
