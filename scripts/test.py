#!/usr/bin/env python3
"""Install everything and run the whole test suite.

    python3 scripts/test.py [pytest arguments]

With no DATABASE_URL the tests use the embedded PostgreSQL in .data/; with REDIS_URL
set, the Redis and real-worker tests run too. Browser tests need Debian's chromium
(sudo apt-get install chromium) and skip, saying so, without it.
"""

from __future__ import annotations

import os
import sys

from _bootstrap import ensure_environment, exec_in_root


def main() -> None:
    python = str(ensure_environment("requirements-dev.lock"))
    exec_in_root([python, "-m", "pytest", *sys.argv[1:]], {**os.environ})


if __name__ == "__main__":
    main()
