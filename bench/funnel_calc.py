"""Benchmark: one reverse-funnel calculation of 36 months x 12 channels x 6 stages."""

from __future__ import annotations

import datetime
import statistics
import time
from decimal import Decimal as D

from bench.harness import machine, update_section
from funnel.calculations import ChannelInput, FunnelInput, calculate

RUNS = 50


def plan() -> FunnelInput:
    months = [f"{2027 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]
    shares = [D(i + 1) for i in range(12)]
    total = sum(shares)
    channels = [
        ChannelInput(f"channel_{i}", s / total, D(10 + 5 * i)) for i, s in enumerate(shares)
    ]
    channels[-1] = ChannelInput(
        channels[-1].code, D(1) - sum((c.share or D(0) for c in channels[:-1]), D(0)), D(70)
    )
    return FunnelInput(
        stages=["lead", "mql", "sql", "opportunity", "proposal", "customer"],
        conversion_rates=[D("0.35"), D("0.45"), D("0.55"), D("0.6"), D("0.3")],
        average_deal_size=D("18500"),
        revenue_goal=D("120000000"),
        months=months,
        seasonality=[D("0.8") + D(i % 12) / 20 for i in range(36)],
        stage_days=[D(6), D(12), D(18), D(20), D(35)],
        channels=channels,
    )


def main() -> None:
    data = plan()
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = calculate(data)
        timings.append((time.perf_counter() - started) * 1000)
    cells = sum(len(row) for stage in result.stages for row in stage.by_month_and_channel.values())
    print(f"median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms, {cells} cells")
    update_section(
        "funnel_calc",
        "\n".join(
            [
                "## Reverse-funnel calculation",
                "",
                f"Run {datetime.date.today():%Y-%m-%d} on {machine()}: one plan of 36 months x 12 channels x 6 stages "
                f"({cells:,} month-channel-stage targets, {result.leads_needed:,} leads), {RUNS} runs. "
                "Command: `python3 scripts/run_bench.py funnel_calc`.",
                "",
                "| median | slowest |",
                "|---|---|",
                f"| {statistics.median(timings):.1f} ms | {max(timings):.1f} ms |",
            ]
        ),
    )


if __name__ == "__main__":
    main()
