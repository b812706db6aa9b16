"""ERP.aero against a fake ERP.aero of our own on 127.0.0.1 (real HTTP, the production httpx
client): sign-in, token expiry and the 401 refresh, paging, the incremental cursor, 429 with
Retry-After, 5xx bursts and the circuit, a wrong password, malformed records, repeated pages,
the rate limit measured from the fake's request timestamps; and the upserts through the RO
service (history, activity by "erp.aero", the Excel outbox), the conflict rule, dry runs."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from bootstrap import bootstrap
from config import load_settings
from domain.models import ActivityLog, DomainEvent, RepairOrder, Source, StatusHistory
from domain.roles import SYSTEM as SYSTEM_ACTOR
from domain.roles import Actor, Role
from integrations.erp.erp_aero import ErpAeroClient
from integrations.erp.errors import SourceAuthError
from integrations.erp.http import HttpPolicy
from jobs.source_sync import run_sync
from tests.conftest import TODAY
from tests.fakes.erp_aero import CID, EMAIL, PASSWORD, FakeErpAero, record

KEY = Fernet.generate_key().decode()
ADMIN = Actor("ada@genthrust.test", Role.ADMIN, "cli")
DESK = Actor("dana@genthrust.test", Role.EDITOR, "chat")
FAST = {
    "source_min_interval_ms": 5,
    "source_backoff_ms": 10,
    "source_page_size": 10,
    "source_allow_http_loopback": True,
    "token_encryption_key": KEY,
}


@pytest.fixture
def fake():
    server = FakeErpAero().start()
    yield server
    server.stop()


def make_app(db_url, tmp_path, **overrides):
    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var", **{**FAST, **overrides})
    return bootstrap(settings, today=lambda: TODAY)


@pytest.fixture
def erp(db_url, tmp_path, fake):
    """(app, fake) with one source "erp" pointing at the fake."""
    app = make_app(db_url, tmp_path)
    app.sources.add(ADMIN, "erp.aero", "erp", fake.base_url, creds())
    yield app, fake
    app.engine.dispose()


def creds(password: str = PASSWORD) -> dict[str, str]:
    return {"cid": CID, "email": EMAIL, "password": password}


def count(app, model) -> int:
    with app.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def details_calls(fake) -> int:
    return fake.paths().count("/v1/repair_order/details")


@pytest.mark.dialect
def test_first_sync_creates_ros_through_the_one_change_path(erp):
    app, fake = erp
    fake.add(*[record(100 + i, modified=f"2026-11-19 10:{i:02d}:00") for i in range(25)])
    run = run_sync(app, "erp", triggered_by="test")
    assert run.status == "OK"
    assert run.counts["created"] == 25 and run.counts["skipped"] == 0
    # sign-in + 3 list pages (10, 10, 5) + 25 details
    assert run.requests == 1 + 3 + 25 == len(fake.log)
    ro = app.repair_orders.get("RO117")
    assert (ro.shop_name, ro.part_number, ro.serial_number) == (
        "Avtech Hydraulics",
        "066-50008",
        "SN1001",
    )
    assert str(ro.estimated_cost) == "1250.00" and ro.status.value == "IN WORK"
    with app.session() as s:
        row = s.scalar(select(RepairOrder).where(RepairOrder.erp_po_id == "117"))
        assert row.number == "117" and row.erp_sync_status == "SYNCED"
        assert row.erp_modified_at == datetime(2026, 11, 19, 10, 17)
        created = s.scalars(select(ActivityLog).where(ActivityLog.action == "CREATE")).all()
        assert len(created) == 25 and {a.source for a in created} == {"erp.aero"}
        assert s.scalar(select(func.count()).select_from(StatusHistory)) == 25
        events = s.scalars(select(DomainEvent.name)).all()
        assert events.count("ro.created") == 25  # the Excel outbox
    source = app.sources.get("erp")
    assert source.last_status == "OK" and source.cursor == datetime(2026, 11, 19, 10, 24)

    # a second run with nothing changed writes nothing and asks for no details
    before = (count(app, ActivityLog), count(app, DomainEvent), count(app, StatusHistory))
    fake.log.clear()
    again = run_sync(app, "erp", triggered_by="test")
    # the cursor (10:24) less the 15-minute overlap: 16 records looked at, 2 pages read
    assert again.status == "OK" and again.counts["unchanged"] == 16
    assert fake.paths().count("/v1/repair_order/list") == 2
    assert again.counts["created"] == again.counts["updated"] == 0
    assert (count(app, ActivityLog), count(app, DomainEvent), count(app, StatusHistory)) == before
    assert details_calls(fake) == 0


def test_incremental_run_reads_only_what_changed(erp):
    app, fake = erp
    fake.add(
        *[
            record(i, modified=f"2026-11-{10 + i // 10:02d} 08:{i % 60:02d}:00")
            for i in range(1, 60)
        ]
    )
    run_sync(app, "erp", triggered_by="test")
    fake.log.clear()
    fake.records["7"].update(modified_time="2026-11-20 09:00:00", ship_via="UPS 1Z999")
    fake.records["33"].update(modified_time="2026-11-20 09:05:00", status="SHIPPED")
    run = run_sync(app, "erp", triggered_by="test")
    assert run.counts["updated"] == 2 and run.counts["created"] == 0
    assert details_calls(fake) == 2
    # the listing stops at the first page reaching past the cursor less the overlap: 2 of 6
    # (page 1: the two changed and 59..52; page 2 reaches 11-14, before 11-15 08:44)
    assert fake.paths().count("/v1/repair_order/list") == 2
    assert run.counts["unchanged"] == 8 + 2  # 59..50 in the window, already applied
    assert app.repair_orders.get("7").tracking_number == "UPS 1Z999"
    assert app.repair_orders.get("33").status.value == "SHIPPED"
    with app.session() as s:
        acts = s.scalars(
            select(ActivityLog).where(ActivityLog.action.in_(("UPDATE", "STATUS_CHANGE")))
        ).all()
        assert {(a.field, a.source) for a in acts} == {
            ("tracking_number", "erp.aero"),
            ("status", "erp.aero"),
        }


@pytest.mark.dialect
def test_a_field_a_person_changed_after_the_erp_is_kept_and_the_conflict_recorded(erp):
    app, fake = erp
    fake.add(record(171, modified="2026-11-19 10:00:00"))
    run_sync(app, "erp", triggered_by="test")
    app.repair_orders.update(DESK, "171", {"tracking_number": "DESK-TRACK-1"})
    # the ERP changes the same field (and the status) at a time before the person's change
    fake.records["171"].update(
        modified_time="2026-11-19 12:00:00", ship_via="ERP-TRACK-2", status="SHIPPED"
    )
    run = run_sync(app, "erp", triggered_by="test")
    assert run.counts["updated"] == 1 and run.counts["conflicts"] == 1
    ro = app.repair_orders.get("171")
    assert ro.tracking_number == "DESK-TRACK-1"  # kept
    assert ro.status.value == "SHIPPED"  # not touched by a person: applied
    with app.session() as s:
        row = s.scalar(select(RepairOrder).where(RepairOrder.number == "171"))
        assert row.erp_sync_status == "PENDING_SYNC"
        conflict = s.scalar(select(ActivityLog).where(ActivityLog.action == "SOURCE_CONFLICT"))
        assert (conflict.field, conflict.old_value, conflict.new_value) == (
            "tracking_number",
            "DESK-TRACK-1",
            "ERP-TRACK-2",
        )
    assert run.problems[0]["conflicts"][0]["field"] == "tracking_number"


def test_dry_run_shows_the_diff_and_writes_nothing(erp):
    app, fake = erp
    fake.add(record(1), record(2, modified="2026-11-19 11:00:00"))
    before = (count(app, RepairOrder), count(app, ActivityLog), count(app, DomainEvent))
    run = run_sync(app, "erp", triggered_by="test", dry_run=True)
    assert run.counts["created"] == 2
    assert {c["ro"] for c in run.changes} == {"1", "2"}
    assert "shop_name" in run.changes[0]["fields"]
    assert (count(app, RepairOrder), count(app, ActivityLog), count(app, DomainEvent)) == before
    assert app.sources.get("erp").cursor is None and app.sources.get("erp").last_status is None


def test_malformed_records_are_skipped_with_reasons_and_the_rest_applied(erp):
    app, fake = erp
    fake.add(
        record(1),
        record(2, po_no=""),
        record(3, modified="not a time"),
        record(4, price="12,34.5x"),
        record(5, created="2026-13-45"),
        {"po_id": 6, "po_no": "RO6", "modified_time": "2026-11-19 09:00:00", "surprise": {"x": 1}},
    )
    run = run_sync(app, "erp", triggered_by="test")
    assert run.status == "PARTIAL"
    assert run.counts["created"] == 2 and run.counts["skipped"] == 4
    reasons = " | ".join(p["reason"] for p in run.problems)
    for part in ("no PO number", "modified time", "not an amount", "created date"):
        assert part in reasons
    assert app.repair_orders.find("4") is None and app.repair_orders.find("6") is not None


def test_an_unknown_status_is_kept_in_the_notes_once(erp):
    app, fake = erp
    fake.add(record(8, status="AWAITING CUSTOMS"))
    run_sync(app, "erp", triggered_by="test")
    fake.records["8"]["modified_time"] = "2026-11-19 11:00:00"
    run_sync(app, "erp", triggered_by="test")
    ro = app.repair_orders.get("8")
    assert ro.status is None and ro.notes == "ERP status: AWAITING CUSTOMS"


def test_a_desk_ro_with_the_same_number_is_not_taken_over(erp):
    app, fake = erp
    app.repair_orders.create(DESK, {"shop_name": "Desk Shop"}, number="42")
    fake.add(record(42))
    run = run_sync(app, "erp", triggered_by="test")
    assert run.counts["skipped"] == 1 and "desk's own RO" in run.problems[0]["reason"]
    assert app.repair_orders.get("42").shop_name == "Desk Shop"


def test_a_repeating_page_gives_no_duplicates(erp):
    app, fake = erp
    fake.page_overlap = 3
    fake.add(*[record(i, modified=f"2026-11-19 10:{i:02d}:00") for i in range(1, 26)])
    run = run_sync(app, "erp", triggered_by="test")
    assert run.counts["created"] == 25 and details_calls(fake) == 25
    assert count(app, RepairOrder) == 25


def test_wrong_password_fails_clearly_without_a_retry_storm(db_url, tmp_path, fake):
    app = make_app(db_url, tmp_path)
    app.sources.add(ADMIN, "erp.aero", "erp", fake.base_url, creds("wrong"))
    fake.add(record(1))
    run = run_sync(app, "erp", triggered_by="test")
    assert run.status == "FAILED" and "refused the sign-in" in run.error
    assert "wrong" not in run.error  # never the password
    assert fake.signins == 1 and len(fake.log) == 1
    assert app.sources.get("erp").last_status == "FAILED"
    assert app.sources.get("erp").running_since is None  # the lock is released


def test_429_with_retry_after_is_honoured(erp):
    app, fake = erp
    fake.add(record(1))
    fake.inject(429, times=2, retry_after="0.3", path="/v1/repair_order/list")
    run = run_sync(app, "erp", triggered_by="test")
    assert run.status == "OK" and run.counts["created"] == 1
    lists = [t for t, _m, p in fake.log if p == "/v1/repair_order/list"]
    assert len(lists) == 3
    assert lists[1] - lists[0] >= 0.29 and lists[2] - lists[1] >= 0.29


def test_a_5xx_burst_is_retried_and_a_dead_source_opens_the_circuit(erp):
    app, fake = erp
    fake.add(record(1))
    fake.inject(503, times=2, path="/v1/repair_order/details")
    assert run_sync(app, "erp", triggered_by="test").counts["created"] == 1
    fake.records["1"]["modified_time"] = "2026-11-20 10:00:00"
    fake.log.clear()
    fake.inject(502, times=1000)
    run = run_sync(app, "erp", triggered_by="test")
    assert run.status == "FAILED" and "5 consecutive failures" in run.error
    assert len(fake.log) == 5  # the circuit: N attempts, not a storm
    source = app.sources.get("erp")
    assert source.last_status == "FAILED" and "consecutive" in source.last_error
    assert source.cursor == datetime(2026, 11, 19, 10)  # a failed run does not move the cursor


def test_the_rate_limit_holds_by_the_fakes_clock(db_url, tmp_path, fake):
    app = make_app(db_url, tmp_path, source_min_interval_ms=100, source_page_size=5)
    app.sources.add(ADMIN, "erp.aero", "erp", fake.base_url, creds())
    fake.add(*[record(i, modified=f"2026-11-19 10:{i:02d}:00") for i in range(1, 13)])
    run_sync(app, "erp", triggered_by="test")
    stamps = [t for t, _m, _p in fake.log]
    assert len(stamps) == 1 + 3 + 12
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.095  # one call per 100 ms, never faster (5 ms for clock jitter)


def test_token_expiry_and_one_refresh_on_401(fake):
    fake.add(record(1))
    now = [0.0]
    client = ErpAeroClient(
        fake.base_url, creds(), HttpPolicy(min_interval_s=0), clock=lambda: now[0]
    )
    client.sign_in()
    assert fake.signins == 1
    fake.revoke_tokens()  # revoked early: the next call gets a 401, signs in once, succeeds
    assert len(client.page(1)) == 1 and fake.signins == 2
    assert [s for _t, _m, s in fake.log].count("/v1/repair_order/list") == 2
    now[0] += 4000  # past the token's lifetime: signs in before calling, no 401 round trip
    fake.log.clear()
    client.details("1")
    assert fake.paths() == ["/v1/auth/signin", "/v1/repair_order/details"]
    fake.token_lifetime_s = -1  # every new token is dead on arrival: one refresh, then stop
    fake.revoke_tokens()
    with pytest.raises(SourceAuthError, match="fresh token"):
        client.page(1)
    client.close()


def test_credentials_are_encrypted_at_rest_and_never_shown(erp):
    app, _fake = erp
    with app.engine.connect() as conn:
        raw = conn.execute(text("SELECT encrypted_credentials FROM sources")).scalar()
    assert PASSWORD not in raw and EMAIL not in raw
    assert app.sources.credentials("erp")["password"] == PASSWORD
    shown = app.sources.get("erp").model_dump_json()
    assert PASSWORD not in shown and "password" in shown  # the field's name, not its value


def test_one_run_per_source_at_a_time(erp):
    app, _fake = erp
    first = app.sources.begin_run("erp", "a", False)
    assert first is not None and app.sources.begin_run("erp", "b", False) is None
    assert run_sync(app, "erp", triggered_by="c") is None
    with app.session() as s:
        assert s.scalar(select(Source.running_since)) is not None


def test_sources_are_admin_only_and_https_only(db_url, tmp_path):
    from domain.errors import Forbidden, InvalidInput

    app = make_app(db_url, tmp_path, source_allow_http_loopback=False)
    with pytest.raises(Forbidden):
        app.sources.add(DESK, "erp.aero", "erp", "https://wapi.erp.aero/v1", creds())
    with pytest.raises(InvalidInput, match="HTTPS"):
        app.sources.add(ADMIN, "erp.aero", "erp", "http://127.0.0.1:1/v1", creds())
    with pytest.raises(InvalidInput, match="needs: password"):
        app.sources.add(ADMIN, "erp.aero", "erp", "https://wapi.erp.aero/v1", creds(""))
    assert app.sources.list() == []


def test_due_sources_follow_their_schedule(erp):
    from jobs.operations.sources import sync_due_sources

    app, fake = erp
    sent = []
    app.jobs.send = lambda fn, **kw: sent.append((fn.__name__, kw["name"]))
    assert sync_due_sources(app) == ["erp"] and sent == [("sync_source", "erp")]
    fake.add(record(1))
    run_sync(app, "erp", triggered_by="test")
    assert sync_due_sources(app) == []  # ran just now; due again in 4 h
    app.sources.set_enabled(ADMIN, "erp", False)
    assert app.sources.due(datetime(2100, 1, 1)) == []


def test_the_schedule_sends_due_sources_to_the_background_actor(db_url, tmp_path, fake):
    """The scheduler's source_sync slot (every 15 min) -> sync_due_sources -> the sync_source
    actor on the background queue, in the embedded broker with real worker threads."""
    from jobs.operations.sources import sync_due_sources, sync_source
    from jobs.scheduler import scheduled_tasks, triggers

    app = make_app(db_url, tmp_path, redis_url="")
    assert scheduled_tasks()["source_sync"] is sync_due_sources
    assert str(triggers(app.settings)["source_sync"]).startswith("cron[")
    assert app.jobs.actors[sync_source].queue_name == "background"
    app.sources.add(ADMIN, "erp.aero", "erp", fake.base_url, creds())
    fake.add(record(1), record(2))
    app.jobs.start()
    try:
        app.jobs.send(sync_due_sources)
        app.jobs.broker.join("background", fail_fast=True, timeout=20_000)
    finally:
        app.jobs.stop()
    source = app.sources.get("erp")
    assert source.last_status == "OK" and source.last_counts["created"] == 2
    assert app.sources.runs("erp")[0].triggered_by == "schedule"
    app.engine.dispose()


def test_an_erp_ro_is_emailed_by_the_erps_own_number(erp):
    from domain.models import Notification

    app, fake = erp
    fake.add(record(171))
    run_sync(app, "erp", triggered_by="test")
    app.notifications.draft(SYSTEM_ACTOR, "171")
    with app.session() as s:
        subject = s.scalar(select(Notification.subject))
    assert "RO# RO171" in subject and "G171" not in subject


def test_a_newer_record_that_cannot_be_applied_marks_its_ro_sync_failed(erp):
    app, fake = erp
    fake.add(record(5, price="100"))
    run_sync(app, "erp", triggered_by="test")
    fake.records["5"].update(modified_time="2026-11-19 12:00:00", parts=[{"unit_price": "1,2x"}])
    run = run_sync(app, "erp", triggered_by="test")
    assert run.status == "PARTIAL" and run.counts["skipped"] == 1
    with app.session() as s:
        ro = s.scalar(select(RepairOrder).where(RepairOrder.number == "5"))
        assert ro.erp_sync_status == "SYNC_FAILED" and str(ro.estimated_cost) == "100.00"
        failed = s.scalar(select(ActivityLog).where(ActivityLog.action == "SOURCE_FAILED"))
        assert failed.source == "erp.aero" and "not an amount" in failed.new_value


def test_an_unexpected_error_is_recorded_and_the_lock_released(erp, monkeypatch):
    app, fake = erp
    fake.add(record(1))

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.repair_orders, "apply_source_record", broken)
    with pytest.raises(RuntimeError):
        run_sync(app, "erp", triggered_by="test")
    source = app.sources.get("erp")
    assert source.last_status == "FAILED" and "RuntimeError: a bug" in source.last_error
    assert source.running_since is None and source.cursor is None
