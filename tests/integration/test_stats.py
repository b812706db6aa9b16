"""Dashboard and priority feed computed in SQL agree with the plain-Python rules."""

import pytest
from sqlalchemy import select

from domain.demo import DemoSpec, seed_demo
from domain.models import RepairOrder
from domain.stats import RoFacts, dashboard, dashboard_from_rows, priority_feed, priority_of
from tests.conftest import TODAY

pytestmark = pytest.mark.dialect  # SQL aggregations


def _facts(app):
    with app.session() as s:
        rows = s.execute(
            select(
                RepairOrder.archive,
                RepairOrder.status,
                RepairOrder.status_date,
                RepairOrder.next_update,
                RepairOrder.estimated_delivery,
                RepairOrder.estimated_cost,
                RepairOrder.final_cost,
                RepairOrder.number,
            )
        ).all()
    return {r.number: RoFacts(*r[:7]) for r in rows}


def test_dashboard_in_sql_matches_the_rules_on_demo_data(app):
    seed_demo(app, DemoSpec(ros=800, shops=12, seed=3))
    with app.session() as s:
        in_sql = dashboard(s, TODAY)
    in_python = dashboard_from_rows(_facts(app).values(), TODAY)
    assert in_sql == in_python
    assert in_sql.total_active > 0 and in_sql.overdue > 0 and in_sql.rai > 0
    assert in_sql.approved_paid + in_sql.approved_net > 0


def test_empty_database_dashboard_is_all_zero(app):
    with app.session() as s:
        d = dashboard(s, TODAY)
    assert d.total_active == 0 and str(d.total_estimated_value) == "0.00"


def test_priority_feed_in_sql_matches_the_rules(app):
    seed_demo(app, DemoSpec(ros=400, shops=8, seed=11))
    facts = _facts(app)
    with app.session() as s:
        feed = priority_feed(s, TODAY, limit=1000)
    active = {n for n, f in facts.items() if f.archive == "ACTIVE"}
    assert {item.number for item in feed} == active
    for item in feed:
        assert item.priority == priority_of(facts[item.number], TODAY), item.number
    priorities = [item.priority for item in feed]
    assert priorities == sorted(priorities)
    assert len(set(priorities)) >= 3
