#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smarketing.settings")
    import django
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] != ["runserver"]:
        # Commands (migrations, imports, a full recompute) may run long statements on purpose.
        django.setup()
        from smarketing.lib.statement_timeout import limit_statements_of_this_process

        limit_statements_of_this_process(0)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
