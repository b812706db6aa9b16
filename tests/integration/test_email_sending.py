"""Sending approved emails exactly once, whatever step of the send crashes and is retried:
the .eml outbox (files counted), Microsoft Graph (a fake mail endpoint on 127.0.0.1 counts
deliveries, through msal and httpx) and SMTP (a local aiosmtpd server counts messages)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from bootstrap import bootstrap
from config import load_settings
from domain.models import Shop
from domain.notifications.views import State
from domain.roles import SYSTEM, Actor, Role
from jobs.app import App
from jobs.mail.delivery import deliver
from tests.conftest import TODAY
from tests.e2e.serving import free_port as _free_port
from tests.fakes.graph_mail import FakeGraphMail

APPROVER = Actor("ap@genthrust.test", Role.APPROVER, "chat")
STEPS = ("claimed", "before_send", "after_send", "after_record")


class Crash(Exception):
    """Stands in for a worker dying at one step (the actor's retry then runs again)."""


@pytest.fixture
def make_app(db_url, tmp_path) -> Iterator:
    apps: list[App] = []

    def make(**overrides) -> App:
        settings = load_settings(
            database_url=db_url, var_dir=tmp_path / "var", redis_url="", **overrides
        )
        app = bootstrap(settings, today=lambda: TODAY)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.engine.dispose()


def approved_draft(app: App, number: str = "38462") -> str:
    with app.session() as s:
        if s.query(Shop).count() == 0:
            s.add(Shop(name="Avtech", name_key="AVTECH", email="repairs@avtech.example"))
            s.commit()
    if app.repair_orders.find(number) is None:
        app.repair_orders.create(
            SYSTEM, {"shop_name": "Avtech", "part_number": "P1"}, number=number
        )
    draft = app.notifications.draft(SYSTEM, number)
    app.notifications.approve(APPROVER, draft.id)
    return draft.id


def crash_once_at(step: str):
    """A `step` hook for `deliver` that raises once, at `step`."""
    fired = []

    def hook(name: str) -> None:
        if name == step and not fired:
            fired.append(name)
            raise Crash(step)

    return hook


def retry_until_done(app: App, draft_id: str, **kwargs) -> list[str]:
    outcomes = []
    for _ in range(4):
        try:
            outcomes.append(deliver(app, draft_id, **kwargs))
        except Crash:
            outcomes.append("crash")
            continue
        if outcomes[-1] != "crash":
            outcomes.append(deliver(app, draft_id, **kwargs))  # a late duplicate message
            break
    return outcomes


@pytest.mark.dialect  # claim and record in their own transactions
@pytest.mark.parametrize("step", STEPS)
def test_outbox_sends_once_whatever_step_crashes(make_app, step):
    app = make_app()
    draft_id = approved_draft(app)
    hook = crash_once_at(step)
    outcomes = retry_until_done(app, draft_id, step=hook)
    assert outcomes[0] == "crash" and outcomes[-1] == "nothing"
    assert ("sent" in outcomes) == (step != "after_record")  # there it was recorded already
    files = list(app.settings.outbox_dir.iterdir())
    assert [f.name for f in files] == [f"{draft_id}.eml"]  # one email, no temp files left
    sent = app.notifications.get(draft_id)
    assert sent.state is State.SENT
    activity = [a.action for a in app.repair_orders.activity("38462")]
    assert activity.count("EMAIL_SENT") == 1  # the RO dates moved once
    msg = message_from_bytes(files[0].read_bytes(), policy=default)
    assert msg["Subject"] == "[GenThrust Follow-Up] Follow-up: RO# G38462"
    assert msg["X-GT-Notification-Id"] == draft_id
    assert msg.get_body(("html",)) is not None and msg.get_body(("plain",)) is not None


def test_outbox_with_cc_from_settings(make_app):
    app = make_app(mail_cc="boss@genthrust.example, desk@genthrust.example")
    draft_id = approved_draft(app)
    assert deliver(app, draft_id) == "sent"
    msg = message_from_bytes((app.settings.outbox_dir / f"{draft_id}.eml").read_bytes())
    assert msg["Cc"] == "boss@genthrust.example, desk@genthrust.example"


@pytest.mark.dialect  # the claim's conditional UPDATE on the state
def test_a_rejected_or_pending_draft_is_never_sent(make_app):
    app = make_app()
    approved_draft(app)
    app.repair_orders.create(SYSTEM, {"shop_name": "Avtech"}, number="38470")
    draft = app.notifications.draft(SYSTEM, "38470")
    assert deliver(app, draft.id) == "nothing"
    app.notifications.reject(APPROVER, draft.id, "no")
    assert deliver(app, draft.id) == "nothing"
    assert not (app.settings.outbox_dir / f"{draft.id}.eml").exists()


# ---- Microsoft Graph ---------------------------------------------------------------------------
@pytest.fixture
def graph(tmp_path) -> Iterator[FakeGraphMail]:
    fake = FakeGraphMail(tmp_path / "graph").start()
    yield fake
    fake.stop()


@pytest.mark.parametrize("step", STEPS)
def test_graph_draft_then_send_is_exactly_once(make_app, graph, step):
    app = make_app(**graph.settings())
    draft_id = approved_draft(app)
    hook = crash_once_at(step)
    outcomes = retry_until_done(app, draft_id, step=hook)
    assert outcomes[0] == "crash" and outcomes[-1] == "nothing"
    assert len(graph.deliveries) == 1
    [mail] = graph.deliveries
    assert mail["mailbox"] == "repairs@genthrust.example"
    assert mail["subject"] == "[GenThrust Follow-Up] Follow-up: RO# G38462"
    assert mail["toRecipients"] == [{"emailAddress": {"address": "repairs@avtech.example"}}]
    assert mail["internetMessageHeaders"][0]["name"].startswith("x-")
    assert app.notifications.get(draft_id).state is State.SENT
    assert not any("sentitems" in path.lower() for _, path in graph.requests)  # no polling


def test_graph_reply_lost_after_send_is_not_sent_again(make_app, graph):
    app = make_app(**graph.settings())
    draft_id = approved_draft(app)
    graph.lose_reply_after("/send")  # Graph sent it, but the 202 never arrived
    with pytest.raises(Exception, match="503"):
        deliver(app, draft_id)
    assert len(graph.deliveries) == 1
    assert deliver(app, draft_id) == "sent"  # the retry sees the draft is gone: it was sent
    assert len(graph.deliveries) == 1
    creates = [p for m, p in graph.requests if m == "POST" and p.endswith("/messages")]
    assert len(creates) == 1  # never a second draft


def test_graph_draft_whose_reply_was_lost_is_reused_not_orphaned(make_app, graph):
    app = make_app(**graph.settings())
    draft_id = approved_draft(app)
    graph.lose_reply_after("/messages")  # Graph made the draft, but its id never arrived
    with pytest.raises(Exception, match="503"):
        deliver(app, draft_id)
    assert len(graph.drafts) == 1 and not graph.deliveries  # a draft nobody knows the id of
    assert deliver(app, draft_id) == "sent"  # the retry finds it by our property and sends it
    assert len(graph.deliveries) == 1
    assert graph.drafts == {}  # nothing left behind in the shared mailbox
    creates = [p for m, p in graph.requests if m == "POST" and p.endswith("/messages")]
    assert len(creates) == 1


def test_graph_sendmail_mode_never_sends_twice(make_app, graph):
    app = make_app(**graph.settings(), graph_mail_mode="sendmail")
    draft_id = approved_draft(app)
    hook = crash_once_at("after_send")
    with pytest.raises(Crash):
        deliver(app, draft_id, step=hook)
    assert deliver(app, draft_id, step=hook) == "uncertain"  # flagged for a person, not resent
    assert len(graph.deliveries) == 1
    failed = app.notifications.get(draft_id)
    assert failed.state is State.FAILED and "uncertain" in failed.error


# ---- SMTP --------------------------------------------------------------------------------------
class Counting:
    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Counting, int]]:
    handler = Counting()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def smtp_settings(port: int) -> dict:
    return {"mail_sender": "smtp", "smtp_host": "127.0.0.1", "smtp_port": port,
            "smtp_security": "none"}  # fmt: skip


def test_smtp_sends_with_a_stable_message_id(make_app, smtp):
    handler, port = smtp
    app = make_app(**smtp_settings(port))
    draft_id = approved_draft(app)
    assert deliver(app, draft_id) == "sent"
    assert deliver(app, draft_id) == "nothing"
    [raw] = handler.messages
    msg = message_from_bytes(raw, policy=default)
    assert msg["Message-ID"].startswith(f"<{draft_id}@")
    assert app.notifications.get(draft_id).state is State.SENT


def test_smtp_crash_after_hand_off_is_flagged_never_resent(make_app, smtp):
    handler, port = smtp
    app = make_app(**smtp_settings(port))
    draft_id = approved_draft(app)
    hook = crash_once_at("after_send")
    with pytest.raises(Crash):
        deliver(app, draft_id, step=hook)
    assert deliver(app, draft_id, step=hook) == "uncertain"
    assert len(handler.messages) == 1
    failed = app.notifications.get(draft_id)
    assert failed.state is State.FAILED and "Delivery uncertain" in failed.error


def test_smtp_crash_before_hand_off_still_sends_once(make_app, smtp):
    handler, port = smtp
    app = make_app(**smtp_settings(port))
    draft_id = approved_draft(app)
    hook = crash_once_at("claimed")
    with pytest.raises(Crash):
        deliver(app, draft_id, step=hook)
    assert deliver(app, draft_id, step=hook) == "sent"
    assert len(handler.messages) == 1


def test_smtp_server_down_then_up_sends_once(make_app, smtp):
    handler, port = smtp
    app = make_app(**smtp_settings(1))  # nothing listens on port 1: certainly not sent
    draft_id = approved_draft(app)
    with pytest.raises(Exception, match="connection failed"):
        deliver(app, draft_id)
    app2 = make_app(**smtp_settings(port))
    assert deliver(app2, draft_id) == "sent"
    assert len(handler.messages) == 1


def test_smtp_refused_recipient_fails_for_good(make_app, smtp):
    handler, port = smtp
    handler.refuse.add("repairs@avtech.example")
    app = make_app(**smtp_settings(port))
    draft_id = approved_draft(app)
    assert deliver(app, draft_id) == "failed"
    failed = app.notifications.get(draft_id)
    assert failed.state is State.FAILED and "550" in failed.error and not handler.messages
    requeued = app.notifications.requeue(APPROVER, draft_id)
    assert requeued.state is State.PENDING_APPROVAL


@pytest.mark.dialect  # the lease: a timestamp compared in SQL
def test_a_dead_workers_lease_blocks_others_until_it_expires(make_app):
    """What SIGKILL leaves behind: a claimed email whose worker never comes back. Nobody else
    sends it while the lease lives; once it expires the next attempt sends it, once."""
    from sqlalchemy import update

    from domain.models import Notification, utcnow
    from domain.notifications.views import Busy

    app = make_app()
    draft_id = approved_draft(app)
    assert app.notifications.claim(draft_id, "dead-worker", lease_s=300) is not None
    with pytest.raises(Busy):
        deliver(app, draft_id)
    assert not app.settings.outbox_dir.exists()
    with app.session() as s:
        s.execute(
            update(Notification)
            .where(Notification.id == draft_id)
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )
        s.commit()
    assert deliver(app, draft_id) == "sent"
    assert deliver(app, draft_id) == "nothing"
    assert len(list(app.settings.outbox_dir.glob("*.eml"))) == 1
    assert app.notifications.get(draft_id).attempts == 2
