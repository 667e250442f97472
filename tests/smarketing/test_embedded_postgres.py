"""The embedded PostgreSQL stops when asked, even after the process that started it was killed."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pgserver = pytest.importorskip("pgserver")

# Starts the embedded server the way the app does, says so, then waits to be killed.
HOLDER = """
import sys, time
from pathlib import Path
from smarketing.embedded_postgres.server import ensure_server
ensure_server(Path(sys.argv[1]))
print("ready", flush=True)
time.sleep(600)
"""


@pytest.fixture
def data_dir():
    # Not under pytest's tmp_path: run as root, the server runs as the pgserver user, who must
    # be able to reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="smarketing-pg-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().splitlines()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by the pgserver user
        return True
    return True


def _start_and_terminate(pgdata: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(pgdata)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "ready"
    holder.send_signal(signal.SIGTERM)  # no atexit: its pid stays among pgserver's handles
    holder.wait(timeout=10)


def test_the_stop_command_stops_a_server_whose_starter_was_terminated(data_dir):
    pgdata = data_dir / "postgres"
    _start_and_terminate(pgdata)
    assert _running(pgdata)

    result = subprocess.run(
        [sys.executable, "-m", "smarketing.embedded_postgres", "stop"],
        cwd=ROOT,
        env={**os.environ, "SMARKETING_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        check=True,
    )

    assert "Stopped the embedded PostgreSQL" in result.stdout
    deadline = time.monotonic() + 10
    while _running(pgdata) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(pgdata)


def test_stopping_when_nothing_runs_says_so(data_dir):
    result = subprocess.run(
        [sys.executable, "-m", "smarketing.embedded_postgres", "stop"],
        cwd=ROOT,
        env={**os.environ, "SMARKETING_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        check=True,
    )

    assert "No embedded PostgreSQL was running" in result.stdout
