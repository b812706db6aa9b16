"""A small desk for the c13 tests (bulk changes, shops, follow-ups by shop): shops, ROs, users,
the embedded job worker, and a tool context as pydantic-ai passes it."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from bootstrap import bootstrap
from config import load_settings
from domain.models import Shop
from domain.roles import SYSTEM, Actor, Role
from jobs.app import App
from tests.conftest import TODAY
from tools.context import Deps

EDITOR = Actor("ed@genthrust.test", Role.EDITOR, "chat")
VIEWER = Actor("vi@genthrust.test", Role.VIEWER, "chat")


@pytest.fixture
def c13_desk(db_url, tmp_path) -> Iterator[App]:
    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var", redis_url="")
    app = bootstrap(settings, today=lambda: TODAY)
    app.users.add(SYSTEM, EDITOR.name, "editor")
    app.users.add(SYSTEM, VIEWER.name, "viewer")
    with app.uow() as uow:
        uow.session.add_all(
            [
                Shop(
                    name="Avtech Hydraulics",
                    name_key="AVTECH HYDRAULICS",
                    email="rep@avtech.test",
                    contact="Dana",
                    payment_terms="NET 30",
                ),
                Shop(name="Dallas Airmotive", name_key="DALLAS AIRMOTIVE"),
                Shop(name="Aero Precision", name_key="AERO PRECISION", email="ap@aero.test"),
            ]
        )
        uow.commit()
    app.jobs.start()
    yield app
    app.jobs.stop()
    app.engine.dispose()


def add_ro(app: App, number: str, shop: str, status: str, **fields: str) -> None:
    app.repair_orders.create(
        SYSTEM,
        {"shop_name": shop, "part_number": f"P-{number}", "serial_number": f"S{number}", **fields},
        number=number,
        status=status,
    )


def tool_ctx(app: App, actor: Actor, call_id: str, name: str, approved: bool = False):
    return SimpleNamespace(
        deps=Deps(app=app, actor=actor, thread_id="thread-c13"),
        tool_call_approved=approved,
        tool_call_id=call_id,
        tool_name=name,
    )
