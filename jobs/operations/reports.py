"""Report operations: the vendor scorecard (domain/reports.py) for a period a person names."""

from __future__ import annotations

from domain.periods import parse_period
from domain.reports import ReportFilter, clean_filter, parse_kind, run_report
from jobs.operation import OperationContext, Result, reads


@reads
def report(
    ctx: OperationContext,
    kind: str,
    period: str = "this year",
    shop: str | None = None,
    part: str | None = None,
) -> Result:
    """One report (spend_by_shop, spend_by_month, turnaround, quote_latency, on_time,
    outcomes, certificates) as {kind, title, period, shop, part, columns, rows, summary, notes}."""
    chosen = parse_kind(kind)
    when = parse_period(period, ctx.app.today())
    with ctx.app.session() as session:
        shop_text, part_text = clean_filter(session, shop, part)
        flt = ReportFilter(when, shop_text, part_text, ctx.app.settings.tz)
        return run_report(session, chosen, flt).as_dict()
