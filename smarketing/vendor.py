"""A static files finder for single files that installed packages ship (plotly.min.js in the
plotly package), so that no third-party code is copied into the repository and nothing
else from those packages (datasets, templates) is collected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly  # type: ignore[import-untyped]
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# static path -> the installed file
FILES = {"vendor/plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js"}


class PackageFileFinder(BaseFinder):
    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        found = str(FILES[path]) if path in FILES and FILES[path].is_file() else None
        if find_all:
            return [found] if found else []
        return found

    def list(self, ignore_patterns: Any) -> Any:
        for name, file in FILES.items():
            storage = FileSystemStorage(location=str(file.parent))
            storage.prefix = str(Path(name).parent)  # type: ignore[attr-defined]
            yield file.name, storage
