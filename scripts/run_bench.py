#!/usr/bin/env python3
"""Install everything and run the benchmarks in bench/, writing figures to docs/benchmarks.md.

    DATABASE_URL=postgres://... python3 scripts/run_bench.py [NAME ...]

NAME is a module of bench/ (all of them when none is given). Benchmarks write to the
database in DATABASE_URL: point it at one made for them.
"""

from __future__ import annotations

import os
import sys

from _bootstrap import ROOT, ensure_environment, run

BENCHMARKS = [
    "api_base",
    "import_leads",
    "funnel_calc",
    "learn_assumptions",
    "kpi_recompute",
    "kpi_freshness",
    "kpi_api",
    "deal_writes",
    "persona_fit",
    "discovery",
    "objective_check",
    "sla_compliance",
    "reviews",
]


def main() -> None:
    python = str(ensure_environment("requirements-dev.lock"))
    names = sys.argv[1:] or BENCHMARKS
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        sys.exit(f"Unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in names:
        print(f"== bench/{name}.py", flush=True)
        run([python, "-m", f"bench.{name}"], {**os.environ, "PYTHONPATH": str(ROOT)})


if __name__ == "__main__":
    main()
