"""Shared by scripts/start.py and scripts/test.py: a virtual environment installed from a lock.

Only the Python standard library is used here, so both scripts run on a machine that has
nothing but Python 3.11+ and pip.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("SMARKETING_VENV", ROOT / ".venv"))
MINIMUM = (3, 11)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_environment(lock_name: str) -> Path:
    """Create .venv if needed and install `lock_name` into it unless that exact lock is installed."""
    if sys.version_info < MINIMUM:
        sys.exit(
            f"Smarketing needs Python {MINIMUM[0]}.{MINIMUM[1]} or newer; this is {sys.version.split()[0]}."
        )
    python = venv_python()
    if not python.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except (subprocess.CalledProcessError, OSError) as exc:
            sys.exit(
                f"Could not create {VENV} ({exc}). On Debian or Ubuntu, install the venv module: "
                "sudo apt-get install python3-venv"
            )
    lock = ROOT / lock_name
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    marker = VENV / f".installed-{lock_name}"
    if not marker.exists() or marker.read_text() != digest:
        print(f"Installing {lock_name} (the first time takes a minute or two) ...", flush=True)
        run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "-r",
                str(lock),
            ]
        )
        marker.write_text(digest)
    return python


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def exec_in_root(command: list[str], env: dict[str, str]) -> None:
    """Replace this process with `command`, so Ctrl-C and exit codes reach it directly."""
    os.chdir(ROOT)
    if os.name == "nt":  # no exec on Windows: wait for it instead
        sys.exit(subprocess.call(command, env=env))
    os.execve(command[0], command, env)
