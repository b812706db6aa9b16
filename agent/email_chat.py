"""Email drafts in the Chainlit chat (issue #6): the card with Approve & send / Edit / Reject,
and what each button does. app.py registers the callbacks; this module does the work.

Buttons carry only the draft id; every press re-reads the draft and the person's role on the
server (`NotificationService` decides atomically). Edit is a guided exchange: pick the field,
type the new value, see the updated card; a changed recipient offers to become the shop's
email (an explicit Yes, never automatic).
"""

from __future__ import annotations

import asyncio
from typing import Any

import chainlit as cl

from bootstrap import App
from domain.errors import RoTrackerError
from domain.notifications.views import NotificationView, State
from domain.roles import Actor, Role
from jobs.mail.message import full_subject

ASK_TIMEOUT_S = 300
SHOWN_AT_START = 10
SENT_WAIT_S = 15.0
BODY_PREVIEW_CHARS = 1200
FIELDS = {
    "to": "New recipient (email address)",
    "cc": "New CC list, comma separated (type `none` for no CC)",
    "subject": "New subject",
    "body": "New body (plain text or simple HTML)",
}


def card_markdown(draft: NotificationView, prefix: str) -> str:
    ros = ", ".join(draft.ro_numbers)
    flags = []
    if draft.missing_email:
        flags.append("⚠️ **No email on file for this shop** — press Edit to add a recipient.")
    if draft.is_stale:
        flags.append("⏰ Waiting for approval for more than 24 hours.")
    body = draft.body_text
    if len(body) > BODY_PREVIEW_CHARS:
        body = body[:BODY_PREVIEW_CHARS] + "…"
    quoted = "\n".join(f"> {line}" if line else ">" for line in body.splitlines())
    lines = [
        f"**Email draft** — RO {ros} · {draft.shop_name or 'unknown shop'} "
        f"(drafted by {draft.created_by})",
        *flags,
        "",
        f"**To:** {draft.to or '—'}  ",
        f"**Cc:** {', '.join(draft.cc) or '—'}  ",
        f"**Subject:** {full_subject(draft.subject, prefix)}",
        "",
        quoted,
    ]
    return "\n".join(lines)


def _buttons(draft_id: str) -> list[cl.Action]:
    payload = {"draft_id": draft_id}
    return [
        cl.Action(name="email_approve", payload=payload, label="Approve & send", icon="send"),
        cl.Action(name="email_edit", payload=payload, label="Edit", icon="pencil"),
        cl.Action(name="email_reject", payload=payload, label="Reject", icon="x"),
    ]


async def show_cards(app: App, draft_ids: list[str]) -> None:
    """A card with buttons for each draft still waiting for approval."""
    store: dict[str, cl.Message] = cl.user_session.get("draft_cards") or {}
    for draft_id in dict.fromkeys(draft_ids):
        try:
            draft = await asyncio.to_thread(app.notifications.get, draft_id)
        except RoTrackerError:
            continue
        if draft.state is not State.PENDING_APPROVAL:
            continue
        old = store.pop(draft.id, None)
        if old is not None:
            await old.remove_actions()
        message = cl.Message(
            content=card_markdown(draft, app.settings.mail_subject_prefix),
            actions=_buttons(draft.id),
        )
        await message.send()
        store[draft.id] = message
    cl.user_session.set("draft_cards", store)


async def show_pending(app: App, actor: Actor, intro: str) -> None:
    """For approvers: the drafts waiting for approval (chat start, chat resume)."""
    if actor.role.rank < Role.APPROVER.rank:
        return
    drafts = await asyncio.to_thread(app.notifications.pending, SHOWN_AT_START)
    if drafts:
        await cl.Message(content=intro.format(n=len(drafts))).send()
        await show_cards(app, [d.id for d in drafts])


def _draft_id(action: cl.Action) -> str:
    return str((action.payload or {}).get("draft_id", ""))[:36]


async def _retire_card(draft_id: str) -> None:
    store: dict[str, cl.Message] = cl.user_session.get("draft_cards") or {}
    message = store.pop(draft_id, None)
    if message is not None:
        await message.remove_actions()
    cl.user_session.set("draft_cards", store)


async def approve(app: App, actor: Actor, action: cl.Action) -> None:
    from jobs.mail.actor import queue_send

    draft_id = _draft_id(action)
    try:
        draft = await asyncio.to_thread(app.notifications.approve, actor, draft_id)
    except RoTrackerError as exc:
        await cl.Message(content=f"Not sent: {exc}").send()
        return
    await _retire_card(draft_id)
    status = cl.Message(content=f"Approved by {actor.name} — sending to {draft.to}…")
    await status.send()
    await asyncio.to_thread(queue_send, app, draft_id)
    status.content = await _wait_until_sent(app, draft_id, draft.to or "")
    await status.update()


async def _wait_until_sent(app: App, draft_id: str, to: str) -> str:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SENT_WAIT_S
    while loop.time() < deadline:
        draft = await asyncio.to_thread(app.notifications.get, draft_id)
        if draft.state is State.SENT:
            return f"✅ **Sent** to {to} ({draft.sender})."
        if draft.state is State.FAILED:
            return f"❌ **Not sent:** {draft.error}"
        await asyncio.sleep(0.3)
    return f"Approved — queued for sending to {to}; it goes out as soon as a worker is free."


async def reject(app: App, actor: Actor, action: cl.Action) -> None:
    try:
        await _reject(app, actor, _draft_id(action))
    finally:
        await _asked()


async def _asked() -> None:
    """Chainlit ends an ask by signalling "task started" again, which an action callback (an
    HTTP call, unlike a message) never closes: the chat would stay busy with every button
    disabled. Close it ourselves."""
    await cl.context.emitter.task_end()


async def _reject(app: App, actor: Actor, draft_id: str) -> None:
    answer = await cl.AskUserMessage(
        content="Reason for rejecting (optional — type `skip` for none):", timeout=ASK_TIMEOUT_S
    ).send()
    reason = _reply_text(answer)
    reason = None if reason is None or reason.lower() in ("skip", "-", "none") else reason
    try:
        await asyncio.to_thread(app.notifications.reject, actor, draft_id, reason)
    except RoTrackerError as exc:
        await cl.Message(content=f"Not rejected: {exc}").send()
        return
    await _retire_card(draft_id)
    await cl.Message(content="Rejected — nothing was sent.").send()


async def edit(app: App, actor: Actor, action: cl.Action) -> None:
    try:
        await _edit(app, actor, _draft_id(action))
    finally:
        await _asked()


async def _edit(app: App, actor: Actor, draft_id: str) -> None:
    choices = [
        cl.Action(name=f"edit_{field}", payload={"field": field}, label=label)
        for field, label in (
            ("to", "Recipient"),
            ("cc", "CC"),
            ("subject", "Subject"),
            ("body", "Body"),
            ("cancel", "Cancel"),
        )
    ]
    picked = await cl.AskActionMessage(
        content="What do you want to change?", actions=choices, timeout=ASK_TIMEOUT_S
    ).send()
    field = (picked or {}).get("payload", {}).get("field")
    if field not in FIELDS:
        return
    answer = await cl.AskUserMessage(content=FIELDS[field] + ":", timeout=ASK_TIMEOUT_S).send()
    value = _reply_text(answer)
    if value is None:
        return
    if field == "cc" and value.lower() == "none":
        value = ""
    try:
        before = await asyncio.to_thread(app.notifications.get, draft_id)
        draft = await asyncio.to_thread(
            lambda: app.notifications.edit(actor, draft_id, **{field: value})
        )
    except RoTrackerError as exc:
        await cl.Message(content=f"Not changed: {exc}").send()
        return
    if field == "to" and draft.to and draft.to != before.to and draft.shop_name:
        await _offer_shop_email(app, actor, draft)
    await show_cards(app, [draft_id])


async def _offer_shop_email(app: App, actor: Actor, draft: NotificationView) -> None:
    yes_no = [
        cl.Action(name="save_shop_email", payload={"save": True}, label="Yes, save it"),
        cl.Action(name="save_shop_email", payload={"save": False}, label="No, this email only"),
    ]
    picked = await cl.AskActionMessage(
        content=f"Save **{draft.to}** as the email of **{draft.shop_name}** for future drafts?",
        actions=yes_no,
        timeout=ASK_TIMEOUT_S,
    ).send()
    if (picked or {}).get("payload", {}).get("save"):
        try:
            await asyncio.to_thread(
                lambda: app.notifications.edit(actor, draft.id, save_shop_email=True)
            )
            await cl.Message(content=f"Saved as {draft.shop_name}'s email.").send()
        except RoTrackerError as exc:
            await cl.Message(content=f"Not saved: {exc}").send()


def _reply_text(answer: Any) -> str | None:
    if not answer:
        return None
    text = answer.get("output") if isinstance(answer, dict) else getattr(answer, "content", None)
    text = (text or "").strip()
    return text or None
