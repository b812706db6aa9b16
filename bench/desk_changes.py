"""The desk's changes in a period ("what changed yesterday?") on 100,000 ROs, against loading
the period's changes and counting them in Python.

Seeds a fresh database (dropped afterwards) with the demo generator (about 14 activity rows per
RO), then asks `domain.desk_changes.desk_changes` for several periods and filters — a count, a
per-person count and a page of 50, each one statement over the activity log's time index — and
the same the naive way in the same run: every change of the period read (plain tuples), filtered,
counted and sorted in Python. Both must agree on the counts.

    python -m bench.desk_changes [--db mariadb|sqlite] [--ros 100000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from bench.common import demo_app, emit, temporary_database, timed
from domain.demo import DemoSpec
from domain.desk_changes import KINDS, ChangeQuery, desk_changes
from domain.local_time import day_starts_at
from domain.models import ActivityLog, RepairOrder
from domain.periods import parse_period

TODAY = date(2026, 11, 20)
CASES = {
    "yesterday": ("yesterday", {}),
    "last week": ("last week", {}),
    "last 30 days": ("last 30 days", {}),
    "this month, one shop": ("this month", {"shop": "avtech"}),
    "last week, one person": ("last week", {"person": "jordan"}),
    "last month, archive moves": ("last month", {"kind": "archive"}),
}


def naive(app, query: ChangeQuery) -> tuple[int, int, list]:
    """The period's changes loaded whole, then filtered, counted and sorted here."""
    start = day_starts_at(query.period.start, app.settings.tz)
    end = day_starts_at(query.period.end + timedelta(days=1), app.settings.tz)
    log, ro = ActivityLog, RepairOrder
    with app.session() as session:
        rows = session.execute(
            select(log.id, log.at, log.actor, log.action, log.ro_id, ro.shop_key)
            .join(ro, ro.id == log.ro_id)
            .where(log.at >= start, log.at < end)
        ).all()
    shop = " ".join(query.shop.upper().split()) if query.shop else None
    kept = [
        r
        for r in rows
        if (shop is None or shop in (r.shop_key or ""))
        and (query.person is None or query.person.lower() in r.actor.lower())
        and (query.kind is None or r.action in KINDS[query.kind])
    ]
    people = Counter(r.actor.lower() for r in kept)
    page = sorted(kept, key=lambda r: (r.at, r.id), reverse=True)[: query.limit]
    return len(kept), len({r.ro_id for r in kept}), [people.most_common(10), page]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ros", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", choices=["mariadb", "sqlite"], default="mariadb")
    args = parser.parse_args()

    with temporary_database(args.db) as url:
        app, seed_s = demo_app(url, DemoSpec(ros=args.ros, shops=60, seed=13), TODAY)
        print(f"seeded {args.ros:,} ROs in {seed_s:.1f} s ({args.db})")
        results = {}
        print(f"{'case':24} {'changes':>8} {'p50 ms':>8} {'naive ms':>9} {'x':>6}")
        for name, (period, filters) in CASES.items():
            query = ChangeQuery(parse_period(period, TODAY), **filters)

            def run(q: ChangeQuery = query):
                with app.session() as session:
                    return desk_changes(session, q, app.settings.tz)

            found = run()
            total, ros, _ = naive(app, query)
            assert (found["total"], found["ros"]) == (total, ros), (name, found["total"], total)
            ours = statistics.median(timed(run, args.repeat))
            theirs = statistics.median(
                timed(lambda q=query: naive(app, q), max(3, args.repeat // 4))
            )
            results[name] = {
                "changes": total,
                "p50_ms": round(ours, 2),
                "naive_p50_ms": round(theirs, 2),
                "ratio": round(theirs / ours, 1),
            }
            print(f"{name:24} {total:>8,} {ours:>8.2f} {theirs:>9.2f} {theirs / ours:>6.1f}")
        app.engine.dispose()
    emit({"benchmark": "desk_changes", "db": args.db, "ros": args.ros, "cases": results})


if __name__ == "__main__":
    main()
