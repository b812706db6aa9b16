"""The reports (domain/reports.py) on 100,000 ROs: computed in SQL versus loading every row.

Seeds the demo desk (each RO with the status history of its simulated life), then times each
report through its operation for a period. The baseline is the old way for the
heaviest one (turnaround): load every RO and every history row (Core, no ORM) and compute the
per-shop medians in Python. Both run in this process on the same data.

    python -m bench.reports [--ros 100000] [--db sqlite|mariadb] [--repeat 7] [--period ...]
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select

from bench.common import demo_app, emit, summary, temporary_database, timed
from domain.demo import DemoSpec
from domain.local_time import local_time
from domain.models import RepairOrder, StatusHistory
from domain.reports import KINDS, RECEIVED_STAGES
from domain.roles import SYSTEM
from jobs.operation import OperationContext
from jobs.operations.reports import report

TODAY = date(2026, 11, 20)


def turnaround_load_all(app, start: date, end: date) -> dict[str, float]:
    """The old way: every RO and every history row into Python, then group and sort there
    (each change on the desk's day, as the report counts it)."""
    with app.session() as s:
        ros = {
            r.id: r
            for r in s.execute(
                select(
                    RepairOrder.id,
                    RepairOrder.shop_name,
                    RepairOrder.date_dropped_off,
                    RepairOrder.date_made,
                )
            )
        }
        first: dict[int, datetime] = {}
        for h in s.execute(select(StatusHistory.__table__)).mappings():
            if h["status"] in RECEIVED_STAGES and (
                h["ro_id"] not in first or h["changed_at"] < first[h["ro_id"]]
            ):
                first[h["ro_id"]] = h["changed_at"]
    per_shop: dict[str, list[int]] = defaultdict(list)
    for ro_id, at in first.items():
        ro = ros[ro_id]
        began = ro.date_dropped_off or ro.date_made
        day = local_time(at, app.settings.tz).date()
        if began and start <= day <= end and (day - began).days >= 0:
            per_shop[ro.shop_name].append((day - began).days)
    return {shop: statistics.median(days) for shop, days in per_shop.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ros", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "mariadb"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--period", default="last year")
    args = parser.parse_args()

    with temporary_database(args.db) as url:
        app, seed_s = demo_app(url, DemoSpec(ros=args.ros, shops=40, seed=1), TODAY)
        with app.session() as s:
            history = s.scalar(select(func.count()).select_from(StatusHistory)) or 0
        print(
            f"seeded {args.ros:,} ROs (with {history:,} history rows) into {args.db}"
            f" in {seed_s:.1f} s"
        )
        ctx = OperationContext(app, SYSTEM, app.uow)

        results = {}
        for kind in KINDS:
            found = report(ctx, kind, period=args.period)
            results[kind] = summary(
                timed(lambda k=kind: report(ctx, k, period=args.period), args.repeat)
            )
            print(
                f"{kind:15s} median {results[kind]['median_ms']:7.1f} ms",
                f"({len(found['rows'])} rows)",
            )
        part = summary(
            timed(
                lambda: report(ctx, "turnaround", period=args.period, part="hydraulic pump"),
                args.repeat,
            )
        )
        print(f"{'turnaround+part':15s} median {part['median_ms']:7.1f} ms")

        found = report(ctx, "turnaround", period=args.period)
        start, end = (
            date.fromisoformat(found["period"]["start"]),
            date.fromisoformat(found["period"]["end"]),
        )
        python = turnaround_load_all(app, start, end)
        in_sql = {r["shop"]: r["median_days"] for r in found["rows"]}
        assert python == in_sql, "SQL and Python disagree"
        old = summary(timed(lambda: turnaround_load_all(app, start, end), args.repeat))
        print(f"{'load all (turnaround)':15s} median {old['median_ms']:7.1f} ms")
        app.engine.dispose()

    emit(
        {
            "benchmark": "reports",
            "db": args.db,
            "ros": args.ros,
            "history_rows": history,
            "period": args.period,
            "seed_s": round(seed_s, 2),
            "reports": results,
            "turnaround_with_part": part,
            "load_all_baseline": old,
            "speedup": round(old["median_ms"] / results["turnaround"]["median_ms"], 1),
            "slowest_ms": max(r["median_ms"] for r in results.values()),
        }
    )


if __name__ == "__main__":
    main()
