from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs.services import organization_bootstrap


class Command(BaseCommand):
    help = "Create an organisation with an admin user. Safe to run again: it changes nothing that is already so."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin", required=True, help="username of the organisation's admin")
        parser.add_argument(
            "--password", required=True, help="password, used only if the user is new"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = organization_bootstrap(
                slug=options["slug"],
                name=options["name"],
                admin_username=options["admin"],
                password=options["password"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        org = report.organization
        self.stdout.write(
            f"organisation {org.slug}: {'created' if report.organization_created else 'exists'}"
        )
        self.stdout.write(
            f"user {options['admin']}: {'created' if report.user_created else 'exists, password unchanged'}"
        )
        self.stdout.write(
            f"admin membership: {'granted' if report.membership_changed else 'unchanged'}"
        )
