"""The shop directory in the chat (c13 point 5): search with close matches, a shop with its open
ROs and scorecard, changes previewed old -> new, confirmed, audited and role-checked; a draft
to a shop without an email asks for one, and saving it fills the waiting draft."""

from __future__ import annotations

import asyncio

import pytest
from pydantic_ai import ApprovalRequired, ModelRetry
from sqlalchemy import select

from domain.errors import Conflict, Forbidden
from domain.models import Shop, ShopChange
from domain.shops import ShopService
from jobs.commands import apply_command
from tests.integration.c13_desk import EDITOR, VIEWER, add_ro, c13_desk, tool_ctx  # noqa: F401
from tools.email import draft_email
from tools.shops import get_shop, list_shops, update_shop

pytestmark = pytest.mark.dialect


def run(app, tool, actor=EDITOR, call_id="shop-call", approved=False, **args):
    return asyncio.run(tool(tool_ctx(app, actor, call_id, tool.__name__, approved), **args))


@pytest.fixture
def desk(c13_desk):  # noqa: F811
    app = c13_desk
    add_ro(app, "38103", "Avtech Hydraulics", "WAITING QUOTE", next_update="2026-11-01",
           status_date="2026-11-10")  # fmt: skip
    add_ro(app, "38104", "Avtech Hydraulics", "IN WORK", status_date="2026-11-14")
    add_ro(app, "38105", "Avtech Hydraulics", "BER")
    app.repair_orders.archive(app.users.actor_for("ed@genthrust.test", "chat"), "38105")
    add_ro(app, "38200", "Dallas Airmotive", "APPROVED")
    return app


def test_search_lists_shops_with_open_counts_and_offers_close_matches(desk):
    found = run(desk, list_shops, query="avtech")
    assert found["total"] == 1
    [avtech] = found["items"]
    assert (avtech["name"], avtech["email"], avtech["open_ros"]) == (
        "Avtech Hydraulics",
        "rep@avtech.test",
        2,
    )
    assert run(desk, list_shops)["total"] == 3
    missed = run(desk, list_shops, query="Avtek Hydralics")
    assert missed["total"] == 0 and missed["did_you_mean"][0] == "Avtech Hydraulics"
    with pytest.raises(
        ModelRetry, match=r"no shop called 'Dalas'\. Did you mean 'Dallas Airmotive'"
    ):
        run(desk, get_shop, shop="Dalas")
    with pytest.raises(ModelRetry, match="matches several shops"):
        run(desk, get_shop, shop="a")


def test_a_shop_with_its_open_ros_and_scorecard(desk):
    shown = run(desk, get_shop, shop="avtech")
    assert shown["shop"]["payment_terms"] == "NET 30"
    assert [r["number"] for r in shown["open_ros"]] == ["38103", "38104"]
    assert shown["open_ros"][0]["is_overdue"] is True
    card = shown["scorecard"]
    assert card["open"] == 2 and card["overdue"] == 1
    assert card["open_by_status"] == {"WAITING QUOTE": 1, "IN WORK": 1}
    assert card["avg_days_in_status"] == 8.0  # (10 + 6) / 2 on 2026-11-20
    assert card["closed"] == 1 and card["closed_by_archive"] == {"RETURNS": 1}
    assert (card["ber"], card["rai"], card["scrap"]) == (1, 0, 0)


def test_update_is_previewed_confirmed_applied_once_and_audited(desk):
    with pytest.raises(ApprovalRequired) as raised:
        run(
            desk,
            update_shop,
            call_id="upd-1",
            shop="avtech",
            email="Repairs@Avtech.test",
            terms="NET 45",
        )
    approval = desk.approvals.get(raised.value.metadata["approval_id"])
    assert approval.operation == "update_shop"
    assert [tuple(c) for c in approval.preview["changes"]] == [
        ("email", "rep@avtech.test", "repairs@avtech.test"),
        ("terms", "NET 30", "NET 45"),
    ]
    with desk.session() as s:  # nothing before Confirm
        assert s.scalar(select(Shop.email).where(Shop.name == "Avtech Hydraulics")) == (
            "rep@avtech.test"
        )
    desk.approvals.decide(EDITOR, approval.id, True)
    done = run(
        desk, update_shop, call_id="upd-1", approved=True, shop="avtech", email="x", terms="y"
    )
    assert done["changed"] == ["email", "terms"]
    assert done["shop"]["email"] == "repairs@avtech.test"
    apply_command(desk, approval.id)  # again: applied once
    with desk.session() as s:
        audit = s.execute(
            select(ShopChange.field, ShopChange.old_value, ShopChange.new_value, ShopChange.actor)
        ).all()
    assert sorted(audit) == [
        ("email", "rep@avtech.test", "repairs@avtech.test", EDITOR.name),
        ("terms", "NET 30", "NET 45", EDITOR.name),
    ]
    assert run(desk, get_shop, shop="avtech")["recent_changes"][0]["by"] == EDITOR.name


def test_update_refuses_a_change_made_meanwhile_a_viewer_and_bad_input(desk):
    service = ShopService(desk.uow, desk.today)
    preview = service.preview_update("dallas", {"contact": "Lee"})
    service.update(EDITOR, "dallas", {"contact": "Kim"})
    with pytest.raises(Conflict, match="changed since the preview"):
        service.update(EDITOR, "dallas", preview.args["changes"], preview.args["expected"])
    with pytest.raises(Forbidden):
        service.update(VIEWER, "dallas", {"phone": "555-0100"})
    assert (
        "cannot change data"
        in run(desk, update_shop, actor=VIEWER, shop="dallas", phone="1")["error"]
    )
    with pytest.raises(ModelRetry, match="not an email address"):
        run(desk, update_shop, call_id="upd-bad", shop="dallas", email="not-an-address")
    with desk.session() as s:
        dallas = s.scalar(select(Shop).where(Shop.name == "Dallas Airmotive"))
        assert (dallas.contact, dallas.phone, dallas.email) == ("Kim", None, None)


def test_a_draft_without_an_email_asks_for_one_and_saving_it_fills_the_draft(desk):
    first = run(desk, draft_email, ro_number="38200")
    assert first["draft"]["missing_email"] is True
    assert "update_shop" in first["ask_for_email"] and "Dallas Airmotive" in first["ask_for_email"]
    with pytest.raises(ApprovalRequired) as raised:
        run(desk, update_shop, call_id="upd-mail", shop="Dallas Airmotive", email="ops@dallas.test")
    desk.approvals.decide(EDITOR, raised.value.metadata["approval_id"], True)
    saved = run(desk, update_shop, call_id="upd-mail", approved=True, shop="x", email="y")
    assert saved["drafts_given_the_email"] == 1
    again = run(desk, draft_email, ro_number="38200")
    assert again["already_pending"] is True and again["draft"]["id"] == first["draft"]["id"]
    assert again["draft"]["to"] == "ops@dallas.test" and not again["draft"]["missing_email"]
    assert "ask_for_email" not in again
