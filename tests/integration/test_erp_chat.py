"""The chat, for admins: "ERP sync status" and "sync ERP now" (Confirm, then a background run),
through the real assistant (offline model, tools, actors, database) against the fake ERP.aero.
Nobody else gets either, and no credential reaches the model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bootstrap import bootstrap
from config import load_settings
from domain.roles import SYSTEM, Actor, Role
from jobs.app import App
from tests.conftest import TODAY
from tests.fakes.erp_aero import PASSWORD, FakeErpAero, record
from tests.integration.test_assistant import ask, decide
from tests.integration.test_erp_sync import FAST, creds

ADMIN = Actor("ada@genthrust.test", Role.ADMIN, "chat")
APPROVER = Actor("april@genthrust.test", Role.APPROVER, "chat")


@pytest.fixture
def desk(db_url, tmp_path) -> Iterator[tuple[App, FakeErpAero]]:
    fake = FakeErpAero().start()
    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var", redis_url="", **FAST)
    app = bootstrap(settings, today=lambda: TODAY)
    app.users.add(SYSTEM, ADMIN.name, "admin")
    app.users.add(SYSTEM, APPROVER.name, "approver")
    app.jobs.start()
    yield app, fake
    app.jobs.stop()
    app.engine.dispose()
    fake.stop()


def test_admins_see_the_status_and_sync_after_confirm(desk):
    app, fake = desk
    outcome, _ = ask(app, ADMIN, "ERP sync status")
    assert "No outside source" in outcome.reply
    app.sources.add(SYSTEM, "erp.aero", "erp", fake.base_url, creds())
    fake.add(record(171), record(172, po_no=""))

    outcome, sink = ask(app, ADMIN, "sync ERP now")
    assert [t["name"] for t in sink.tools] == ["sync_erp"] and outcome.waiting
    assert "Sync erp now" in outcome.waiting[0].preview["title"]
    assert app.sources.get("erp").last_status is None  # nothing before Confirm
    decided, _ = decide(app, ADMIN, outcome.waiting[0].id, True)
    assert "started" in decided.reply
    app.jobs.broker.join("background", fail_fast=True, timeout=20_000)
    assert app.repair_orders.get("171").shop_name == "Avtech Hydraulics"

    outcome, sink = ask(app, ADMIN, "ERP sync status")
    assert "**erp**: PARTIAL" in outcome.reply and "created 1" in outcome.reply
    assert "skipped 1" in outcome.reply
    said = outcome.reply + str([t["output"] for t in sink.tools])
    assert PASSWORD not in said and "password" not in said  # not even the field's name


def test_a_failed_sync_is_a_visible_status(desk):
    app, fake = desk
    app.sources.add(SYSTEM, "erp.aero", "erp", fake.base_url, creds("wrong"))
    from jobs.source_sync import run_sync

    run_sync(app, "erp", triggered_by="schedule")
    outcome, _ = ask(app, ADMIN, "any problems with erp.aero")
    assert "FAILED" in outcome.reply and "refused the sign-in" in outcome.reply


def test_only_admins(desk):
    app, fake = desk
    app.sources.add(SYSTEM, "erp.aero", "erp", fake.base_url, creds())
    for text in ("ERP sync status", "sync ERP now"):
        outcome, sink = ask(app, APPROVER, text)
        assert not outcome.waiting
        assert "for admins" in (sink.tools[0]["output"] or {}).get("error", "")
    assert app.sources.get("erp").last_status is None


def test_the_dashboard_shows_each_sources_last_sync(desk):
    app, fake = desk
    app.sources.add(SYSTEM, "erp.aero", "erp", fake.base_url, creds("wrong"))
    from jobs.source_sync import run_sync

    run_sync(app, "erp", triggered_by="schedule")
    outcome, _ = ask(app, APPROVER, "dashboard")
    assert "Outside sources: erp **FAILED**" in outcome.reply
    assert "refused" not in outcome.reply  # the error's wording is for admins
    outcome, _ = ask(app, ADMIN, "dashboard")
    assert "refused the sign-in" in outcome.reply


def test_an_erp_ro_in_the_chat_shows_where_it_came_from(desk):
    app, fake = desk
    app.sources.add(SYSTEM, "erp.aero", "erp", fake.base_url, creds())
    fake.add(record(171))
    from jobs.source_sync import run_sync

    run_sync(app, "erp", triggered_by="schedule")
    outcome, sink = ask(app, APPROVER, "RO171")
    assert [t["name"] for t in sink.tools] == ["get_repair_order"]
    assert (
        "Avtech Hydraulics" in outcome.reply and "From ERP.aero (po 171): SYNCED" in outcome.reply
    )
    assert "erp.aero" in str(sink.tools[0]["output"])
    assert sink.tools[0]["output"]["repair_order"]["erp_sync_status"] == "SYNCED"
