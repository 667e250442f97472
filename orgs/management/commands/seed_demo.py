from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orgs.demo import DEMO_PASSWORD, seed_demo_organizations


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo organisations with one user per role, and print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        users = seed_demo_organizations()
        if options["quiet_logins"]:
            return
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, orgs in users:
            self.stdout.write(f"  {username:<12} {role:<20} {', '.join(orgs)}")
