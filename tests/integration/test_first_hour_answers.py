"""Issue #14, answers that mislead — through the assistant (offline model, real tools and
actors, real databases): low stock by part, a confirmed change says its new value, email
times and attribution, and the warning on a second follow-up soon after the first."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from agent.outcomes import describe
from domain.models import ActivityLog
from domain.notifications.views import State
from jobs.mail.actor import queue_send
from tests.integration.test_assistant import ask, decide
from tests.integration.test_email_assistant import APPROVER, EDITOR, desk  # noqa: F401

pytestmark = pytest.mark.dialect  # SQL grouping (low stock), the durable command, sent mail


def _stock(app, *lines):
    for part, qty, location, condition in lines:
        app.inventory.save_item(
            EDITOR,
            {"part_number": part, "qty": qty, "location": location, "condition": condition},
        )


def test_low_stock_answers_by_part_with_where_the_stock_is(desk):  # noqa: F811
    _stock(
        desk,
        ("AN682-12", 1, "SHELF E-01", "SV"),
        ("AN682-12", 100, "BIN B27", "NE"),  # plenty in total: not low
        ("MS9068-012", 0, "BIN C01", "NE"),
        ("ms9068 012", 3, "SHELF C-02", "OH"),  # the same part spelt another way
        ("NAS1149F0363P", 0, "BIN D09", "NE"),
    )
    _, sink = ask(desk, EDITOR, "low stock")
    result = sink.tools[0]["output"]
    assert [(i["part_number"], i["total_qty"], i["urgency"]) for i in result["items"]] == [
        ("NAS1149F0363P", 0, "critical"),
        ("ms9068 012", 3, "low"),
    ]
    assert (result["total"], result["stock_lines"]) == (2, 3)
    assert "**2 parts running low**" in sink.said
    assert "AN682-12" not in sink.said
    row = next(line for line in sink.said.splitlines() if "ms9068 012" in line)
    assert "SHELF C-02 (OH) 3 · BIN C01 (NE) 0" in row and "| 3 |" in row


def test_a_confirmed_field_change_says_old_and_new_from_the_record(desk):  # noqa: F811
    desk.repair_orders.update(APPROVER, "38462", {"estimated_delivery": "2026-12-01"})
    outcome, _ = ask(desk, EDITOR, "set ETA of RO 38462 to 2026-12-15")
    _, sink = decide(desk, EDITOR, outcome.waiting[0].id, True)
    assert "Done: RO 38462 is WAITING QUOTE in Active" in sink.said
    assert "ETA 2026-12-01 → **2026-12-15**" in sink.said
    # the outcome posted later (when the turn ended first) reads the same record
    approval = desk.approvals.get(outcome.waiting[0].id)
    record = {"outcome": "APPLIED", "result": approval.result}
    assert "(estimated delivery: 2026-12-01 → 2026-12-15)" in describe(approval, record)
    outcome, _ = ask(desk, EDITOR, "set cost of RO 38462 to 1500")
    _, sink = decide(desk, EDITOR, outcome.waiting[0].id, True)
    assert "estimated cost — → **1500.00**" in sink.said
    with desk.session() as s:  # the reply's pairs are the activity log's
        logged = s.execute(
            select(ActivityLog.field, ActivityLog.old_value, ActivityLog.new_value).where(
                ActivityLog.action == "UPDATE", ActivityLog.field == "estimated_cost"
            )
        ).all()
    assert [tuple(r) for r in logged] == [("estimated_cost", None, "1500.00")]


def test_a_status_change_says_the_status_and_the_next_update(desk):  # noqa: F811
    outcome, _ = ask(desk, EDITOR, "set RO 38462 to approved")
    _, sink = decide(desk, EDITOR, outcome.waiting[0].id, True)
    assert re.search(r"status WAITING QUOTE → \*\*APPROVED\*\*; next update \S+ → \*\*", sink.said)


def _send(app, draft_id):
    app.notifications.approve(APPROVER, draft_id)
    assert queue_send(app, draft_id, inline=True) == "sent"
    assert app.notifications.get(draft_id).state is State.SENT


LOCAL_TIME = r"[A-Z][a-z]{2} \d{1,2}, \d{2}:\d{2} E[SD]T"


def test_a_second_follow_up_soon_after_the_first_is_drafted_with_a_warning(desk):  # noqa: F811
    _, first = ask(desk, EDITOR, "draft a follow-up for RO 38462")
    assert (
        "already emailed" not in first.said and "warning" not in first.tools[0]["output"]["draft"]
    )
    _send(desk, first.tools[0]["output"]["draft"]["id"])
    _, second = ask(desk, EDITOR, "draft a follow-up for RO 38462")
    draft = second.tools[0]["output"]["draft"]
    assert draft["state"] == "PENDING_APPROVAL"  # drafted all the same
    assert draft["last_sent"]["ro_number"] == "38462"
    assert re.fullmatch(LOCAL_TIME, draft["last_sent"]["when"])
    assert "⚠️ The shop was already emailed about RO 38462 just now (" in second.said
    assert draft["last_sent"]["when"] in second.said
    # the card an approver sees says it too
    from web.approvals import card_markdown

    view = desk.notifications.get(draft["id"])
    card = card_markdown(view, "", desk.settings.tz, desk.settings.email_again_warning_days)
    assert "Emailed recently" in card and draft["last_sent"]["when"] in card
    desk.settings.email_again_warning_days = 0  # configurable; 0 switches it off
    _, again = ask(desk, EDITOR, "pending drafts")
    assert "warning" not in again.tools[0]["output"]["items"][0]


def test_email_lists_show_local_readable_times_and_who_drafted(desk):  # noqa: F811
    from domain.roles import SYSTEM, Actor, Role
    from web.approvals import card_markdown

    desk.users.add(SYSTEM, "root-op@genthrust.test", "editor")
    cli = Actor("cli:root", Role.ADMIN, "cli")
    draft = desk.notifications.draft(cli, "38462")
    card = card_markdown(draft, "", desk.settings.tz)
    assert "(drafted by root (gt command line), " in card and "cli:" not in card
    _send(desk, draft.id)
    _, sink = ask(desk, EDITOR, "email history")
    item = sink.tools[0]["output"]["items"][0]
    assert re.fullmatch(LOCAL_TIME, item["when"]) and item["drafted_by"].startswith("root")
    assert item["sent_at"].endswith(("-05:00", "-04:00"))  # ISO with the desk's offset
    assert item["when"] in sink.said
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", sink.said)  # no raw ISO stamps


def test_a_sent_email_history_entry_pairs_like_with_like(desk):  # noqa: F811
    desk.repair_orders.update(APPROVER, "38462", {"next_update": "2026-11-10"})
    draft = desk.notifications.draft(EDITOR, "38462")
    _send(desk, draft.id)
    _, sink = ask(desk, EDITOR, "RO 38462 history")
    history = sink.tools[0]["output"]["history"]
    sent = next(e for e in history if e.get("action") == "EMAIL_SENT")
    assert sent.get("old") in (None, "") and "Follow-up" in str(sent.get("new"))
    moved = [e for e in history if e["action"] == "UPDATE" and e["field"] == "next_update"]
    assert (moved[0]["old"], moved[0]["new"]) == ("2026-11-10", "2026-11-27")  # date to date
    assert all(re.fullmatch(LOCAL_TIME, e["when"]) for e in history)  # read in the desk's zone
    assert sent["when"] in sink.said


def test_follow_ups_by_shop_carry_the_warning_too(desk):  # noqa: F811
    _send(desk, desk.notifications.draft(EDITOR, "38462").id)
    desk.repair_orders.update(APPROVER, "38462", {"next_update": "2026-11-10"})  # overdue again
    _, sink = ask(desk, EDITOR, "follow up with every shop that has overdue ROs")
    [draft] = sink.tools[0]["output"]["drafts"]
    assert draft["ro_numbers"] == ["38462"] and "already emailed about RO 38462" in draft["warning"]
    assert "⚠️ The shop was already emailed about RO 38462" in sink.said
