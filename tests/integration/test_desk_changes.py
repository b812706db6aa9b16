"""The desk's changes in a period ("what changed yesterday?"): the activity log read by the
desk's days, on SQLite and MariaDB."""

from __future__ import annotations

from datetime import date, datetime
from typing import get_args

import pytest
from sqlalchemy import delete, select

from domain.desk_changes import KINDS, ChangeQuery, desk_changes
from domain.errors import InvalidInput
from domain.models import ActivityLog, RepairOrder
from domain.periods import parse_period
from domain.roles import SYSTEM, Actor, Role
from jobs.operation import OperationContext
from jobs.operations.repair_orders import recent_changes
from tests.conftest import TODAY
from tools.repair_orders import ChangeKind

pytestmark = pytest.mark.dialect  # the day's bounds, LIKE and its escapes, the counts


@pytest.fixture
def desk(app):
    for number, shop in (("38001", "Avtech Hydraulics"), ("38002", "Moog Aircraft Repair"),
                         ("38003", "Avtech Hydraulics")):  # fmt: skip
        app.repair_orders.create(
            SYSTEM, {"shop_name": shop, "part_number": "066-50008"}, number=number
        )
    with app.session() as s:
        ids = dict(s.execute(select(RepairOrder.number, RepairOrder.id)).all())
    with app.uow() as uow:  # only the changes below: times chosen to the minute (UTC)
        uow.session.execute(delete(ActivityLog))

        def change(ro, at, actor, field, old, new):
            uow.session.add(ActivityLog(
                ro_id=ids[ro], action="UPDATE", field=field, old_value=old, new_value=new,
                actor=actor, source="chat", at=datetime.fromisoformat(at),
            ))  # fmt: skip

        # New York is UTC-5 in November: its Nov 19 is 05:00 UTC Nov 19 to 05:00 UTC Nov 20
        change("38001", "2026-11-19 04:59", "ana@genthrust.test", "eta", None, "2026-12-01")
        change("38001", "2026-11-19 05:00", "Ana@genthrust.test", "terms", "NET 30", "COD")
        change("38002", "2026-11-19 14:00", "ed@genthrust.test", "notes", None, "x" * 500)
        change("38003", "2026-11-20 04:59", "ed@genthrust.test", "shop_ref", None, "W1")
        change("38003", "2026-11-20 05:00", "ed@genthrust.test", "shop_ref", "W1", "W2")
        uow.commit()
    app.repair_orders.delete(SYSTEM, "38002", reason="duplicate")  # its changes stay changes
    return app


def _changes(app, period="yesterday", **filters):
    query = ChangeQuery(parse_period(period, TODAY), **filters)
    with app.session() as session:
        return desk_changes(session, query, app.settings.tz)


def _seen(result) -> list[tuple[str, str]]:
    return [(item["ro_number"], item["field"]) for item in result["items"]]


def test_a_period_is_the_desks_days(desk):
    yesterday = _changes(desk)
    assert yesterday["period"] == {
        "label": "yesterday (2026-11-19)", "start": "2026-11-19", "end": "2026-11-19"
    }  # fmt: skip
    assert _seen(yesterday) == [("38003", "shop_ref"), ("38002", "notes"), ("38001", "terms")]
    assert (yesterday["total"], yesterday["ros"]) == (3, 3)
    assert yesterday["items"][0]["when"] == "Nov 19, 23:59 EST"
    assert yesterday["items"][0]["day"] == "2026-11-19"
    assert _seen(_changes(desk, "2026-11-18")) == [("38001", "eta")]
    assert _seen(_changes(desk, "today")) == [("38003", "shop_ref")]
    assert _changes(desk, "this week")["total"] == 5


def test_shop_person_and_limit(desk):
    avtech = _changes(desk, "this week", shop="  avtech  hydraulics")
    assert _seen(avtech) == [("38003", "shop_ref"), ("38003", "shop_ref"), ("38001", "terms"),
                             ("38001", "eta")]  # fmt: skip
    ana = _changes(desk, "this week", person="ANA")  # whoever typed the email's case
    assert ana["by_person"] == [["ana@genthrust.test", 2]]  # one person, on both databases
    cut = _changes(desk, "this week", limit=2)
    assert (cut["returned"], cut["total"], cut["ros"]) == (2, 5, 3)
    assert cut["by_person"][0] == ["ed@genthrust.test", 3]
    # LIKE's wildcards in what a person typed are text: nothing is called "%"
    assert _changes(desk, "this week", shop="%")["total"] == 0
    assert _changes(desk, "this week", person="_")["total"] == 0


def test_one_kind_of_change(desk):
    with desk.uow() as uow:
        ro_id = uow.session.scalar(select(RepairOrder.id).where(RepairOrder.number == "38001"))
        uow.session.add(ActivityLog(
            ro_id=ro_id, action="ARCHIVE", field="archive", old_value="ACTIVE", new_value="PAID",
            actor="ed@genthrust.test", source="chat", at=datetime(2026, 11, 19, 15, 0),
        ))  # fmt: skip
        uow.commit()
    archived = _changes(desk, kind="archive")
    assert (archived["total"], archived["ros"], _seen(archived)) == (1, 1, [("38001", "archive")])
    assert _changes(desk, kind="edits")["total"] == 3
    assert _changes(desk, kind="status")["total"] == 0
    with pytest.raises(InvalidInput, match="Unknown kind 'stuff'"):
        _changes(desk, kind="stuff")
    assert set(get_args(ChangeKind)) == set(KINDS)  # the tool's contract names every kind


def test_long_values_are_cut_and_deleted_ros_still_show(desk):
    [notes] = [i for i in _changes(desk)["items"] if i["field"] == "notes"]
    assert notes["ro_number"] == "38002" and notes["new"] == "x" * 200 + "…"
    assert _seen(_changes(desk, shop="moog")) == [("38002", "notes")]  # deleted, still its shop's


def test_the_operation_refuses_what_it_cannot_read(desk):
    ctx = OperationContext(desk, SYSTEM, desk.uow)
    assert recent_changes(ctx, period="yesterday")["total"] == 3
    with pytest.raises(InvalidInput, match="period"):
        recent_changes(ctx, period="smarch")
    with pytest.raises(InvalidInput, match="starts after today"):
        recent_changes(ctx, period="2026-12-01")
    with pytest.raises(InvalidInput, match="limit"):
        recent_changes(ctx, period="today", limit=0)
    with pytest.raises(InvalidInput, match="shop"):
        recent_changes(ctx, shop="avtech " * 100)
    with pytest.raises(InvalidInput, match="person"):
        recent_changes(ctx, person="<script>alert(1)</script>")
    assert date.fromisoformat(recent_changes(ctx)["period"]["start"]) == TODAY


def test_me_is_the_person_asking(desk):
    """ "what did I do yesterday?": the offline model says "me"; the operation reads it as the
    one asking, whatever the case or spacing — not someone whose email contains "me"."""
    ed = OperationContext(desk, Actor("ed@genthrust.test", Role.EDITOR, "chat"), desk.uow)
    mine = recent_changes(ed, period="yesterday", person=" Me ")
    assert mine["filters"]["person"] == "ed@genthrust.test" and mine["filters"]["person_is_asker"]
    assert not recent_changes(ed, period="yesterday", person="ed")["filters"]["person_is_asker"]
    assert mine["by_person"] == [["ed@genthrust.test", 2]] and mine["total"] == 2
    ana = OperationContext(desk, Actor("ana@genthrust.test", Role.VIEWER, "chat"), desk.uow)
    assert recent_changes(ana, period="yesterday", person="myself")["by_person"] == [
        ["ana@genthrust.test", 1]
    ]
