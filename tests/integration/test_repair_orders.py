"""The repair-order services on real databases (SQLite and MariaDB)."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bootstrap import bootstrap
from config import load_settings
from domain.archive import Archive
from domain.errors import (
    DuplicateRepairOrder,
    Forbidden,
    InvalidDate,
    InvalidInput,
    InvalidStatus,
    InvalidText,
    InvalidTransition,
    NotFound,
    StaleVersion,
)
from domain.models import ActivityLog, DomainEvent, RepairOrder, Shop, StatusHistory
from domain.repair_orders import ListFilter
from domain.roles import Actor, Role
from domain.statuses import Status
from tests.conftest import TODAY

# Service write paths, version-column races, concurrent numbering, SQL filters.
pytestmark = pytest.mark.dialect

EDITOR = Actor("erin@genthrust.test", Role.EDITOR, "test")
VIEWER = Actor("vic@genthrust.test", Role.VIEWER, "test")


def _snapshot(app):
    """Everything a failed write must leave untouched."""
    with app.session() as s:
        return (
            [
                tuple(r)
                for r in s.execute(
                    select(
                        RepairOrder.number,
                        RepairOrder.status,
                        RepairOrder.notes,
                        RepairOrder.version,
                    )
                )
            ],
            s.scalar(select(func.count()).select_from(ActivityLog)),
            s.scalar(select(func.count()).select_from(StatusHistory)),
            s.scalar(select(func.count()).select_from(DomainEvent)),
        )


@pytest.fixture
def ro(app):
    with app.session() as s:
        s.add(
            Shop(
                name="Avtech Hydraulics",
                name_key="AVTECH HYDRAULICS",
                email="repairs@avtech.test",
                payment_terms="NET 30",
            )
        )
        s.commit()
    return app.repair_orders.create(
        EDITOR,
        {
            "shop_name": "avtech  hydraulics",
            "part_number": "066-50008",
            "estimated_cost": "6500",
            "part_description": "HYDRAULIC PUMP",
        },
        number="G38462",
    )


def test_create_links_the_shop_takes_its_terms_and_schedules_a_follow_up(app, ro):
    assert ro.number == "38462"
    assert ro.shop_email == "repairs@avtech.test"
    assert ro.terms == "NET 30"
    assert ro.status is Status.WAITING_QUOTE
    assert ro.status_date == TODAY
    assert ro.next_update == TODAY + timedelta(days=7)
    assert ro.estimated_cost == Decimal("6500.00")
    assert app.repair_orders.get("RO# G38462").number == "38462"


def test_new_numbers_follow_the_highest_across_all_archives(app, ro):
    app.repair_orders.archive(EDITOR, ro.number, "Returns")
    nxt = app.repair_orders.create(EDITOR, {"part_number": "X1"})
    assert nxt.number == "38463"
    with pytest.raises(DuplicateRepairOrder):
        app.repair_orders.create(EDITOR, {"part_number": "X2"}, number="38462")


def test_concurrent_creates_get_distinct_numbers(app, ro):
    numbers, errors = [], []

    def make():
        try:
            numbers.append(app.repair_orders.create(EDITOR, {"part_number": "P"}).number)
        except Exception as exc:
            errors.append(exc)

    # twelve at once: each round of allocation one wins, so some lose several times running
    threads = [threading.Thread(target=make) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [str(n) for n in range(38463, 38475)]


def test_status_change_records_history_activity_and_an_event(app, ro):
    after = app.repair_orders.change_status(EDITOR, ro.number, "APPROVED >>>>", note="quote ok")
    assert after.status is Status.APPROVED
    assert after.next_update == TODAY + timedelta(days=10)
    assert after.last_updated == TODAY
    assert after.version == ro.version + 1
    with app.session() as s:
        history = s.scalars(select(StatusHistory).order_by(StatusHistory.id)).all()
        assert [(h.previous_status, h.status) for h in history] == [
            (None, "WAITING QUOTE"),
            ("WAITING QUOTE", "APPROVED"),
        ]
        assert history[-1].changed_by == EDITOR.name and history[-1].note == "quote ok"
        event = s.scalars(select(DomainEvent).order_by(DomainEvent.id.desc())).first()
        assert event.name == "ro.status_changed"
        assert event.payload == {
            "old": "WAITING QUOTE",
            "new": "APPROVED",
            "suggested_archive": "ACTIVE",
        }
    log = app.repair_orders.activity(ro.number)
    assert (log[1].action, log[1].old_value, log[1].new_value) == (
        "STATUS_CHANGE",
        "WAITING QUOTE",
        "APPROVED",
    )


def test_events_reach_handlers_only_after_commit(db_url, tmp_path, ro):
    seen = []
    app = bootstrap(
        load_settings(database_url=db_url, var_dir=tmp_path / "var"),
        process="test",
        today=lambda: TODAY,
        handlers=[seen.append],
    )
    app.repair_orders.update(EDITOR, ro.number, {"tracking": "1Z999"})
    with pytest.raises(InvalidTransition):
        app.repair_orders.change_status(EDITOR, ro.number, "TO SEND")
    assert [(e.name, e.ro_number, e.payload) for e in seen] == [
        ("ro.updated", "38462", {"fields": ["tracking_number"]})
    ]
    assert seen[0].id is not None
    app.engine.dispose()


def test_field_updates_are_logged_old_and_new(app, ro):
    after = app.repair_orders.update(
        EDITOR, ro.number, {"eta": "12/15/26", "cost": "$7,100.50", "notes": "AOG\nexpedite"}
    )
    assert after.estimated_delivery.isoformat() == "2026-12-15"
    assert after.estimated_cost == Decimal("7100.50")
    assert after.notes == "AOG\nexpedite"
    changes = {
        (a.field, a.old_value, a.new_value)
        for a in app.repair_orders.activity(ro.number)
        if a.action == "UPDATE"
    }
    assert changes == {
        ("estimated_delivery", None, "2026-12-15"),
        ("estimated_cost", "6500.00", "7100.50"),
        ("notes", None, "AOG\nexpedite"),
    }


def test_an_unchanged_update_writes_nothing(app, ro):
    before = _snapshot(app)
    same = app.repair_orders.update(EDITOR, ro.number, {"part_number": "066-50008"})
    assert same.version == ro.version
    assert _snapshot(app) == before


def test_sql_in_text_is_stored_as_text(app, ro):
    payload = "x'); DROP TABLE repair_orders; --"
    app.repair_orders.update(EDITOR, ro.number, {"shop_ref": payload})
    assert app.repair_orders.get(ro.number).shop_ref == payload
    assert len(app.repair_orders.list(ListFilter(archive=None)).items) == 1


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda a, n: a.repair_orders.change_status(EDITOR, "99999", "APPROVED"),
            NotFound,
            "no RO 99999",
        ),
        (
            lambda a, n: a.repair_orders.change_status(EDITOR, n, "FIXED-ISH"),
            InvalidStatus,
            "not a status",
        ),
        (
            lambda a, n: a.repair_orders.change_status(EDITOR, n, "TO SEND"),
            InvalidTransition,
            "cannot move",
        ),
        (
            lambda a, n: a.repair_orders.update(EDITOR, n, {"eta": "31/31/2026"}),
            InvalidDate,
            "not a date",
        ),
        (
            lambda a, n: a.repair_orders.update(EDITOR, n, {"notes": "x" * 5001}),
            InvalidText,
            "limit",
        ),
        (
            lambda a, n: a.repair_orders.update(EDITOR, n, {"notes": "<script>x</script>"}),
            InvalidText,
            "markup",
        ),
        (
            lambda a, n: a.repair_orders.update(EDITOR, n, {"archive": "PAID"}),
            InvalidInput,
            "not a field",
        ),
        (
            lambda a, n: a.repair_orders.update(EDITOR, n, {"cost": "-3"}),
            InvalidInput,
            "out of range",
        ),
        (lambda a, n: a.repair_orders.update(VIEWER, n, {"cost": "3"}), Forbidden, "editor role"),
        (
            lambda a, n: a.repair_orders.archive(EDITOR, n, "Active"),
            InvalidInput,
            "already in Active",
        ),
        (
            lambda a, n: a.repair_orders.change_status(EDITOR, n, "APPROVED", note="<b>hi</b>"),
            InvalidText,
            "markup",
        ),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(app, ro, call, error, message):
    before = _snapshot(app)
    with pytest.raises(error, match=message):
        call(app, ro.number)
    assert _snapshot(app) == before


def test_a_concurrent_edit_is_detected_not_lost(app, ro):
    seen_by_alice = app.repair_orders.get(ro.number).version
    seen_by_bob = seen_by_alice
    app.repair_orders.update(
        EDITOR, ro.number, {"notes": "Alice: shop called"}, expected_version=seen_by_alice
    )
    with pytest.raises(StaleVersion, match="changed since you read it"):
        app.repair_orders.update(
            EDITOR, ro.number, {"notes": "Bob: overwrite"}, expected_version=seen_by_bob
        )
    assert app.repair_orders.get(ro.number).notes == "Alice: shop called"


def test_a_race_between_two_writers_is_caught_by_the_version_column(app, ro):
    """Both load version 1 in their own transaction; the second commit must fail, not overwrite."""
    from domain.values import normalize_ro_number

    s1, s2 = app.session(), app.session()
    try:
        number = normalize_ro_number(ro.number)
        a = s1.scalar(select(RepairOrder).where(RepairOrder.number == number))
        b = s2.scalar(select(RepairOrder).where(RepairOrder.number == number))
        a.notes = "first"
        s1.commit()
        b.notes = "second"
        from sqlalchemy.orm.exc import StaleDataError

        with pytest.raises(StaleDataError):
            s2.commit()
    finally:
        s1.close()
        s2.close()
    assert app.repair_orders.get(ro.number).notes == "first"


def test_archive_follows_status_and_terms_or_asks(app, ro):
    app.repair_orders.change_status(EDITOR, ro.number, "IN WORK")
    app.repair_orders.change_status(EDITOR, ro.number, "SHIPPED")
    app.repair_orders.change_status(EDITOR, ro.number, "RECEIVED")
    moved = app.repair_orders.archive(EDITOR, ro.number)
    assert moved.archive is Archive.NET  # NET 30 terms
    other = app.repair_orders.create(EDITOR, {"part_number": "Z"}, status="RECEIVED")
    with pytest.raises(InvalidInput, match="payment terms"):
        app.repair_orders.archive(EDITOR, other.number)
    assert app.repair_orders.get(other.number).archive is Archive.ACTIVE


def test_listing_filters(app, ro):
    late = app.repair_orders.create(
        EDITOR, {"shop_name": "Dallas Airmotive", "next_update": "2026-11-01"}, status="IN WORK"
    )
    assert late.is_overdue and late.days_overdue == 19
    overdue = app.repair_orders.list(ListFilter(overdue=True))
    assert [r.number for r in overdue.items] == [late.number]
    by_shop = app.repair_orders.list(ListFilter(shop="avtech"))
    assert [r.number for r in by_shop.items] == ["38462"]
    by_status = app.repair_orders.list(ListFilter(status=Status.IN_WORK))
    assert by_status.total == 1
    weird_shop = app.repair_orders.list(ListFilter(shop="%_"))
    assert weird_shop.total == 0
    with pytest.raises(InvalidInput, match="limit"):
        app.repair_orders.list(ListFilter(limit=100000))


def test_list_versions_pages_as_the_list_does(app, ro):
    for n in range(4):
        app.repair_orders.create(EDITOR, {"part_number": f"P{n}"}, status="IN WORK")
    for limit, offset in [(500, 0), (2, 0), (2, 2), (2, 4), (5, 0), (3, 3), (2, 5), (2, 40)]:
        flt = ListFilter(archive=Archive.ACTIVE, limit=limit, offset=offset)
        listed = app.repair_orders.list(flt)
        total, pairs = app.repair_orders.list_versions(flt)
        assert total == listed.total == 5, (limit, offset)
        assert pairs == [(r.number, r.version) for r in listed.items], (limit, offset)
    none = ListFilter(archive=Archive.PAID)
    assert app.repair_orders.list_versions(none) == (0, [])
