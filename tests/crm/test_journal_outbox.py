"""The CRM's change journal is an outbox: other apps read and clear its marks through
crm.journal's functions, never its table or model."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OTHER_APPS = ["orgs", "personas", "kpis", "funnel", "dashboards", "smarketing"]


def sources(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", OTHER_APPS)
def test_no_other_app_names_the_journals_table_or_model(app):
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources(app)
        for name in ("crm_changedcell", "ChangedCell", "crm_changedlead", "ChangedLead")
        if name in path.read_text()
    ]

    assert sources(app)
    assert found == []
