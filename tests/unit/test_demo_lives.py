"""The demo data does not contradict itself: every simulated RO, one by one, against the rules."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from domain.archive import Archive, route_archive
from domain.demo_lives import APPROVERS, DESK, RoLife, ShopFacts, simulate
from domain.followup import FollowUpPolicy
from domain.overdue import eta_passed, is_overdue
from domain.statuses import Status, check_transition

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 10, 30)  # mid-morning: later events today did not happen yet
POLICY = FollowUpPolicy()
SHOPS = [
    ShopFacts(i, f"Shop {i}", f"SHOP {i}", None if i % 6 == 0 else f"r@s{i}.example", "Kim", t)
    for i, t in enumerate(["NET 30", "NET 45", "COD", "PREPAID", "WIRE", "NET 30", None] * 3)
]
# Activity that is not a touch of the RO (does not move last/next update)
NOT_A_TOUCH = {"ARCHIVE", "DRAFT_CREATED"}


def lives(seed: int, count: int = 400, today: date = TODAY, now: datetime = NOW) -> list[RoLife]:
    rng = random.Random(seed)
    return list(simulate(count, SHOPS, today, now, POLICY, rng, 38_000))


CASES = [lf for seed in (7, 2026) for lf in lives(seed, 250)]


def _ids(life: RoLife) -> str:
    return life.changes[0].new


@pytest.mark.parametrize("life", CASES, ids=_ids)
def test_each_ro_is_consistent_with_its_own_history(life: RoLife):
    row = life.row
    steps = life.statuses
    # statuses: moves the rules allow, in order; the RO is in the last one since its date
    previous = None
    for step in steps:
        assert step.previous == previous
        check_transition(previous, step.status)
        previous = step.status
    assert row["status"] == steps[-1].status.value
    assert row["status_date"] == steps[-1].at.date()
    # made <= dropped off <= each status date (once at the shop) <= today
    made, dropped = row["date_made"], row["date_dropped_off"]
    assert steps[0].at.date() == made
    dates = [s.at.date() for s in steps]
    assert dates == sorted(dates) and dates[-1] <= TODAY
    if dropped is not None:
        assert made <= dropped
        assert all(dropped <= s.at.date() for s in steps if s.status is not Status.TO_SEND)
    else:
        assert all(s.status in (Status.TO_SEND, Status.CANCELLED) for s in steps)
    # every change in time order, none in the future, each status move logged by its actor
    times = [c.at for c in life.changes]
    assert times == sorted(times) and times[-1] <= NOW
    moves = [
        (c.at, c.actor, c.new) for c in life.changes if c.action in ("CREATE", "STATUS_CHANGE")
    ]
    assert [(at, who) for at, who, _ in moves] == [(s.at, s.actor) for s in steps]
    assert all(c.actor in DESK + APPROVERS for c in life.changes)
    # last updated = the day of the last touch; next update = that day + the rule's offset
    touches = [c.at.date() for c in life.changes if c.action not in NOT_A_TOUCH]
    assert row["last_updated"] == max(touches)
    assert row["next_update"] == POLICY.next_update(
        Status(row["status"]), row["terms"], row["last_updated"]
    )
    # so an RO is overdue only because nobody touched it once its follow-up fell due
    if row["archive"] == "ACTIVE" and is_overdue(row["next_update"], TODAY):
        assert all(c.at.date() < row["next_update"] for c in life.changes)
    # the row's fields are what the activity log says they were last set to (the follow-up
    # dates move with every touch, and only a sent email logs that move)
    for change in life.changes:
        if change.action == "UPDATE" and change.field not in ("next_update", "last_updated"):
            last = [c for c in life.changes if c.action == "UPDATE" and c.field == change.field]
            value = row[change.field]
            shown = value.isoformat() if isinstance(value, date) else value
            assert str(shown) == last[-1].new, change.field
    # archived where the status and terms send it, through logged moves
    moves_to = [c.new for c in life.changes if c.action == "ARCHIVE"]
    assert row["archive"] == (moves_to[-1] if moves_to else "ACTIVE")
    if row["archive"] != "ACTIVE":
        assert route_archive(Status(row["status"]), row["terms"]).archive == Archive(row["archive"])
    # an ETA comes with the approved quote, then with the shipment; past only when the shop is late
    status = Status(row["status"])
    if all(s.status in (Status.TO_SEND, Status.WAITING_QUOTE, Status.ON_HOLD) for s in steps):
        assert row["estimated_delivery"] is None and row["estimated_cost"] is None
    if row["archive"] == "ACTIVE" and eta_passed(status, row["estimated_delivery"], TODAY):
        assert status in (Status.APPROVED, Status.IN_WORK, Status.ON_HOLD, Status.SHIPPED)
    assert (row["tracking_number"] is not None) == (Status.SHIPPED in [s.status for s in steps])
    # emails: sent to shops that have an address, approved by an approver, logged on the RO
    for email in life.emails:
        assert SHOPS[row["shop_id"]].email
        assert email.drafted_by in DESK and email.approved_by in APPROVERS
        assert email.drafted_at <= email.sent_at <= NOW
        assert any(
            c.action == "EMAIL_SENT" and c.new == email.subject and c.at == email.sent_at
            for c in life.changes
        )
        assert email.subject.endswith(f"G{_ids(life)}")


def test_the_desk_looks_like_a_desk():
    """The mix that makes the demo useful: some overdue, some late shops, some emails, every
    archive, and not all of it at once."""
    everything = lives(7, 650)
    active = [lf.row for lf in everything if lf.row["archive"] == "ACTIVE"]
    overdue = [r for r in active if is_overdue(r["next_update"], TODAY)]
    late = [r for r in active if eta_passed(Status(r["status"]), r["estimated_delivery"], TODAY)]
    assert 0.05 < len(overdue) / len(active) < 0.35
    assert 0.05 < len(late) / len(active) < 0.35
    assert {lf.row["archive"] for lf in everything} == {a.value for a in Archive}
    assert sum(len(lf.emails) for lf in everything) > 50
    assert sum(1 for lf in everything if len(lf.statuses) >= 3) > len(everything) / 2


def test_same_seed_same_data_and_nothing_after_now():
    assert [lf.row for lf in lives(5, 60)] == [lf.row for lf in lives(5, 60)]
    early = datetime(2026, 11, 20, 8, 5)
    for life in lives(5, 200, now=early):
        assert all(c.at <= early for c in life.changes)
    later = lives(5, 60, today=TODAY + timedelta(days=30), now=NOW + timedelta(days=30))
    shifted = [lf.row["date_made"] + timedelta(days=30) for lf in lives(5, 60)]
    assert [lf.row["date_made"] for lf in later] == shifted
