"""Issue #14: a new RO done right, through the assistant (offline model, real tools, actors
and databases): the shop matched in the directory (asked when ambiguous, offered to be created
when unknown), made today, every field taken and previewed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.errors import Conflict
from domain.models import RepairOrder, Shop, ShopChange
from domain.models.chat import Approval
from domain.roles import SYSTEM
from tests.integration.c13_desk import EDITOR, c13_desk  # noqa: F401
from tests.integration.test_assistant import ask, count, decide

pytestmark = pytest.mark.dialect  # the durable command creating the RO / shop


def _newest(app) -> RepairOrder:
    with app.session() as s:
        return s.scalars(select(RepairOrder).order_by(RepairOrder.id.desc())).first()


def test_a_short_shop_name_is_the_directory_shop_with_its_terms_and_email(c13_desk):  # noqa: F811
    app = c13_desk
    outcome, sink = ask(
        app,
        EDITOR,
        "new RO for avtech part 066-50008 serial 123 description hydraulic pump "
        "work overhaul cost 1500 eta 12/20 notes AOG",
    )
    [approval] = outcome.waiting
    shown = {field: new for field, _, new in approval.preview["changes"]}
    assert shown["shop name"] == "Avtech Hydraulics"  # not a new shop called "avtech"
    assert shown["date made"] == "2026-11-20"  # today by default
    assert shown["terms"] == "NET 30"  # the shop's
    assert (shown["serial number"], shown["part description"], shown["required work"]) == (
        "123", "hydraulic pump", "overhaul")  # fmt: skip
    assert (shown["estimated cost"], shown["estimated delivery"], shown["notes"]) == (
        "1500.00", "2026-12-20", "AOG")  # fmt: skip
    assert shown["status"] == "WAITING QUOTE" and shown["next update"] == "2026-11-27"
    assert "email rep@avtech.test" in approval.preview["note"]
    assert '"avtech" matched by prefix name' in approval.preview["note"]
    _, sink = decide(app, EDITOR, approval.id, True)
    ro = _newest(app)
    assert (ro.shop_name, ro.shop.email, ro.terms, str(ro.date_made)) == (
        "Avtech Hydraulics", "rep@avtech.test", "NET 30", "2026-11-20")  # fmt: skip
    assert (ro.serial_number, ro.part_description, ro.required_work) == (
        "123", "hydraulic pump", "overhaul")  # fmt: skip
    assert f"Opened: **RO {ro.number}** at Avtech Hydraulics (rep@avtech.test)" in sink.said
    with app.session() as s:
        assert s.scalar(select(Shop).where(Shop.name_key == "AVTECH")) is None


def test_an_ambiguous_shop_is_asked_about_and_nothing_is_made(c13_desk):  # noqa: F811
    app = c13_desk
    with app.uow() as uow:
        uow.session.add(Shop(name="Avtech Avionics", name_key="AVTECH AVIONICS"))
        uow.commit()
    outcome, sink = ask(app, EDITOR, "new RO for avtech part 066-50008")
    assert not outcome.waiting and count(app, Approval) == 0
    assert "could be several shops: Avtech Avionics, Avtech Hydraulics. Which one?" in sink.said
    assert count(app, RepairOrder) == 0


def test_an_unknown_shop_is_offered_to_be_created_then_used(c13_desk):  # noqa: F811
    app = c13_desk
    outcome, sink = ask(app, EDITOR, "new RO for Zenith Aerospace part 066-50008")
    assert not outcome.waiting
    assert "There is no shop called 'Zenith Aerospace'" in sink.said
    assert "new shop Zenith Aerospace email" in sink.said
    outcome, sink = ask(app, EDITOR, "new shop Zenith Aerospace email Repairs@Zenith.test")
    [approval] = outcome.waiting
    assert ["email", "—", "repairs@zenith.test"] in [list(c) for c in approval.preview["changes"]]
    _, sink = decide(app, EDITOR, approval.id, True)
    assert "Added the shop **Zenith Aerospace** (email repairs@zenith.test" in sink.said
    with app.session() as s:
        shop = s.scalar(select(Shop).where(Shop.name == "Zenith Aerospace"))
        audit = s.scalars(select(ShopChange).where(ShopChange.shop_id == shop.id)).all()
    assert {(a.field, a.old_value, a.new_value, a.actor) for a in audit} == {
        ("name", None, "Zenith Aerospace", EDITOR.name),
        ("email", None, "repairs@zenith.test", EDITOR.name),
    }
    outcome, _ = ask(app, EDITOR, "new RO for zenith part 066-50008")
    decide(app, EDITOR, outcome.waiting[0].id, True)
    assert _newest(app).shop.email == "repairs@zenith.test"


def test_a_shop_the_directory_has_is_not_added_twice(c13_desk):  # noqa: F811
    outcome, sink = ask(c13_desk, EDITOR, "new shop avtech-hydraulics email x@y.test")
    assert not outcome.waiting
    assert "already has 'Avtech Hydraulics'" in sink.said
    with pytest.raises(Conflict, match="already has"):
        c13_desk_shops(c13_desk).create(SYSTEM, "AVTECH HYDRAULICS", {})


def c13_desk_shops(app):
    from domain.shops import ShopService

    return ShopService(app.uow, app.today)


def test_a_bad_value_on_a_new_ro_is_refused_with_a_reason(c13_desk):  # noqa: F811
    outcome, sink = ask(c13_desk, EDITOR, "new RO for avtech part 066-50008 eta someday")
    assert not outcome.waiting
    assert "is not a date" in sink.said
