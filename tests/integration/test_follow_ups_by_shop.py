"""Follow-ups merged per shop in the chat (c13 point 6): one draft per shop with overdue ROs,
listing them all, its subject by count (REFERENCE §2), each shown as an approval card."""

from __future__ import annotations

import asyncio

import pytest
from pydantic_ai import ModelRetry
from sqlalchemy import func, select

from domain.models import Notification
from tests.integration.c13_desk import EDITOR, VIEWER, add_ro, c13_desk, tool_ctx  # noqa: F401
from tools.email import draft_follow_ups_by_shop
from tools.events import EmailDraftCards

pytestmark = pytest.mark.dialect
LATE = {"next_update": "2026-11-01"}


@pytest.fixture
def desk(c13_desk):  # noqa: F811
    app = c13_desk
    for n in ("38101", "38102", "38103", "38104"):
        add_ro(app, n, "Avtech Hydraulics", "IN WORK", **LATE)
    add_ro(app, "38105", "Avtech Hydraulics", "IN WORK", next_update="2026-12-01")  # not due
    add_ro(app, "38201", "Dallas Airmotive", "WAITING QUOTE", **LATE)
    add_ro(app, "38202", "Dallas Airmotive", "SHIPPED", **LATE)
    add_ro(app, "38301", "Aero Precision", "WAITING QUOTE", **LATE)
    return app


def follow_up(app, actor=EDITOR, **args):
    ctx = tool_ctx(app, actor, "fu-1", "draft_follow_ups_by_shop")
    return ctx, asyncio.run(draft_follow_ups_by_shop(ctx, **args))


def pending(app) -> int:
    with app.session() as s:
        return s.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.state == "PENDING_APPROVAL")
        )


def test_one_draft_per_shop_listing_its_overdue_ros(desk):
    desk.notifications.draft(EDITOR, "38102")  # a draft already waiting is folded in
    ctx, result = follow_up(desk)
    assert (result["shops"], result["overdue_ros"]) == (3, 7)
    by_shop = {d["shop"]: d for d in result["drafts"]}
    avtech, dallas, aero = (by_shop[s] for s in ("Avtech Hydraulics", "Dallas Airmotive",
                                                 "Aero Precision"))  # fmt: skip
    assert avtech["ro_numbers"] == ["38101", "38102", "38103", "38104"]
    assert avtech["subject"] == "Status Update: Multiple Orders (Avtech Hydraulics)"
    assert "38105" not in avtech["ro_numbers"]
    assert dallas["subject"] == "Status Update: RO #G38201, #G38202"
    assert dallas["missing_email"] is True and result["missing_email"] == ["Dallas Airmotive"]
    assert "update_shop" in result["ask_for_email"]
    assert aero["subject"] == "Follow-up: RO# G38301"  # one RO keeps its status's wording
    assert all(f"G{n}" in avtech["body"] for n in avtech["ro_numbers"])  # the table
    assert pending(desk) == 3  # the per-RO drafts were merged away
    [cards] = [e for e in ctx.deps.events if isinstance(e, EmailDraftCards)]
    assert set(cards.draft_ids) == {avtech["id"], dallas["id"], aero["id"]}

    _, again = follow_up(desk)  # asking again adds nothing
    assert {d["id"] for d in again["drafts"]} == set(cards.draft_ids)
    assert pending(desk) == 3


def test_one_shop_only_unknown_shop_and_roles(desk):
    _, result = follow_up(desk, shop="dallas")
    assert [d["shop"] for d in result["drafts"]] == ["Dallas Airmotive"]
    assert pending(desk) == 1
    with pytest.raises(ModelRetry, match="Did you mean 'Avtech Hydraulics'"):
        follow_up(desk, shop="Avtek")
    assert follow_up(desk, actor=VIEWER)[1]["error"].startswith(VIEWER.name)
    assert pending(desk) == 1
