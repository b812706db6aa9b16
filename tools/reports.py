"""The report tool: the vendor scorecard for a period. The docstring is the model's contract."""

from __future__ import annotations

from typing import Any, Literal

from pydantic_ai import RunContext

from jobs.operations import reports as ops
from tools.context import Deps
from tools.events import ReportChart

ReportKind = Literal[
    "spend_by_shop",
    "spend_by_month",
    "turnaround",
    "quote_latency",
    "on_time",
    "outcomes",
    "certificates",
]


async def report(
    ctx: RunContext[Deps],
    kind: ReportKind,
    period: str = "this year",
    shop: str | None = None,
    part: str | None = None,
) -> dict[str, Any]:
    """A report over repair orders for a period, per shop (or per month), drawn as a chart.

    Kinds: spend_by_shop / spend_by_month (final cost, else the estimate — counted apart);
    turnaround (days from drop-off to received: median, p90, mean per shop); quote_latency
    (days from drop-off to quote approved); on_time (share received by the ETA); outcomes
    (BER / RAI / scrap rate per shop); certificates (ROs at RECEIVED or later per shop with no
    release certificate, with one whose part/serial does not match, or an approver's override:
    counts and RO numbers — "which shops send parts back without a valid 8130?"). "Which shop
    is slowest on hydraulic pumps?" is turnaround with part="hydraulic pump": the summary names
    the slowest shop.

    Args:
        kind: Which report: spend_by_shop, spend_by_month, turnaround, quote_latency, on_time,
            outcomes, certificates.
        period: The period as the user said it: "this year", "last year", "Q3", "Q3 2026",
            "last 90 days", "this month", "November", "March to May", "2026",
            "from 2026-01-01 to 2026-06-30".
        shop: Only shops whose name contains this text.
        part: Only ROs whose part number or description contains these words.

    Returns {kind, title, period {label, start, end}, columns, rows, summary, notes}: rows per
    shop (or month); summary holds the headline figures (e.g. slowest_shop, median_days,
    p90_days; spend and its estimated part; on_time_rate; rate and worst_shop; without_valid).
    """
    result = await ctx.deps.run(ops.report, kind=kind, period=period, shop=shop, part=part)
    if result.get("rows"):
        title = f"{result['title']} — {result['period']['label']}"
        ctx.deps.events.append(ReportChart(result["kind"], title, result))
    return result
