from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import threading
import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_socket_dirs: dict[Path, str] = {}
_databases: set[tuple[str, str]] = set()


def ensure_server(pgdata: Path) -> str:
    """Start the server for `pgdata` unless it runs already; return its socket folder."""
    with _lock:
        if pgdata not in _socket_dirs:
            _socket_dirs[pgdata] = _start(pgdata)
        return _socket_dirs[pgdata]


def ensure_database(socket_dir: str, name: str) -> None:
    """Create database `name` once per process if it is missing."""
    if (socket_dir, name) in _databases:
        return
    _create_database(socket_dir, name)
    _databases.add((socket_dir, name))


def _create_database(socket_dir: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=socket_dir, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        logger.info("creating embedded database %s", name)
        # Another process may create it between our check and this line: that is fine.
        with contextlib.suppress(psycopg.errors.DuplicateDatabase):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _start(pgdata: Path) -> str:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); pgserver then
    # uses a folder under /tmp for its lock file, which is what we want anyway.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - pgserver is a declared dependency
        raise ImproperlyConfigured(
            "DATABASE_URL is not set and the embedded PostgreSQL (pgserver) is not installed: "
            "install requirements.lock or set DATABASE_URL."
        ) from exc
    pgdata.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, and the next one reuses it.
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    uri: str = server.get_uri()  # postgresql://postgres:@/postgres?host=/socket/dir
    return uri.split("host=", 1)[1]


def stop_server(pgdata: Path) -> bool:
    """Stop the embedded server of `pgdata`, whichever process started it; True if one was
    running. pgserver's own cleanup stops it only when the calling process holds the last
    handle, so after a process was killed (its pid stays in the handle list) it did nothing."""
    if not (pgdata / "postmaster.pid").exists():
        return False
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")  # as in _start
    from pgserver._commands import POSTGRES_BIN_PATH  # the pg_ctl of the wheel that started it

    # pgserver runs the server as its own system user when started by root, as PostgreSQL
    # requires; only that user may signal it.
    user = "pgserver" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"]
    # The wheel's own pg_ctl, on a path from our settings: no untrusted input.
    result = subprocess.run(command, user=user, capture_output=True, check=False)  # noqa: S603
    # Every process that held the server is gone with it: the next one starts afresh.
    (pgdata / ".handle_pids.json").unlink(missing_ok=True)
    return result.returncode == 0
