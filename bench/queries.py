"""The desk's RO search on 100,000 repair orders in MariaDB, against load-all-then-filter.

Seeds a fresh MariaDB database (dropped afterwards) with the demo generator's bulk inserts, then
runs a set of filter combinations (each filter at least once) through `domain.ro_search.search`
— one COUNT plus one page SELECT — and the same filters done the naive way in the same run:
load every row (plain tuples, the cheapest load there is), filter, sort and slice in Python.
Both must find the same total. Figures per combination: p50/p95 of the SQL path and the ratio
of medians.

    python -m bench.queries [--ros 100000] [--repeat 40] [--naive-repeat 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bench.common import demo_app, emit, temporary_database, timed
from domain.demo import DemoSpec
from domain.inventory.rules import search_key
from domain.models import RepairOrder, StatusHistory
from domain.overdue import AT_SHOP
from domain.ro_query import SORTS, RoQuery
from domain.ro_search import BACK_OR_DONE, COUNT_CAP, search
from domain.statuses import CAME_BACK

TODAY = date(2026, 11, 20)
CAME_BACK_VALUES = {s.value for s in CAME_BACK}
P95_GOAL_MS = 50.0
RATIO_GOAL = 20.0


def combinations(sample: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Named filter sets; `sample` supplies a part, serial and RO number present in the data."""
    ro = int(sample["number"])
    month = TODAY - timedelta(days=30)
    return {
        "everything (newest first)": {},
        "active by next update": {"archive": "ACTIVE"},
        "overdue": {"overdue": True},
        "waiting quote > 14 days": {"status": "WAITING QUOTE", "in_status_for_more_than_days": 14},
        "shop": {"shop": "avtech"},
        "shop + status + sort": {"shop": "dallas", "status": "APPROVED", "sort": "-date_made"},
        "part number (normalized)": {"part_number": sample["part_number"].replace("-", " ")},
        "serial": {"serial_number": sample["serial_number"]},
        "text in notes": {"text": "expedite"},
        "text + archive": {"text": "teardown approval", "archive": "ACTIVE"},
        "RO range": {"ro_from": ro, "ro_to": ro + 500},
        "date made range": {"date_made_from": month, "date_made_to": TODAY},
        "status date range": {
            "status_date_from": month,
            "status_date_to": TODAY,
            "sort": "-status_date",
        },
        "ETA range": {"eta_from": TODAY, "eta_to": TODAY + timedelta(days=14), "sort": "eta"},
        "next update range": {
            "next_update_from": TODAY,
            "next_update_to": TODAY + timedelta(days=7),
        },
        "last updated range": {
            "last_updated_from": TODAY - timedelta(days=3),
            "sort": "-last_updated",
        },
        "ETA passed, not received": {"eta_passed": True},
        "came back this week": {"came_back_from": TODAY - timedelta(days=6), "came_back_to": TODAY},
        "came back + shop": {"came_back_from": month, "shop": "avtech"},
        "overdue + shop + status": {"overdue": True, "shop": "aero", "status": "IN WORK"},
        "at the shop > 60 days": {"at_shop_for_more_than_days": 60},
        "at the shop, longest first": {"at_shop_for_more_than_days": 0, "sort": "dropped_off"},
        "sent out (drop-off) range": {"dropped_off_from": month, "dropped_off_to": TODAY},
        "open, cost over $10k": {"archive": "ACTIVE", "cost_over": 10000},
        "cost over $10k + shop": {"cost_over": 10000, "shop": "avtech"},
        "open, most expensive first": {"archive": "ACTIVE", "sort": "-cost"},
        "page 5 of active (cursor)": {"archive": "ACTIVE", "page": 5},
    }


def naive(
    rows: list[Any], q: RoQuery, today: date, history: list[Any] = ()
) -> tuple[int, list[Any]]:
    """What the query means, in Python over every row (and every status change, for
    came_back): (total, page)."""
    back = {s.value for s in BACK_OR_DONE}
    at_shop = {s.value for s in AT_SHOP}
    came_back: dict[int, date] = {}  # RO id -> the (UTC) day its unit first came back
    for ro_id, status, at in history:
        if status in CAME_BACK_VALUES and (ro_id not in came_back or at.date() < came_back[ro_id]):
            came_back[ro_id] = at.date()
    statuses = {s.value for s in q.statuses}

    def within(value: date | None, span) -> bool:
        if span.start is not None and (value is None or value < span.start):
            return False
        return not (span.end is not None and (value is None or value > span.end))

    def keep(r: Any) -> bool:
        if q.archive is not None and r.archive != q.archive.value:
            return False
        if statuses and r.status not in statuses:
            return False
        if q.overdue and not (r.next_update is not None and r.next_update < today):
            return False
        if q.eta_passed and not (
            r.estimated_delivery is not None
            and r.estimated_delivery < today
            and r.status not in back
        ):
            return False
        if q.shop and q.shop not in (r.shop_key or ""):
            return False
        if q.part_key and not search_key(r.part_number).startswith(q.part_key):
            return False
        if q.serial_key and search_key(r.serial_number) != q.serial_key:
            return False
        for word in q.words:
            text = " ".join(
                (r.part_description or "", r.required_work or "", r.notes or "")
            ).upper()
            if word not in text:
                return False
        if q.ro_from is not None and (r.seq is None or r.seq < q.ro_from):
            return False
        if q.ro_to is not None and (r.seq is None or r.seq > q.ro_to):
            return False
        cost = r.final_cost if r.final_cost is not None else r.estimated_cost
        if q.cost_over is not None and (cost is None or cost <= q.cost_over):
            return False
        if q.cost_under is not None and (cost is None or cost >= q.cost_under):
            return False
        if q.at_shop_since_before is not None and not (
            r.status in at_shop
            and r.date_dropped_off is not None
            and r.date_dropped_off < q.at_shop_since_before
        ):
            return False
        for name, attr in (
            ("date_made", "date_made"),
            ("dropped_off", "date_dropped_off"),
            ("status_date", "status_date"),
            ("eta", "estimated_delivery"),
            ("next_update", "next_update"),
            ("last_updated", "last_updated"),
        ):
            if not within(getattr(r, attr), getattr(q, name)):
                return False
        if q.came_back and not within(came_back.get(r.id), q.came_back):
            return False
        return not (
            q.status_before is not None
            and (r.status_date is None or r.status_date >= q.status_before)
        )

    found = [r for r in rows if keep(r)]
    attr = SORTS[q.sort.lstrip("-")]

    def value(r):  # "cost" is no column: the final cost, else the estimate
        if attr == "cost":
            return r.final_cost if r.final_cost is not None else r.estimated_cost
        return getattr(r, attr)

    blanks = [r for r in found if value(r) is None]
    valued = [r for r in found if value(r) is not None]
    if q.sort.startswith("-"):
        valued.sort(key=lambda r: (value(r), r.id), reverse=True)
        ordered = valued + sorted(blanks, key=lambda r: r.id, reverse=True)
    else:
        valued.sort(key=lambda r: (value(r), r.id))
        ordered = valued + sorted(blanks, key=lambda r: r.id)
    return len(found), ordered[q.offset : q.offset + q.limit]


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ros", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--naive-repeat", type=int, default=2)
    parser.add_argument("--db", choices=["mariadb", "sqlite"], default="mariadb")
    args = parser.parse_args()

    with temporary_database(args.db) as url:
        app, seed_s = demo_app(url, DemoSpec(ros=args.ros, shops=60, seed=13), TODAY)
        print(f"seeded {args.ros:,} ROs in {seed_s:.1f} s ({args.db})")
        with app.session() as session:
            sample = (
                session.execute(
                    select(RepairOrder.number, RepairOrder.part_number, RepairOrder.serial_number)
                    .order_by(RepairOrder.id)
                    .offset(args.ros // 2)
                    .limit(1)
                )
                .one()
                ._asdict()
            )
        results: dict[str, dict[str, float]] = {}
        print(
            f"{'combination':32} {'total':>7} {'p50 ms':>8} {'p95 ms':>8} {'naive ms':>9} {'x':>6}"
        )
        for name, raw in combinations(sample).items():
            raw = dict(raw)
            page = raw.pop("page", 1)
            query = RoQuery.build(raw, TODAY)
            if page > 1:
                query = RoQuery.build(
                    {**raw, "cursor": query.cursor_at(query.limit * (page - 1))}, TODAY
                )

            def run_sql(q: RoQuery = query) -> Any:
                with app.session() as session:
                    return search(session, q, TODAY)

            def run_naive(q: RoQuery = query) -> tuple[int, list[Any]]:
                with app.session() as session:
                    rows = session.execute(select(RepairOrder.__table__)).all()
                    h = StatusHistory
                    history = (
                        session.execute(select(h.ro_id, h.status, h.changed_at)).all()
                        if q.came_back
                        else []
                    )
                return naive(rows, q, TODAY, history)

            got = run_sql()
            started = time.perf_counter()
            want_total, want_page = run_naive()
            naive_times = [(time.perf_counter() - started) * 1000]  # the check is a naive run too
            assert got.total == min(want_total, COUNT_CAP), (name, got.total, want_total)
            assert got.total_exact == (want_total <= COUNT_CAP), name
            assert [r.number for r in got.items] == [r.number for r in want_page], name
            sql_times = timed(run_sql, args.repeat)
            naive_times += timed(run_naive, args.naive_repeat - 1)
            ratio = statistics.median(naive_times) / statistics.median(sql_times)
            results[name] = {
                "total": want_total,
                "p50_ms": round(statistics.median(sql_times), 2),
                "p95_ms": round(p95(sql_times), 2),
                "naive_ms": round(statistics.median(naive_times), 1),
                "ratio": round(ratio, 1),
            }
            r = results[name]
            print(
                f"{name:32} {r['total']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} "
                f"{r['naive_ms']:>9} {r['ratio']:>6}"
            )
        app.engine.dispose()

    worst_p95 = max(r["p95_ms"] for r in results.values())
    least_ratio = min(r["ratio"] for r in results.values())
    print(
        f"worst p95 {worst_p95} ms (goal <= {P95_GOAL_MS}); "
        f"least speed-up {least_ratio}x (goal >= {RATIO_GOAL}x)"
    )
    emit(
        {
            "benchmark": "queries",
            "database": args.db,
            "ros": args.ros,
            "repeat": args.repeat,
            "seed_s": round(seed_s, 1),
            "worst_p95_ms": worst_p95,
            "least_ratio": least_ratio,
            "p95_goal_met": worst_p95 <= P95_GOAL_MS,
            "ratio_goal_met": least_ratio >= RATIO_GOAL,
            "combinations": results,
        }
    )


if __name__ == "__main__":
    main()
