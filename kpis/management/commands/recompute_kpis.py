import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpis.recompute import kpis_recompute_changed
from kpis.turns import kpis_recompute_whole, organisation_turn
from orgs.models import Organization


class Command(BaseCommand):
    help = (
        "Recompute an organisation's KPI facts: the cells marked as changed, or with --full "
        "every cell, after comparing the stored facts with a full recompute (differences are "
        "logged and counted)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--full", action="store_true", help="recompute and check every cell")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organisation {options['org']!r}.")
        started = time.perf_counter()
        if options["full"]:
            differences = kpis_recompute_whole(organization_id=organization.pk, check=True)
            what = f"every cell, {differences} differences from the stored facts"
        else:
            # Every marked cell at once, in the organisation's turn like a worker's slice.
            with organisation_turn(organization.pk, wait=True):
                done = kpis_recompute_changed(organization_id=organization.pk)
            what = f"{done.cells} changed cells in {len(done.months)} months"
        self.stdout.write(f"{organization.slug}: {what} ({time.perf_counter() - started:.2f} s)")
