"""Django's PostgreSQL backend, pointed at the embedded server it starts on demand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.backends.postgresql import base

from .server import ensure_database, ensure_server


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        socket_dir = ensure_server(Path(self.settings_dict["PGDATA"]))
        if self.settings_dict["NAME"]:
            ensure_database(socket_dir, self.settings_dict["NAME"])
        params = super().get_connection_params()
        params["host"] = socket_dir
        return params
