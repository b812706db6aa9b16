"""Email drafts on SQLite and MariaDB: one pending draft per RO, approval rules and the
double-click race, edits, merging, follow-ups and the overdue sweep, and the send recording
the RO's follow-up dates through the change path."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.errors import Conflict, Forbidden, InvalidInput
from domain.models import ActivityLog, DomainEvent, Shop
from domain.notifications.views import State
from domain.roles import SYSTEM, Actor, Role
from domain.shops import ShopService
from integrations.mail.outbox import OutboxSender
from jobs.app import App
from jobs.mail.delivery import deliver
from tests.conftest import TODAY

# Draft and approval write paths; the double-click and concurrent-draft races.
pytestmark = pytest.mark.dialect

EDITOR = Actor("ed@genthrust.test", Role.EDITOR, "chat")
VIEWER = Actor("vi@genthrust.test", Role.VIEWER, "chat")
APPROVER = Actor("ap@genthrust.test", Role.APPROVER, "chat")
APPROVER_2 = Actor("ap2@genthrust.test", Role.APPROVER, "chat")


def add_shop(app: App, name: str, email: str | None, contact: str | None = None) -> None:
    with app.session() as s:
        s.add(
            Shop(name=name, name_key=" ".join(name.upper().split()), email=email, contact=contact)
        )
        s.commit()


@pytest.fixture
def desk(app: App) -> App:
    add_shop(app, "Avtech Hydraulics", "repairs@avtech.example", "Dana")
    add_shop(app, "Dallas Airmotive", None)
    app.repair_orders.create(
        SYSTEM,
        {"shop_name": "Avtech Hydraulics", "part_number": "066-50008", "serial_number": "SN1",
         "status_date": TODAY - timedelta(days=8), "next_update": "2026-11-10",
         "last_updated": "2026-11-01"},
        number="38462",
    )  # fmt: skip
    app.repair_orders.create(
        SYSTEM,
        {"shop_name": "Avtech Hydraulics", "part_number": "2206734", "serial_number": "SN2"},
        number="38463",
        status="IN WORK",
    )
    app.repair_orders.create(
        SYSTEM, {"shop_name": "Dallas Airmotive", "part_number": "P-3"}, number="38464"
    )
    return app


def test_a_draft_is_filled_from_the_ro_and_the_shop(desk):
    draft = desk.notifications.draft(EDITOR, "G38462")
    assert draft.state is State.PENDING_APPROVAL
    assert (draft.to, draft.subject, draft.ro_numbers) == (
        "repairs@avtech.example",
        "Follow-up: RO# G38462",
        ["38462"],
    )
    assert "Hello Dana" in draft.body_html and "066-50008" in draft.body_text
    assert draft.created_by == EDITOR.name and not draft.missing_email
    with desk.session() as s:
        actions = s.scalars(select(ActivityLog.action).where(ActivityLog.action == "DRAFT_CREATED"))
        assert list(actions) == ["DRAFT_CREATED"]


def test_at_most_one_pending_draft_per_ro(desk):
    first = desk.notifications.draft(EDITOR, "38462")
    again = desk.notifications.draft(EDITOR, "38462", body="<p>Other words</p>")
    assert again.id == first.id and again.already_pending
    assert len(desk.notifications.pending()) == 1
    desk.notifications.reject(EDITOR, first.id, "not now")
    fresh = desk.notifications.draft(EDITOR, "38462")
    assert fresh.id != first.id  # once decided, a new draft may be made


def test_concurrent_drafts_for_one_ro_make_one(desk):
    ids, errors = [], []

    def make():
        try:
            ids.append(desk.notifications.draft(SYSTEM, "38463").id)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=make) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(ids)) == 1
    assert len(desk.notifications.pending()) == 1


def test_model_written_body_is_sanitized_but_recipients_are_ours(desk):
    draft = desk.notifications.draft(
        EDITOR,
        "38463",
        body='<p onclick="steal()">Hi <a href="javascript:alert(1)">x</a></p><script>x()</script>',
    )
    assert "script" not in draft.body_html and "onclick" not in draft.body_html
    assert "javascript" not in draft.body_html and "<p>Hi" in draft.body_html
    assert draft.to == "repairs@avtech.example" and draft.subject == "Repair Status: RO# G38463"


def test_only_approvers_approve_and_viewers_cannot_draft(desk):
    draft = desk.notifications.draft(EDITOR, "38462")
    with pytest.raises(Forbidden):
        desk.notifications.approve(EDITOR, draft.id)
    with pytest.raises(Forbidden):
        desk.notifications.draft(VIEWER, "38463")
    approved = desk.notifications.approve(APPROVER, draft.id)
    assert (approved.state, approved.approved_by) == (State.APPROVED, APPROVER.name)
    with pytest.raises(Conflict, match="already approved by ap@"):
        desk.notifications.approve(APPROVER_2, draft.id)
    with pytest.raises(Conflict):
        desk.notifications.reject(APPROVER_2, draft.id)


def test_two_approvers_at_once_one_wins(desk):
    draft = desk.notifications.draft(EDITOR, "38462")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(actor):
        barrier.wait()
        try:
            desk.notifications.approve(actor, draft.id)
            outcomes.append("approved")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=approve, args=(a,)) for a in (APPROVER, APPROVER_2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["approved", "conflict"]
    sender = OutboxSender(desk.settings.outbox_dir)
    results = [deliver(desk, draft.id, sender=sender) for _ in range(3)]
    assert results == ["sent", "nothing", "nothing"]
    assert len(list(desk.settings.outbox_dir.glob("*.eml"))) == 1


def test_missing_email_blocks_approval_until_edited_and_saved_to_the_shop(desk):
    draft = desk.notifications.draft(SYSTEM, "38464")
    assert draft.missing_email and draft.to is None
    with pytest.raises(InvalidInput, match="no email address"):
        desk.notifications.approve(APPROVER, draft.id)
    edited = desk.notifications.edit(
        EDITOR, draft.id, to="Quotes@Dallas.example", subject="Where is P-3?", save_shop_email=True
    )
    assert (edited.to, edited.subject, edited.missing_email) == (
        "quotes@dallas.example",
        "Where is P-3?",
        False,
    )
    assert desk.repair_orders.get("38464").shop_email == "quotes@dallas.example"
    assert desk.notifications.approve(APPROVER, draft.id).state is State.APPROVED


def test_editing_the_recipient_does_not_change_the_shop_unless_asked(desk):
    draft = desk.notifications.draft(EDITOR, "38462")
    desk.notifications.edit(
        EDITOR, draft.id, to="other@avtech.example", cc="a@x.example; b@x.example"
    )
    assert desk.repair_orders.get("38462").shop_email == "repairs@avtech.example"
    edited = desk.notifications.get(draft.id)
    assert edited.cc == ["a@x.example", "b@x.example"] and edited.edited_by == EDITOR.name
    with pytest.raises(InvalidInput):
        desk.notifications.edit(EDITOR, draft.id, to="not an address")
    with pytest.raises(InvalidInput):
        desk.notifications.edit(EDITOR, draft.id, subject="<script>x</script>")


def test_drafts_to_one_shop_merge_into_one_email_with_a_table(desk):
    a = desk.notifications.draft(EDITOR, "38462")
    b = desk.notifications.draft(EDITOR, "38463")
    c = desk.notifications.draft(EDITOR, "38464")
    with pytest.raises(InvalidInput, match="same shop"):
        desk.notifications.merge(EDITOR, [a.id, c.id])
    merged = desk.notifications.merge(EDITOR, [a.id, b.id])
    assert merged.subject == "Status Update: RO #G38462, #G38463"
    assert merged.ro_numbers == ["38462", "38463"] and "<table" in merged.body_html
    assert {desk.notifications.get(i).state for i in (a.id, b.id)} == {State.MERGED}
    assert desk.notifications.draft(EDITOR, "38462").id == merged.id  # still one pending per RO


def test_sending_moves_the_ro_dates_through_the_change_path(desk):
    before = desk.repair_orders.get("38462")
    draft = desk.notifications.draft(EDITOR, "38462")
    desk.notifications.approve(APPROVER, draft.id)
    assert deliver(desk, draft.id) == "sent"
    after = desk.repair_orders.get("38462")
    assert before.last_updated.isoformat() == "2026-11-01"
    assert after.last_updated == TODAY and after.next_update == TODAY + timedelta(days=7)
    actions = [(a.action, a.actor) for a in desk.repair_orders.activity("38462")]
    assert ("EMAIL_SENT", APPROVER.name) in actions
    with desk.session() as s:
        event = s.scalars(select(DomainEvent).order_by(DomainEvent.id.desc())).first()
    assert (event.name, event.ro_number) == ("ro.updated", "38462")  # the Excel outbox sees it
    sent = desk.notifications.get(draft.id)
    assert sent.state is State.SENT and sent.sender == "outbox"
    assert [h.id for h in desk.notifications.history("38462")] == [draft.id]
    eml = (desk.settings.outbox_dir / f"{draft.id}.eml").read_text()
    assert "Subject: [GenThrust Follow-Up] Follow-up: RO# G38462" in eml
    assert "To: repairs@avtech.example" in eml and f"Message-ID: <{draft.id}@" in eml


def test_follow_up_after_the_wait_days_drafts_once_as_the_system(desk):
    # 38462: WAITING QUOTE since TODAY-8 (wait 7) -> due; 38463: IN WORK since TODAY -> not yet
    created = desk.notifications.draft_follow_ups()
    assert len(created) == 1
    draft = desk.notifications.get(created[0])
    assert (draft.ro_numbers, draft.created_by, draft.reason) == (["38462"], "system", "follow_up")
    assert desk.notifications.draft_follow_ups() == []  # pending: nothing new
    desk.notifications.reject(APPROVER, draft.id)
    assert desk.notifications.draft_follow_ups() == []  # decided for this period: not again


def test_overdue_sweep_drafts_once_for_every_overdue_ro(desk):
    created = desk.notifications.draft_overdue()
    drafts = [desk.notifications.get(i) for i in created]
    assert [d.ro_numbers for d in drafts] == [["38462"]]  # next update 2026-11-10 < TODAY
    assert {d.created_by for d in drafts} == {"system"}
    assert desk.notifications.draft_overdue() == []
    assert len(desk.notifications.pending()) == 1


def test_old_pending_drafts_come_first(desk):
    from sqlalchemy import update

    from domain.models import Notification, utcnow

    a = desk.notifications.draft(EDITOR, "38462")
    b = desk.notifications.draft(EDITOR, "38463")
    with desk.session() as s:
        s.execute(
            update(Notification)
            .where(Notification.id == a.id)
            .values(created_at=utcnow() - timedelta(hours=30))
        )
        s.commit()
    listed = desk.notifications.pending()
    assert [d.id for d in listed] == [a.id, b.id] and listed[0].is_stale


def test_the_scheduled_tasks_draft_as_the_system_and_resend_lost_approvals(desk, monkeypatch):
    from domain.models import JobRun, Notification
    from jobs.mail.actor import send_email
    from jobs.tasks import follow_up_check, overdue_sweep, recover_lost_work

    sent: list[str] = []

    def send(fn, *args, **kwargs):
        if fn is send_email:
            sent.append(args[0])

    monkeypatch.setattr(desk.jobs, "send", send)
    overdue_sweep(desk)
    overdue_sweep(desk)  # twice: nothing new
    follow_up_check(desk)
    [draft] = desk.notifications.pending()
    assert (draft.ro_numbers, draft.created_by) == (["38462"], "system")
    desk.notifications.approve(APPROVER, draft.id)
    from sqlalchemy import update

    from domain.models import utcnow

    with desk.session() as s:  # approved long ago, its send message lost
        s.execute(
            update(Notification)
            .where(Notification.id == draft.id)
            .values(approved_at=utcnow() - timedelta(hours=1))
        )
        s.commit()
    recover_lost_work(desk)
    assert sent == [draft.id]
    with desk.session() as s:
        runs = {r.name: r.detail for r in s.scalars(select(JobRun).order_by(JobRun.id))}
    assert runs["overdue_sweep"]["drafted"] == 0 and runs["follow_up_check"]["drafted"] == 0


def test_text_direction_controls_are_refused_in_fields_and_edits_and_nothing_changes(desk):
    """U+202E (right-to-left override) and its kin are refused wherever a person types text:
    RO fields and notes, shop records, a draft's recipient, CC and subject; a body keeps its
    words without them."""
    rlo = "\u202e"
    before = desk.repair_orders.get("38462")
    for changes in ({"notes": f"ok {rlo}DEVIECER"}, {"shop_ref": f"WO{rlo}1"}):
        with pytest.raises(InvalidInput, match="text-direction"):
            desk.repair_orders.update(EDITOR, "38462", changes)
    with pytest.raises(InvalidInput, match="text-direction"):
        desk.repair_orders.create(EDITOR, {"shop_name": "Avtech Hydraulics", "notes": rlo})
    assert desk.repair_orders.get("38462").version == before.version
    for changes in ({"contact": f"Dana{rlo}"}, {"email": f"x{rlo}@avtech.example"}):
        with pytest.raises(InvalidInput, match="text-direction"):
            ShopService(desk.uow, desk.today).update(EDITOR, "Avtech Hydraulics", changes)
    assert desk.repair_orders.get("38462").shop_email == "repairs@avtech.example"
    draft = desk.notifications.draft(EDITOR, "38462")
    for edit in (
        {"to": "x\u2066@avtech.example"},
        {"cc": f"a@x.example, b{rlo}@x.example"},
        {"subject": f"RO 38462 {rlo}tnegru"},
    ):
        with pytest.raises(InvalidInput, match="text-direction"):
            desk.notifications.edit(EDITOR, draft.id, **edit)
    unchanged = desk.notifications.get(draft.id)
    assert (unchanged.to, unchanged.cc, unchanged.subject) == (draft.to, draft.cc, draft.subject)
    edited = desk.notifications.edit(EDITOR, draft.id, body=f"Please {rlo}ship\u202c it.")
    assert "\u202e" not in edited.body_html and "Please ship it." in edited.body_html
