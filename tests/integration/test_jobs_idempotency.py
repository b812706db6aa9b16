"""A write job's key commits with its change: once applied, never applied again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from domain.errors import StaleVersion
from domain.models import JobIdempotency, StatusHistory
from domain.roles import SYSTEM
from jobs.idempotency import keyed_uow, run_once

pytestmark = pytest.mark.dialect  # idempotency keys commit with the change; the unique-key race


def make_ro(app, number=38500):
    return app.repair_orders.create(SYSTEM, {"shop_name": "Acme"}, number=number)


def approve(app, number, expected_version=None):
    def apply(uow):
        ro = app.repair_orders.using(uow).change_status(
            SYSTEM, number, "APPROVED", expected_version=expected_version
        )
        return {"version": ro.version, "status": ro.status.value}

    return apply


def history_count(app) -> int:
    with app.session() as s:
        return s.scalar(select(func.count()).select_from(StatusHistory))


def test_applies_once_and_returns_the_stored_result(app):
    ro = make_ro(app)
    before = history_count(app)
    replay = lambda: {"replayed": True}  # noqa: E731
    first = run_once(app, "k1", "change_status", approve(app, ro.number), replay)
    again = run_once(app, "k1", "change_status", approve(app, ro.number), replay)
    assert first == {"version": 2, "status": "APPROVED"}
    assert again == {**first, "already_applied": True}
    assert history_count(app) == before + 1


def test_a_failed_change_records_no_key_so_a_retry_can_apply(app):
    ro = make_ro(app)
    with pytest.raises(StaleVersion):
        run_once(app, "k2", "change_status", approve(app, ro.number, expected_version=9), dict)
    with app.session() as s:
        assert s.scalar(select(func.count()).select_from(JobIdempotency)) == 0
    assert run_once(app, "k2", "change_status", approve(app, ro.number), dict)["version"] == 2


def test_a_crash_between_commit_and_result_replays_a_fresh_read(app):
    ro = make_ro(app)
    run_once(app, "k3", "change_status", approve(app, ro.number), dict)
    with app.session() as s:  # as if the worker died right after the commit
        s.execute(update(JobIdempotency).values(result=None))
        s.commit()
    replayed = run_once(
        app,
        "k3",
        "change_status",
        approve(app, ro.number),
        lambda: {"version": app.repair_orders.get(ro.number).version},
    )
    assert replayed == {"version": 2, "already_applied": True}


def test_a_concurrent_duplicate_loses_on_the_unique_key(app):
    ro = make_ro(app)

    def racing(uow_factory):
        # The same message, delivered twice at once: the other copy commits first.
        other = keyed_uow(app, "k4", "change_status")
        app.repair_orders.using(other).update(SYSTEM, ro.number, {"notes": "other copy"})
        with app.session() as s:
            s.execute(update(JobIdempotency).values(result={"winner": "other"}))
            s.commit()
        return approve(app, ro.number)(uow_factory)

    result = run_once(app, "k4", "change_status", racing, dict)
    assert result == {"winner": "other", "already_applied": True}
    assert app.repair_orders.get(ro.number).status.value == "WAITING QUOTE"  # rolled back
