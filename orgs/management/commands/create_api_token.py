from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs.models import Membership
from orgs.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME in organisation SLUG; prints the key as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        membership = (
            Membership.objects.select_related("organization")
            .filter(user__username=options["username"], organization__slug=options["org"])
            .first()
        )
        if membership is None:
            raise CommandError(
                f"{options['username']} is not a member of an organisation {options['org']!r}."
            )
        token, key = api_token_create(membership=membership, name=options["name"])
        self.stderr.write(
            f"token {token.prefix}… for {options['username']} ({membership.role}) in {options['org']}"
        )
        self.stdout.write(key)
