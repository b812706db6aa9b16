"""Dashboard statistics on 100,000 ROs: one SQL aggregate versus the old way.

The old system loaded every row of the RO tables and counted in JavaScript; the baseline here
loads every row (Core, no ORM overhead, so the baseline is not handicapped) and counts with
`dashboard_from_rows`, the same rules in Python. Both run in this process on the same data.

    python -m bench.stats [--ros 100000] [--db sqlite|mariadb] [--repeat 7]
"""

from __future__ import annotations

import argparse
from datetime import date

from sqlalchemy import select

from bench.common import demo_app, emit, summary, temporary_database, timed
from domain.demo import DemoSpec
from domain.models import RepairOrder
from domain.stats import RoFacts, dashboard, dashboard_from_rows

TODAY = date(2026, 11, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ros", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "mariadb"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    with temporary_database(args.db) as url:
        app, seed_s = demo_app(url, DemoSpec(ros=args.ros, shops=40, seed=1), TODAY)
        print(f"seeded {args.ros:,} ROs into {args.db} in {seed_s:.1f} s")

        columns = (
            RepairOrder.archive,
            RepairOrder.status,
            RepairOrder.status_date,
            RepairOrder.next_update,
            RepairOrder.estimated_delivery,
            RepairOrder.estimated_cost,
            RepairOrder.final_cost,
        )

        def in_sql():
            with app.session() as s:
                return dashboard(s, TODAY)

        def load_all_and_count():
            with app.session() as s:
                rows = s.execute(select(RepairOrder.__table__)).mappings().all()
            return dashboard_from_rows((RoFacts(*(r[c.key] for c in columns)) for r in rows), TODAY)

        assert in_sql() == load_all_and_count(), "SQL and Python disagree"
        sql = summary(timed(in_sql, args.repeat))
        old = summary(timed(load_all_and_count, args.repeat))
        app.engine.dispose()

    print(f"dashboard in SQL:          median {sql['median_ms']:.1f} ms")
    print(f"load all rows + count:     median {old['median_ms']:.1f} ms")
    emit(
        {
            "benchmark": "stats",
            "db": args.db,
            "ros": args.ros,
            "seed_s": round(seed_s, 2),
            "sql": sql,
            "load_all_baseline": old,
            "speedup": round(old["median_ms"] / sql["median_ms"], 1),
        }
    )


if __name__ == "__main__":
    main()
