import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
# The shared data sets sit beside the checkout (as in CI); SMARKETING_DATA_SETS points elsewhere.
DATA = Path(os.environ.get("SMARKETING_DATA_SETS") or ROOT.parent / "shared" / "data")
EXAMPLES = ROOT / "docs" / "import-examples"


@pytest.fixture
def run_import(org, capsys, settings, tmp_path):
    """run_import(file, mapping name or dict) -> the command's summary (its last line)."""
    settings.IMPORT_DIR = tmp_path / "imports"

    def run(path, mapping, organization=None, member=None):
        if isinstance(mapping, dict):
            mapping_path = tmp_path / "mapping.json"
            mapping_path.write_text(json.dumps(mapping))
        else:
            mapping_path = EXAMPLES / f"{mapping}.json"
        capsys.readouterr()
        call_command(
            "import_records",
            str(path),
            "--org",
            (organization or org).slug,
            "--mapping",
            str(mapping_path),
            *(["--member", member] if member else []),
        )
        return json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    return run


def needs_data():
    if not DATA.exists():
        pytest.skip(
            f"the shared data sets are not at {DATA}: set SMARKETING_DATA_SETS to their folder"
        )
