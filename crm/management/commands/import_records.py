import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from crm.imports.mapping import MappingError, parse_mapping
from crm.imports.reading import FileError
from crm.imports.runner import run_import
from orgs.models import Membership, Organization
from orgs.permissions import can_import, can_write, import_refusal


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of leads, deals, companies, campaigns or activities with a "
        "mapping document. Prints progress, then one JSON line: created, updated, unchanged, "
        "rejected, unassigned (records whose owner no member is), channels_created, "
        "sales_reps_created, error_report. Exits 0 when the file was processed, even with rejected rows. "
        "With --member, the import has that member's rights; without, every right."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--mapping", required=True, type=Path, help="the mapping JSON file")
        parser.add_argument(
            "--member",
            help="import as this member (username or e-mail): refused if their role may not "
            "write these records, and creates no channel unless it may edit campaigns",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organisation {options['org']!r}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            mapping = parse_mapping(options["mapping"].read_text())
        except OSError as error:
            raise CommandError(f"Cannot read the mapping: {error}") from error
        except MappingError as error:
            raise CommandError("The mapping cannot be used: " + " ".join(error.problems)) from error

        may_create_channels = True  # whoever runs the command on the server has every right
        if options["member"]:
            role = self._role(organization, options["member"])
            if not can_import(role, mapping.kind):
                raise CommandError(import_refusal(mapping.kind))
            may_create_channels = can_write(role, "channels")

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"{done}/{total} rows")

        try:
            summary = run_import(
                organization=organization,
                path=path,
                mapping=mapping,
                progress=progress,
                max_bytes=settings.IMPORT_MAX_BYTES,
                report_dir=settings.IMPORT_DIR / "reports",
                may_create_channels=may_create_channels,
            )
        except FileError as error:
            raise CommandError(f"The file cannot be imported: {error}") from error
        if summary.channels_created:
            self.stderr.write(f"new channels: {', '.join(summary.channels_created)}")
        result = {
            key: getattr(summary, key)
            for key in (
                "created",
                "updated",
                "unchanged",
                "rejected",
                "unassigned",
                "channels_created",
                "sales_reps_created",
                "error_report",
            )
        }
        self.stdout.write(json.dumps(result))

    def _role(self, organization: Organization, who: str) -> str:
        membership = (
            Membership.objects.for_org(organization)
            .filter(Q(user__username__iexact=who) | Q(user__email__iexact=who))
            .first()
        )
        if membership is None:
            raise CommandError(f"No member {who!r} in {organization.slug}.")
        return str(membership.role)
