from typing import Any

from django.core.management.base import BaseCommand

from orgs.permissions import matrix_markdown


class Command(BaseCommand):
    help = "Print the role x action matrix as Markdown (the table in docs/permissions.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(matrix_markdown(), ending="")
