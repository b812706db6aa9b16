"""The demo data as written to the database agrees with itself, RO by RO, and with the stock."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from agent.offline.answers import word
from domain.demo import DemoSpec, seed_demo, seed_inventory
from domain.demo_lives import PARTS
from domain.followup import FollowUpPolicy
from domain.models import (
    ActivityLog,
    InventoryItem,
    Notification,
    NotificationRepairOrder,
    RepairOrder,
    StatusHistory,
)
from domain.repair_orders import RepairOrderView
from tests.conftest import TODAY

pytestmark = pytest.mark.dialect  # bulk loads with explicit ids


def _local_day(app, at: datetime) -> date:
    return at.replace(tzinfo=UTC).astimezone(app.settings.tz).date()


def test_every_seeded_ro_agrees_with_its_history_and_emails(app):
    report = seed_demo(app, DemoSpec(ros=300, shops=12, seed=5))
    assert report.created_ros == 300
    policy: FollowUpPolicy = app.repair_orders.policy
    with app.session() as s:
        ros = s.scalars(select(RepairOrder)).unique().all()
        history = defaultdict(list)
        for h in s.scalars(select(StatusHistory).order_by(StatusHistory.id)):
            history[h.ro_id].append(h)
        activity = defaultdict(list)
        for a in s.scalars(select(ActivityLog).order_by(ActivityLog.id)):
            activity[a.ro_id].append(a)
        emails = s.execute(
            select(Notification, NotificationRepairOrder.ro_id).join(NotificationRepairOrder)
        ).all()
        views = {ro.id: RepairOrderView.of(ro, TODAY) for ro in ros}
    assert len(ros) == 300
    for ro in ros:
        steps, log = history[ro.id], activity[ro.id]
        assert steps and steps[0].previous_status is None, ro.number
        assert [h.previous_status for h in steps[1:]] == [h.status for h in steps[:-1]]
        assert steps[-1].status == ro.status and _local_day(app, steps[-1].changed_at) == (
            ro.status_date
        )
        assert _local_day(app, steps[0].changed_at) == ro.date_made
        touched = [
            _local_day(app, a.at) for a in log if a.action not in ("ARCHIVE", "DRAFT_CREATED")
        ]
        assert ro.last_updated == max(touched), ro.number
        assert ro.next_update == policy.next_update(views[ro.id].status, ro.terms, ro.last_updated)
        if views[ro.id].is_overdue:
            assert all(_local_day(app, a.at) < ro.next_update for a in log), ro.number
        assert log[0].action == "CREATE" and log[0].new_value == ro.number
    # sent emails: each about one RO, recorded on it by its approver
    assert emails
    by_id = {ro.id: ro for ro in ros}
    for email, ro_id in emails:
        assert email.state == "SENT" and email.sent_at and email.approved_by
        assert by_id[ro_id].number.endswith(email.subject.rsplit("G", 1)[1])
        assert any(
            a.action == "EMAIL_SENT"
            and a.new_value == email.subject
            and a.actor == email.approved_by
            for a in activity[ro_id]
        )
    # the two lateness facts are told apart in the RO's detail
    late = next(v for v in views.values() if v.eta_passed and not v.is_overdue)
    detail = word("get_repair_order", {"repair_order": late.model_dump(mode="json")})
    assert f"ETA passed {late.days_eta_passed} day" in detail and "overdue" not in detail


def test_the_ros_parts_are_in_stock(app):
    seed_demo(app, DemoSpec(ros=200, shops=10, seed=9))
    seed_inventory(app, parts=500, seed=9)
    with app.session() as s:
        ro_parts = set(s.scalars(select(RepairOrder.part_number)))
        stocked: dict[str, int] = defaultdict(int)
        lines = 0
        for item in s.scalars(select(InventoryItem)):
            stocked[item.part_number] += item.qty or 0
            lines += 1
    assert lines == 500
    for stem, *_ in PARTS:
        assert stocked.get(stem, 0) >= 1, stem
    assert len(ro_parts & set(stocked)) / len(ro_parts) > 0.6
    found = app.inventory.search("066-50008")
    assert found.search_method == "exact" and found.items[0].part_number == "066-50008"
