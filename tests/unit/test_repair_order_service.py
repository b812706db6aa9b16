"""RepairOrderService's rules on the in-memory unit of work: no database, milliseconds.

The same service runs on SQLite and MariaDB in tests/integration/test_repair_orders.py; these
tests pin the rules (history, activity, events, versions, follow-ups, archives, previews)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.archive import Archive
from domain.errors import (
    DuplicateRepairOrder,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    StaleVersion,
)
from domain.followup import FollowUpPolicy
from domain.models import RepairOrder, Shop
from domain.repair_orders import ListFilter, RepairOrderService, _versions_queries
from domain.roles import Actor, Role
from domain.statuses import Status
from domain.values import ro_sequence
from tests.fakes.unit_of_work import FakeRepairOrders, FakeUnitOfWorkFactory

TODAY = date(2026, 11, 20)
EDITOR = Actor("erin@genthrust.test", Role.EDITOR, "test")
VIEWER = Actor("vic@genthrust.test", Role.VIEWER, "test")


def a_repair_order(number: str = "38462", **fields) -> RepairOrder:
    values = {
        "archive": "ACTIVE",
        "status": "WAITING QUOTE",
        "status_date": TODAY - timedelta(days=10),
        "shop_name": "Avtech Hydraulics",
        "shop_key": "AVTECH HYDRAULICS",
        "part_number": "066-50008",
        "estimated_cost": Decimal("6500.00"),
        "terms": "NET 30",
        "last_updated": TODAY - timedelta(days=10),
        "next_update": TODAY - timedelta(days=3),
    } | fields
    return RepairOrder(number=number, seq=ro_sequence(number), **values)


def avtech() -> Shop:
    return Shop(
        name="Avtech Hydraulics",
        name_key="AVTECH HYDRAULICS",
        email="repairs@avtech.test",
        payment_terms="NET 45",
    )


def service_over(*ros: RepairOrder, policy: FollowUpPolicy | None = None, handlers=()):
    uows = FakeUnitOfWorkFactory(FakeRepairOrders(ros, shops=[avtech()]), handlers)
    return RepairOrderService(uows, policy or FollowUpPolicy(), lambda: TODAY), uows


def nothing_committed(uows: FakeUnitOfWorkFactory) -> bool:
    return not any(u.committed for u in uows.units) and not (uows.events or uows.activity)


# ---- status -------------------------------------------------------------------------------
def test_a_status_change_records_history_activity_and_one_event():
    service, uows = service_over(a_repair_order())
    after = service.change_status(EDITOR, "RO# G38462", "APPROVED >>>>", note="quote ok")

    assert (after.status, after.status_date, after.version) == (Status.APPROVED, TODAY, 2)
    [history] = uows.history
    assert (history.previous_status, history.status) == ("WAITING QUOTE", "APPROVED")
    assert (history.changed_by, history.note) == (EDITOR.name, "quote ok")
    assert [(a.action, a.field, a.old_value, a.new_value, a.source) for a in uows.activity] == [
        ("STATUS_CHANGE", "status", "WAITING QUOTE", "APPROVED", "test"),
        ("NOTE_ADDED", "status_note", None, "quote ok", "test"),
    ]
    [event] = uows.events
    assert (event.name, event.ro_number, event.actor) == ("ro.status_changed", "38462", EDITOR.name)
    assert event.payload == {
        "old": "WAITING QUOTE",
        "new": "APPROVED",
        "suggested_archive": "ACTIVE",
    }


@pytest.mark.parametrize(
    ("status", "terms", "next_update"),
    [
        ("IN WORK", "NET 30", TODAY + timedelta(days=21)),  # the configured override
        ("SHIPPED", "NET 30", TODAY + timedelta(days=5)),
        ("PAID", "NET 45", TODAY + timedelta(days=45)),  # paid waits on the terms
        ("PAID", "COD", None),  # nothing to chase
    ],
)
def test_a_status_change_moves_next_update_by_the_follow_up_policy(status, terms, next_update):
    policy = FollowUpPolicy.with_overrides({"BEING REPAIRED": 21})
    service, _ = service_over(a_repair_order(terms=terms), policy=policy)
    after = service.change_status(EDITOR, "38462", status)
    assert (after.last_updated, after.next_update) == (TODAY, next_update)


def test_an_invalid_transition_is_refused_and_nothing_is_committed():
    service, uows = service_over(a_repair_order())
    with pytest.raises(InvalidTransition, match="cannot move to TO SEND"):
        service.change_status(EDITOR, "38462", "TO SEND", note="back to the start")
    assert nothing_committed(uows)
    ro = uows.repair_orders.get("38462")
    assert (ro.status, ro.version) == ("WAITING QUOTE", 1)


# ---- versions -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "write",
    [
        lambda s: s.update(EDITOR, "38462", {"notes": "mine"}, expected_version=2),
        lambda s: s.change_status(EDITOR, "38462", "APPROVED", expected_version=2),
        lambda s: s.archive(EDITOR, "38462", "Returns", expected_version=2),
    ],
    ids=["update", "change_status", "archive"],
)
def test_a_stale_expected_version_is_refused(write):
    service, uows = service_over(a_repair_order(version=3))
    with pytest.raises(StaleVersion, match=r"changed since you read it \(version 2, now 3"):
        write(service)
    assert nothing_committed(uows)
    assert uows.repair_orders.get("38462").notes is None


def test_each_committed_change_moves_the_version_so_a_second_writer_is_refused():
    service, _ = service_over(a_repair_order())
    seen = service.get("38462").version
    assert service.update(EDITOR, "38462", {"notes": "Alice"}, expected_version=seen).version == 2
    with pytest.raises(StaleVersion):
        service.update(EDITOR, "38462", {"notes": "Bob"}, expected_version=seen)
    assert service.get("38462").notes == "Alice"


# ---- fields -------------------------------------------------------------------------------
def test_a_field_update_logs_old_and_new_per_field_and_touches_last_and_next_update():
    service, uows = service_over(a_repair_order())
    after = service.update(
        EDITOR, "38462", {"eta": "12/15/26", "cost": "$7,100.50", "notes": "AOG\nexpedite"}
    )
    assert {(a.action, a.field, a.old_value, a.new_value) for a in uows.activity} == {
        ("UPDATE", "estimated_delivery", None, "2026-12-15"),
        ("UPDATE", "estimated_cost", "6500.00", "7100.50"),
        ("UPDATE", "notes", None, "AOG\nexpedite"),
    }
    assert after.last_updated == TODAY
    assert after.next_update == TODAY + timedelta(days=7)  # WAITING QUOTE waits a week
    assert [(e.name, e.payload) for e in uows.events] == [
        ("ro.updated", {"fields": ["estimated_cost", "estimated_delivery", "notes"]})
    ]


def test_an_explicit_next_update_is_kept_and_a_new_shop_name_relinks_the_shop():
    service, _ = service_over(a_repair_order(shop_name="Someone Else", shop_key="SOMEONE ELSE"))
    after = service.update(
        EDITOR, "38462", {"next_update": "2026-12-01", "shop": " avtech   hydraulics "}
    )
    assert (after.last_updated, after.next_update) == (TODAY, date(2026, 12, 1))
    assert (after.shop_name, after.shop_email) == ("avtech hydraulics", "repairs@avtech.test")


def test_an_update_that_changes_nothing_commits_nothing():
    service, uows = service_over(a_repair_order())
    same = service.update(EDITOR, "38462", {"part": "066-50008"})
    assert same.version == 1
    assert nothing_committed(uows)


# ---- archives -----------------------------------------------------------------------------
@pytest.mark.parametrize(("terms", "archive"), [("NET 30", Archive.NET), ("COD", Archive.PAID)])
def test_archive_without_a_target_follows_status_and_terms(terms, archive):
    service, uows = service_over(a_repair_order(status="RECEIVED", terms=terms))
    moved = service.archive(EDITOR, "38462")
    assert (moved.archive, moved.version) == (archive, 2)
    assert [(a.action, a.old_value, a.new_value) for a in uows.activity] == [
        ("ARCHIVE", "ACTIVE", archive.value)
    ]
    assert [(e.name, e.payload) for e in uows.events] == [
        ("ro.archived", {"old": "ACTIVE", "new": archive.value})
    ]


def test_archive_without_a_target_asks_when_the_ro_has_no_terms():
    service, uows = service_over(a_repair_order(status="RECEIVED", terms=None))
    with pytest.raises(InvalidInput, match="Ask the person"):
        service.preview_archive("38462")
    with pytest.raises(InvalidInput, match=r"RO 38462: .*payment terms"):
        service.archive(EDITOR, "38462")
    assert nothing_committed(uows)
    assert uows.repair_orders.get("38462").archive == "ACTIVE"


# ---- previews -----------------------------------------------------------------------------
def test_previews_show_old_and_new_and_change_nothing():
    service, uows = service_over(a_repair_order(status="SHIPPED"))
    status = service.preview_status_change("38462", "received")
    assert status.changes == [
        ("status", "SHIPPED", "RECEIVED"),
        ("next update", "2026-11-17", "2026-11-23"),
    ]
    assert (status.version, status.args["status"]) == (1, "RECEIVED")
    assert status.note == "Afterwards it belongs in Net (received on NET 30 terms)."
    update = service.preview_update("38462", {"eta": "12/15/26", "part": "066-50008"})
    assert update.changes == [("estimated delivery", "—", "2026-12-15")]
    assert update.args == {"number": "38462", "changes": {"estimated_delivery": "2026-12-15"}}
    assert update.unchanged is None
    assert nothing_committed(uows)


def test_previews_say_unchanged_when_nothing_differs():
    service, _ = service_over(a_repair_order())
    update = service.preview_update("38462", {"part": "066-50008", "cost": "6,500"})
    assert (update.changes, update.unchanged) == ([], "RO 38462 already has those values.")
    archive = service.preview_archive("38462", "active")
    assert archive.unchanged == "RO 38462 is already in Active."


# ---- create -------------------------------------------------------------------------------
def test_create_takes_the_next_number_across_all_archives():
    service, uows = service_over(a_repair_order(), a_repair_order("38470", archive="RETURNS"))
    new = service.create(EDITOR, {"part_number": "X1"})
    assert (new.number, new.archive, new.version) == ("38471", Archive.ACTIVE, 1)
    assert [(h.previous_status, h.status) for h in uows.history] == [(None, "WAITING QUOTE")]
    assert [(a.action, a.new_value) for a in uows.activity] == [("CREATE", "38471")]
    assert [(e.name, e.ro_number, e.payload) for e in uows.events] == [
        ("ro.created", "38471", {"archive": "ACTIVE"})
    ]
    with pytest.raises(DuplicateRepairOrder, match="RO 38470 already exists"):
        service.create(EDITOR, {"part_number": "X2"}, number="G38470")


def test_create_links_a_known_shop_and_takes_its_terms():
    service, _ = service_over()
    new = service.create(EDITOR, {"shop_name": "avtech  hydraulics", "part_number": "P"})
    assert (new.shop_email, new.terms) == ("repairs@avtech.test", "NET 45")
    assert (new.status, new.status_date, new.last_updated) == (Status.WAITING_QUOTE, TODAY, TODAY)
    assert new.next_update == TODAY + timedelta(days=7)


def test_create_allocates_again_when_its_number_is_taken_meanwhile():
    class Racing(FakeRepairOrders):
        raced = False

        def next_number(self) -> str:
            number = super().next_number()
            if not self.raced:  # another writer commits this number first
                self.raced = True
                self.seed(a_repair_order(number))
            return number

    uows = FakeUnitOfWorkFactory(Racing([a_repair_order()]))
    service = RepairOrderService(uows, FollowUpPolicy(), lambda: TODAY)
    assert service.create(EDITOR, {"part_number": "P"}).number == "38464"
    assert [u.committed for u in uows.units] == [False, True]


# ---- who may write, and when handlers hear of it ----------------------------------------
@pytest.mark.parametrize(
    "write",
    [
        lambda s: s.create(VIEWER, {"part_number": "P"}),
        lambda s: s.update(VIEWER, "38462", {"notes": "x"}),
        lambda s: s.change_status(VIEWER, "38462", "APPROVED"),
        lambda s: s.archive(VIEWER, "38462", "Returns"),
    ],
    ids=["create", "update", "change_status", "archive"],
)
def test_a_viewer_is_refused_every_write(write):
    service, uows = service_over(a_repair_order())
    with pytest.raises(Forbidden, match="needs the editor role"):
        write(service)
    assert nothing_committed(uows)


def test_events_reach_handlers_only_after_commit():
    seen = []
    service, uows = service_over(
        a_repair_order(), handlers=[lambda e: seen.append((e.name, e.id, uows.last.committed))]
    )
    service.update(EDITOR, "38462", {"tracking": "1Z999"})
    with pytest.raises(InvalidTransition):
        service.change_status(EDITOR, "38462", "TO SEND")
    assert seen == [("ro.updated", 1, True)]


def test_a_sent_email_touches_every_ro_or_none():
    service, uows = service_over(a_repair_order(), a_repair_order("38463", status="SHIPPED"))
    with pytest.raises(NotFound):
        service.record_email_sent(EDITOR, ["38462", "38463", "99999"], "Status?")
    assert nothing_committed(uows)
    assert uows.repair_orders.get("38462").last_updated == TODAY - timedelta(days=10)

    service.record_email_sent(EDITOR, ["38462", "38463"], "Status?")
    assert [u.committed for u in uows.units] == [False, True]
    assert [(e.ro_number, e.payload["email"]) for e in uows.events] == [
        ("38462", "Status?"),
        ("38463", "Status?"),
    ]
    # the sent email and each moved date are separate entries, old and new of the same thing
    assert [(a.action, a.field, a.old_value, a.new_value) for a in uows.activity][:3] == [
        ("EMAIL_SENT", "email", None, "Status?"),
        ("UPDATE", "last_updated", str(TODAY - timedelta(days=10)), str(TODAY)),
        ("UPDATE", "next_update", "2026-11-17", "2026-11-27"),
    ]
    assert service.get("38463").next_update == TODAY + timedelta(days=5)


# ---- records from an outside source (#17) -------------------------------------------------
ERP = Actor("erp.aero:erp", Role.EDITOR, "erp.aero")


def an_erp_record(po_id="171", modified=datetime(2026, 11, 19, 10), **fields):
    from domain.sources import Incoming

    values = {"shop_name": "Avtech Hydraulics", "tracking_number": "FEDEX 1"} | fields
    return Incoming(po_id, f"RO{po_id}", modified, values, "IN WORK", "IN PROGRESS")


def test_a_source_record_creates_then_updates_and_a_person_wins():
    service, uows = service_over()
    created = service.apply_source_record(ERP, an_erp_record())
    assert created.kind == "created" and created.number == "171"
    ro = uows.repair_orders.get("171")
    assert (ro.erp_po_id, ro.erp_sync_status, ro.status) == ("171", "SYNCED", "IN WORK")
    assert [e.name for e in uows.events] == ["ro.created"]
    same = service.apply_source_record(ERP, an_erp_record())
    assert same.kind == "unchanged" and len(uows.events) == 1  # not newer: nothing written

    service.update(EDITOR, "171", {"tracking_number": "DESK 2"})
    later = an_erp_record(
        modified=datetime(2026, 11, 19, 11), tracking_number="ERP 3", terms="NET 60"
    )
    preview = service.apply_source_record(ERP, later, dry_run=True)
    assert preview.fields == ["terms"] and preview.conflicts[0]["theirs"] == "ERP 3"
    assert ro.terms != "NET 60"  # the dry run changed nothing
    outcome = service.apply_source_record(ERP, later)
    assert outcome.kind == "updated" and outcome.fields == ["terms"]
    assert (ro.tracking_number, ro.terms, ro.erp_sync_status) == (
        "DESK 2",
        "NET 60",
        "PENDING_SYNC",
    )
    conflict = [a for a in uows.activity if a.action == "SOURCE_CONFLICT"]
    assert [(a.field, a.old_value, a.new_value, a.source) for a in conflict] == [
        ("tracking_number", "DESK 2", "ERP 3", "erp.aero")
    ]


def test_a_source_record_never_takes_over_a_desk_ro_and_bad_values_change_nothing():
    service, uows = service_over(a_repair_order("171"))
    with pytest.raises(DuplicateRepairOrder, match="desk's own RO"):
        service.apply_source_record(ERP, an_erp_record())
    with pytest.raises(InvalidInput, match="not an amount"):
        service.apply_source_record(ERP, an_erp_record("172", estimated_cost="12,3x"))
    assert uows.repair_orders.get("172") is None and uows.events == []


def test_the_desks_own_ros_read_as_local_only():
    from domain.models import RepairOrder
    from domain.repair_orders import RepairOrderView

    ro = RepairOrder(number="38462", archive="ACTIVE", status="APPROVED", version=1)
    assert RepairOrderView.of(ro, date(2026, 11, 20)).erp_sync_status == "LOCAL_ONLY"
    ro.erp_po_id, ro.erp_sync_status = "9001", "SYNCED"
    assert RepairOrderView.of(ro, date(2026, 11, 20)).erp_sync_status == "SYNCED"


def test_the_api_lists_statements_are_built_once_per_filter_and_day():
    # every `GET /api/ros` asks for them: building them was as dear as running them
    flt, today = ListFilter(archive=Archive.ACTIVE, limit=500), date(2026, 11, 20)
    assert _versions_queries(flt, today) is _versions_queries(flt, today)
    assert _versions_queries(flt, today) is not _versions_queries(flt, date(2026, 11, 21))
