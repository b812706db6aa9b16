"""Every report against figures computed by hand, on a small desk with known dates and costs.

The status history is inserted directly: `RepairOrderService.change_status` stamps history rows
with the current time (its `status_date` sets only the RO's status date), so it cannot backdate.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.errors import InvalidInput, NotFound
from domain.models import RepairOrder, Shop, StatusHistory
from domain.roles import SYSTEM
from jobs.app import App
from jobs.operation import OperationContext
from jobs.operations.reports import report

pytestmark = pytest.mark.dialect

ALPHA, BETA, GAMMA = "Alpha Aero", "Beta Hydraulics", "Gamma Components"
# number, shop, description, made, dropped off, estimate, final, ETA, status, history
ROS = [
    ("1001", ALPHA, "HYDRAULIC PUMP", "2026-01-05", "2026-01-10", "1000", "1200", "2026-02-01",
     "RECEIVED", [("WAITING QUOTE", "2026-01-10"), ("APPROVED", "2026-01-20"),
                  ("RECEIVED", "2026-01-30")]),
    ("1002", ALPHA, "HYDRAULIC PUMP", "2026-02-01", "2026-02-03", "500", None, "2026-03-01",
     "COMPLETE", [("APPROVED", "2026-02-13"), ("RECEIVED", "2026-03-05"),
                  ("COMPLETE", "2026-03-10")]),
    ("1003", ALPHA, "STARTER GENERATOR", "2026-03-01", None, "800", "700", "2026-04-01",
     "PAID", [("APPROVED", "2026-03-04"), ("PAID", "2026-03-21")]),
    ("2001", BETA, "HYDRAULIC PUMP, ENGINE DRIVEN", "2026-04-01", "2026-04-02", "3000", "2500",
     "2026-05-01", "RECEIVED", [("APPROVED", "2026-04-12"), ("RECEIVED", "2026-05-12")]),
    ("2002", BETA, "HYDRAULIC PUMP", "2026-05-01", "2026-05-01", "2000", None, None,
     "RECEIVED", [("APPROVED", "2026-05-21"), ("RECEIVED", "2026-06-20")]),
    ("2003", BETA, "VALVE", "2026-06-01", "2026-06-01", "400", None, None,
     "BER", [("WAITING QUOTE", "2026-06-01"), ("BER", "2026-06-15")]),
    ("2004", BETA, "VALVE", "2026-06-05", "2026-06-06", None, None, None, "RAI", []),
    ("3001", GAMMA, "HYDRAULIC PUMP", "2025-12-01", "2025-12-02", "100", "90", None,
     "RECEIVED", [("RECEIVED", "2026-01-02")]),
    ("3002", GAMMA, "FUEL BOOST PUMP", "2026-07-01", "2026-07-01", "600", None, None,
     "SCRAP", [("SCRAP", "2026-07-10")]),
]  # fmt: skip


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _money(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None


@pytest.fixture
def desk(app: App) -> App:
    with app.session() as s:
        shops = {}
        for name in (ALPHA, BETA, GAMMA):
            shops[name] = Shop(name=name, name_key=name.upper())
            s.add(shops[name])
        s.flush()
        for number, shop, desc, made, dropped, est, final, eta, status, history in ROS:
            ro = RepairOrder(
                number=number,
                seq=int(number),
                archive="ACTIVE",
                shop_id=shops[shop].id,
                shop_name=shop,
                shop_key=shop.upper(),
                part_number=f"PN-{number}",
                part_description=desc,
                date_made=_d(made),
                date_dropped_off=_d(dropped),
                estimated_cost=_money(est),
                final_cost=_money(final),
                estimated_delivery=_d(eta),
                status=status,
            )
            s.add(ro)
            s.flush()
            previous = None
            for hour, (new, when) in enumerate(history):
                # Late in the day (UTC) on purpose: only the date counts.
                at = datetime.combine(_d(when), datetime.min.time()).replace(hour=20 + hour)
                s.add(
                    StatusHistory(
                        ro_id=ro.id,
                        status=new,
                        previous_status=previous,
                        changed_by="test",
                        changed_at=at,
                    )
                )
                previous = new
        s.commit()
    return app


def run(app: App, kind: str, period: str = "this year", **filters):
    return report(OperationContext(app, SYSTEM, app.uow), kind, period=period, **filters)


def by(rows, key="shop"):
    return {r[key]: r for r in rows}


def test_spend_by_shop_final_else_estimate(desk):
    found = run(desk, "spend_by_shop")
    assert [r["group"] for r in found["rows"]] == [BETA, ALPHA, GAMMA]
    rows = by(found["rows"], "group")
    assert rows[ALPHA] == {
        "group": ALPHA, "ros": 3, "spend": "2400.00", "final": "1900.00",
        "estimated": "500.00", "with_final": 2, "estimate_only": 1, "no_cost": 0,
    }  # fmt: skip
    assert rows[BETA]["spend"] == "4900.00" and rows[BETA]["estimated"] == "2400.00"
    assert (rows[BETA]["estimate_only"], rows[BETA]["no_cost"]) == (2, 1)
    assert rows[GAMMA]["spend"] == "600.00" and rows[GAMMA]["ros"] == 1  # 3001 is a 2025 RO
    summary = found["summary"]
    assert (summary["spend"], summary["estimated"], summary["final"]) == (
        "7900.00",
        "3500.00",
        "4400.00",
    )
    assert summary["top"] == BETA and summary["ros"] == 8
    assert any("else the estimate" in n for n in found["notes"])
    assert found["period"] == {"label": "2026", "start": "2026-01-01", "end": "2026-12-31"}


def test_spend_by_month(desk):
    rows = run(desk, "spend_by_month")["rows"]
    assert [(r["group"], r["spend"], r["ros"]) for r in rows] == [
        ("2026-01", "1200.00", 1),
        ("2026-02", "500.00", 1),
        ("2026-03", "700.00", 1),
        ("2026-04", "2500.00", 1),
        ("2026-05", "2000.00", 1),
        ("2026-06", "400.00", 2),
        ("2026-07", "600.00", 1),
    ]
    last_year = run(desk, "spend_by_month", "last year")["rows"]
    assert [(r["group"], r["spend"], r["final"]) for r in last_year] == [
        ("2025-12", "90.00", "90.00")
    ]


def test_turnaround_median_p90_and_fallback(desk):
    found = run(desk, "turnaround")
    rows = by(found["rows"])
    # ALPHA: 20 (1001), 30 (1002: first RECEIVED, not COMPLETE), 20 (1003: PAID, from date made)
    assert rows[ALPHA] == {
        "shop": ALPHA, "ros": 3, "mean_days": 23.3, "median_days": 20.0, "p90_days": 30,
        "from_date_made": 1,
    }  # fmt: skip
    assert (rows[BETA]["median_days"], rows[BETA]["p90_days"], rows[BETA]["ros"]) == (45.0, 50, 2)
    # 3001 was made in 2025 but received in 2026: a turnaround of this year.
    assert (rows[GAMMA]["median_days"], rows[GAMMA]["ros"]) == (31.0, 1)
    assert [r["shop"] for r in found["rows"]] == [BETA, GAMMA, ALPHA]  # slowest first
    s = found["summary"]
    # All: 20, 20, 30, 31, 40, 50 -> median 30.5, p90 (nearest rank 6) 50, mean 31.8
    assert (s["ros"], s["median_days"], s["p90_days"], s["mean_days"]) == (6, 30.5, 50, 31.8)
    assert s["from_date_made"] == 1 and any("no drop-off date" in n for n in found["notes"])
    q1 = by(run(desk, "turnaround", "Q1")["rows"])
    assert set(q1) == {ALPHA, GAMMA}


def test_which_shop_is_slowest_on_hydraulic_pumps(desk):
    found = run(desk, "turnaround", part="hydraulic pumps")
    rows = by(found["rows"])
    assert rows[ALPHA]["ros"] == 2 and rows[ALPHA]["median_days"] == 25.0  # no starter
    assert found["summary"]["slowest_shop"] == BETA
    assert found["summary"]["slowest_median_days"] == 45.0
    only_beta = run(desk, "turnaround", shop="beta", part="pump")
    assert [r["shop"] for r in only_beta["rows"]] == [BETA]


def test_quote_latency(desk):
    found = run(desk, "quote_latency")
    rows = by(found["rows"])
    assert (rows[ALPHA]["median_days"], rows[ALPHA]["p90_days"], rows[ALPHA]["ros"]) == (
        10.0,
        10,
        3,
    )
    assert (rows[BETA]["median_days"], rows[BETA]["p90_days"]) == (15.0, 20)
    assert GAMMA not in rows  # never approved
    s = found["summary"]
    assert (s["ros"], s["median_days"], s["p90_days"]) == (5, 10.0, 20)


def test_on_time_against_eta(desk):
    found = run(desk, "on_time")
    rows = by(found["rows"])
    assert rows[ALPHA] == {
        "shop": ALPHA, "received": 3, "with_eta": 3, "on_time": 2, "late": 1,
        "on_time_rate": 0.667, "mean_days_late": 4.0,
    }  # fmt: skip
    assert (rows[BETA]["with_eta"], rows[BETA]["on_time_rate"], rows[BETA]["mean_days_late"]) == (
        1,
        0.0,
        11.0,
    )
    assert rows[GAMMA]["on_time_rate"] is None  # received, but no ETA to be on time against
    s = found["summary"]
    assert (s["received"], s["with_eta"], s["on_time"], s["late"], s["on_time_rate"]) == (
        6,
        4,
        2,
        2,
        0.5,
    )


def test_outcomes_ber_rai_scrap(desk):
    found = run(desk, "outcomes")
    got = [(r["shop"], r["ros"], r["ber"], r["rai"], r["scrap"], r["rate"]) for r in found["rows"]]
    assert got == [
        (GAMMA, 1, 0, 0, 1, 1.0),
        (BETA, 4, 1, 1, 0, 0.5),
        (ALPHA, 3, 0, 0, 0, 0.0),
    ]  # fmt: skip
    s = found["summary"]
    assert (s["ros"], s["ber"], s["rai"], s["scrap"], s["rate"]) == (8, 1, 1, 1, 0.375)
    assert s["worst_shop"] == BETA  # GAMMA's one RO is too few to call


def test_an_empty_period_is_an_empty_report(desk):
    found = run(desk, "turnaround", "2024")
    assert found["rows"] == [] and found["summary"]["ros"] == 0


def test_a_status_change_counts_on_the_desks_day_not_utcs(app):
    """The desk is in New York (the settings' default). Each RO is received late in the desk's
    evening, which is already the next day in UTC; B is in summer time, when New York is 4 hours
    behind, not 5 — read with one offset all year, it would be on time."""
    received = [  # number, dropped off, ETA, received (UTC), the desk's day
        ("A", "2026-02-01", "2026-02-27", datetime(2026, 2, 28, 4, 30)),  # Feb 27, 23:30 EST
        ("B", "2026-07-01", "2026-07-15", datetime(2026, 7, 16, 4, 30)),  # Jul 16, 00:30 EDT
        ("C", "2026-03-01", None, datetime(2026, 4, 1, 3, 30)),  # Mar 31, 23:30 EDT
    ]
    with app.session() as s:
        shop = Shop(name=ALPHA, name_key=ALPHA.upper())
        s.add(shop)
        s.flush()
        for seq, (number, dropped, eta, at) in enumerate(received, start=1):
            ro = RepairOrder(
                number=number, seq=seq, archive="ACTIVE", shop_id=shop.id, shop_name=ALPHA,
                shop_key=ALPHA.upper(), part_number="PN-1", date_made=_d(dropped),
                date_dropped_off=_d(dropped), estimated_delivery=_d(eta), status="RECEIVED",
            )  # fmt: skip
            s.add(ro)
            s.flush()
            s.add(StatusHistory(ro_id=ro.id, status="RECEIVED", changed_by="t", changed_at=at))
        s.commit()
    on_time = run(app, "on_time")["summary"]
    # A on its ETA day (UTC says a day late); B a day late (one offset all year says on time)
    assert (on_time["received"], on_time["on_time"], on_time["late"]) == (3, 1, 1)
    assert run(app, "on_time")["rows"][0]["mean_days_late"] == 1.0
    q1 = run(app, "turnaround", "Q1")["summary"]
    assert (q1["ros"], q1["median_days"], q1["p90_days"]) == (2, 28.0, 30)  # A 26 days, C 30
    assert run(app, "turnaround", "Q2")["summary"]["ros"] == 0  # C came back on Mar 31
    assert run(app, "turnaround", "Q3")["summary"]["median_days"] == 15.0  # B: Jul 1 to 16


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ({"kind": "velocity"}, InvalidInput, "Unknown report"),
        ({"kind": "turnaround", "period": "from 2026-06-30 to 2026-01-01"}, InvalidInput, "before"),
        ({"kind": "turnaround", "period": "Q1 2031"}, InvalidInput, "after today"),
        ({"kind": "turnaround", "shop": "Betta Hydraulic"}, NotFound, "BETA HYDRAULICS"),
        ({"kind": "turnaround", "part": "flux capacitor"}, NotFound, "No RO's part"),
    ],
)
def test_bad_input_is_refused_clearly(desk, args, error, message):
    args = dict(args)
    kind = args.pop("kind")
    with pytest.raises(error) as refused:
        run(desk, kind, **args)
    assert message in str(refused.value)
