"""The one approvals UI of the chat: change confirmations (Confirm / Cancel) and email drafts
(Approve & send / Edit / Reject) are cards whose buttons are all one kind, `decide`, carrying
only an id and a choice; `decide()` is the one callback behind them.

Every press re-reads the item and the person's role on the server (the domain decides
atomically: a second press does nothing). Confirm/Cancel resume the paused assistant run. An
approved email is sent by its actor and the card reports the actor's result (no polling). Edit
is a guided exchange: pick the field, type the new value, see the updated card; a changed
recipient offers to become the shop's email (an explicit Yes, never automatic).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

import chainlit as cl

from agent.turns import Assistant, Sink
from domain.conversations import may_decide
from domain.documents.gate import MIN_REASON_CHARS
from domain.documents.override import may_override
from domain.errors import NotFound, RoTrackerError
from domain.local_time import readable, said_when
from domain.models import utcnow
from domain.models.chat import Approval, ApprovalState
from domain.notifications.decisions import may
from domain.notifications.views import NotificationView, State
from domain.replies.decisions import LABELS, ReplyDecisions
from domain.replies.proposal import CHANGE_FIELDS, INBOX_THREAD, PROPOSAL_TOOL
from domain.replies.shown import FLAG_WORDS, literal
from domain.replies.shown import literal_cell as cell
from domain.roles import Actor, Role, shown_actor
from integrations.mail.message import full_subject
from jobs.app import App
from jobs.errors import JobError, JobUnavailable
from jobs.mail.actor import send_email

ASK_TIMEOUT_S = 300
SHOWN_AT_START = 10
LISTED_AT_MOST = 100  # as the pending drafts tool lists
SENT_WAIT_S = 15.0
BODY_PREVIEW_CHARS = 1200
FIELDS = {
    "to": "New recipient (email address)",
    "cc": "New CC list, comma separated (type `none` for no CC)",
    "subject": "New subject",
    "body": "New body (plain text or simple HTML)",
}


def card_markdown(
    draft: NotificationView, prefix: str, tz: tzinfo = UTC, warn_days: int = 0
) -> str:
    ros = ", ".join(draft.ro_numbers)
    flags = []
    if draft.missing_email:
        flags.append("⚠️ **No email on file for this shop** — press Edit to add a recipient.")
    if draft.is_stale:
        flags.append("⏰ Waiting for approval for more than 24 hours.")
    if warning := draft.sent_again_warning(utcnow(), warn_days, tz):
        flags.append(f"⚠️ **Emailed recently.** {warning}")
    body = draft.body_text
    if len(body) > BODY_PREVIEW_CHARS:
        body = body[:BODY_PREVIEW_CHARS] + "…"
    quoted = "\n".join(f"> {line}" if line else ">" for line in body.splitlines())
    lines = [
        f"**Email draft** — RO {ros} · {draft.shop_name or 'unknown shop'} "
        f"(drafted by {shown_actor(draft.created_by)}, {readable(draft.created_at, tz)})",
        *flags,
        "",
        f"**To:** {draft.to or '—'}  ",
        f"**Cc:** {', '.join(draft.cc) or '—'}  ",
        f"**Subject:** {full_subject(draft.subject, prefix)}",
        "",
        quoted,
    ]
    return "\n".join(lines)


BUTTON = "decide"  # the one button kind; its payload is {"id": ..., "choice": ...}
CHANGE_CHOICES = {"confirm": "Confirm", "cancel": "Cancel"}
OVERRIDE = "override"  # an approver confirming past the release-certificate check (#15)
OVERRIDE_LABEL = "Override certificate…"
DRAFT_CHOICES = {"approve": "Approve & send", "edit": "Edit", "reject": "Reject"}
# a shop's reply proposed as an update (#16): editors and above decide it
REPLY_CHOICES = {"confirm": "Confirm", "reply_edit": "Edit", "dismiss": "Dismiss"}
REPLY_FLAGS = {
    "unknown_sender": "⚠️ **Unknown sender** — not a known contact of this shop. Check it is "
    "really from them before confirming.",
    "foreign_ro": "⚠️ **Names another shop's RO** — those ROs get no update from this email.",
    "instructions": "⚠️ **Instructions found in the email** — ignored: nothing is done because "
    "an email asks for it.",
    "spoofed_sender": "⚠️ **The sender looks spoofed** — treat it as not from the shop.",
    "reply_to_differs": "⚠️ **Reply-To differs from the sender** — answers would go elsewhere.",
}
ICONS = {
    "confirm": "check",
    "reply_edit": "pencil",
    "dismiss": "x",
    "cancel": "x",
    "override": "shield-alert",
    "approve": "send",
    "edit": "pencil",
    "reject": "x",
}


def _buttons(item_id: str, choices: dict[str, str]) -> list[cl.Action]:
    return [
        cl.Action(name=BUTTON, payload={"id": item_id, "choice": c}, label=label, icon=ICONS[c])
        for c, label in choices.items()
    ]


def change_choices(actor: Actor, approval: Approval) -> dict[str, str]:
    """The buttons of a change's card that this person may use (the server checks again)."""
    choices = {
        choice: label
        for choice, label in CHANGE_CHOICES.items()
        if may_decide(actor, approval.requested_by, choice == "confirm")
    }
    if may_override(actor, approval):
        choices[OVERRIDE] = OVERRIDE_LABEL
    return choices


def side_by_side(gate: dict[str, Any]) -> str:
    """The RO's part and serial beside the certificate's, for the person about to confirm."""
    match = gate.get("match")
    if not match:
        return ""
    problems = " ".join(match.get("problems", []))
    rows = []
    for key, label in (("part_number", "part number"), ("serial_number", "serial number")):
        pair = match.get(key) or {}
        flag = "⚠️" if label in problems else "✅"
        rows.append(
            f"| {label} | {cell(pair.get('ro'))} | {cell(pair.get('certificate'))} | {flag} |"
        )
    return "\n\n| | RO | certificate | |\n|---|---|---|---|\n" + "\n".join(rows)


def draft_choices(actor: Actor) -> dict[str, str]:
    """The buttons of a draft's card that this person may use (the server checks again)."""
    return {choice: label for choice, label in DRAFT_CHOICES.items() if may(actor, choice)}


def confirmation_markdown(approval: Approval) -> str:
    preview = approval.preview or {}
    rows = "\n".join(
        f"| {cell(field, 60)} | {cell(old)} | **{cell(new)}** |"
        for field, old, new in preview.get("changes", [])
    )
    note = f"\n\n{preview['note']}" if preview.get("note") else ""
    if preview.get("warning"):
        note += f"\n\n⚠️ **{preview['warning']}**"
    if preview.get("gate"):
        note += side_by_side(preview["gate"])
    if override := preview.get("override"):
        reason = literal(override["reason"], 600)
        note += f"\n\nCertificate check overridden by {override['by']}: {reason}"
    return (
        f"**{preview.get('title', approval.tool_name)}** — please confirm.\n\n"
        f"| | now | after |\n|---|---|---|\n{rows}{note}"
    )


def reply_choices(actor: Actor) -> dict[str, str]:
    """The buttons of a reply's card this person may use: editors and above all three, a
    viewer none (the server checks again)."""
    return dict(REPLY_CHOICES) if actor.role.rank >= Role.EDITOR.rank else {}


_CLOCK_AT_END = re.compile(r" at \d{1,2}:\d{2}$")


def reply_markdown(approval: Approval, now: datetime | None = None) -> str:
    """A shop's reply proposed as an update. Everything that came from the email (the title's
    shop and sender, the summary, the values, the evidence) is shown literally: escaped, links
    defanged, so the untrusted mail can neither style the card nor offer a link."""
    preview = approval.preview or {}
    title = preview.get("title") or f"A shop replied about RO {approval.ro_number}"
    with contextlib.suppress(KeyError, TypeError, ValueError):  # the day too, once not today
        received = datetime.fromisoformat(preview["received_at"])
        if received.tzinfo is None:  # only the desk's local time, with its offset, is known
            raise ValueError("no offset")
        when = said_when(received, (now or datetime.now(UTC)).astimezone(received.tzinfo))
        title = _CLOCK_AT_END.sub(" " + when, title)
    title = literal(title)
    note = literal(preview.get("note") or "", 500)
    flags = [
        REPLY_FLAGS.get(f, f"⚠️ **{literal(FLAG_WORDS.get(f, str(f).replace('_', ' ')), 80)}**")
        for f in preview.get("flags") or []
    ]
    rows = "\n".join(
        f"| {literal(LABELS.get(field, field), 40)} | {literal(now, 120)} | "
        f"**{literal(new, 120)}** |"
        for field, now, new in preview.get("changes") or []
    )
    evidence = [
        f"> {literal(LABELS.get(field, field), 40)}: “{literal(sentence, 300)}”"
        for field, sentence in (preview.get("evidence") or {}).items()
    ]
    edited = ", ".join(
        f"{LABELS.get(f, f)} by {literal(who, 80)}"
        for f, who in (preview.get("edited") or {}).items()
    )
    sender = literal(preview.get("from") or "", 200)
    lines = [
        f"**{title}**" + (f": {note}" if note else ""),
        *(["", *flags] if flags else []),
        "",
        f"| field | now | proposed |\n|---|---|---|\n{rows}",
    ]
    if evidence:
        lines += ["", "What the email says:", *evidence]
    if edited:
        lines += ["", f"_Edited: {edited}._"]
    if sender:
        lines += ["", f"From {sender}. Nothing is applied until someone presses Confirm."]
    return "\n".join(lines)


async def show_confirmations(actor: Actor, waiting: list[Approval]) -> None:
    """A card for each change waiting for a person, with the buttons `actor` may use."""
    store = cl.user_session.get("approval_buttons") or {}
    for approval in waiting:
        if approval.tool_name == PROPOSAL_TOOL:  # a shop's reply (#16)
            choices = reply_choices(actor)
            content = reply_markdown(approval)
            waiting_for = "_Waiting for an editor to confirm or dismiss it._"
        else:
            choices = change_choices(actor, approval)
            content = confirmation_markdown(approval)
            waiting_for = f"_Waiting for {approval.requested_by} or an approver to confirm._"
        buttons = _buttons(approval.id, choices)
        store[approval.id] = buttons
        if "confirm" not in choices:
            content += "\n\n" + waiting_for
        await cl.Message(content=content, actions=buttons).send()
    cl.user_session.set("approval_buttons", store)


async def show_pending_replies(app: App, actor: Actor, intro: str) -> None:
    """For editors and above: shops' replies proposed as updates, waiting for a person (chat
    start, chat resume)."""
    if actor.role.rank < Role.EDITOR.rank:
        return
    waiting = await asyncio.to_thread(app.approvals.pending, INBOX_THREAD)
    if not waiting:
        return
    content = intro.format(n=len(waiting), replies="reply" if len(waiting) == 1 else "replies")
    if len(waiting) > SHOWN_AT_START:
        content += (
            f"\n\nThe first {SHOWN_AT_START} are below (waiting longest first);"
            " ask for “replies” to see them all."
        )
    await cl.Message(content=content).send()
    await show_confirmations(actor, waiting[:SHOWN_AT_START])


async def show_drafts(app: App, actor: Actor, draft_ids: list[str]) -> None:
    """A card for each draft still waiting for approval, with the buttons `actor` may use."""
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
        choices = draft_choices(actor)
        content = card_markdown(
            draft,
            app.settings.mail_subject_prefix,
            app.settings.tz,
            app.settings.email_again_warning_days,
        )
        if "approve" not in choices:
            content += "\n\n_Waiting for an approver to send it._"
        message = cl.Message(content=content, actions=_buttons(draft.id, choices))
        await message.send()
        store[draft.id] = message
    cl.user_session.set("draft_cards", store)


async def show_pending_drafts(app: App, actor: Actor, intro: str) -> None:
    """For approvers: the drafts waiting for approval (chat start, chat resume)."""
    if actor.role.rank < Role.APPROVER.rank:
        return
    drafts = await asyncio.to_thread(app.notifications.pending, LISTED_AT_MOST)
    if not drafts:
        return
    total = f"{len(drafts)}+" if len(drafts) >= LISTED_AT_MOST else str(len(drafts))
    content = intro.format(n=total)
    if len(drafts) > SHOWN_AT_START:
        # never let a count suggest the cards below are all there is
        content += (
            f"\n\nThe first {SHOWN_AT_START} are below (waiting longest first, then newest);"
            " ask for “pending drafts” to see them all."
        )
    await cl.Message(content=content).send()
    await show_drafts(app, actor, [d.id for d in drafts[:SHOWN_AT_START]])


async def decide(
    app: App, assistant: Assistant, actor: Actor, action: cl.Action, sink: Sink
) -> None:
    """The callback of every approvals button: the choice names what to do with the id."""
    payload = action.payload or {}
    item_id = str(payload.get("id", ""))[:36]
    choice = str(payload.get("choice", ""))
    if choice in CHANGE_CHOICES:
        await _remove_buttons(item_id)
        outcome = await assistant.decide(actor, item_id, choice == "confirm", sink)
        await _buttons_again_if_waiting(app, actor, item_id, outcome.refused)
    elif choice == OVERRIDE:
        await override(app, assistant, actor, item_id, sink)
    elif choice == "dismiss":
        await dismiss_reply(app, actor, item_id)
    elif choice == "reply_edit":
        await edit_reply(app, actor, item_id)
    elif choice == "approve":
        await approve(app, actor, item_id)
    elif choice == "edit":
        await edit(app, actor, item_id)
    elif choice == "reject":
        await reject(app, actor, item_id)
    else:
        await cl.Message(content="That button is not one I know; nothing was changed.").send()


async def _buttons_again_if_waiting(
    app: App, actor: Actor, approval_id: str, refused: bool
) -> None:
    """A press that was refused (not allowed, the certificate check, ...) leaves the change
    waiting: its card comes back with its buttons, so the person can still Cancel it or have
    someone else confirm — never a card stuck without buttons until a reload."""
    if not refused:
        return
    try:
        row = await asyncio.to_thread(app.approvals.get, approval_id)
    except NotFound:
        return
    if row.state == ApprovalState.PENDING.value:
        await show_confirmations(actor, [row])


async def _remove_buttons(approval_id: str) -> None:
    buttons = (cl.user_session.get("approval_buttons") or {}).pop(approval_id, [])
    for button in buttons:
        await button.remove()


async def override(
    app: App, assistant: Assistant, actor: Actor, approval_id: str, sink: Sink
) -> None:
    """ "Override certificate…": an approver confirms a status change the release-certificate
    check did not pass, with a reason. The confirmation goes the one way every Confirm goes
    (the approval row, then its durable command); the domain checks the role and the card
    again, so a press forged by an editor changes nothing."""
    try:
        await _override(app, assistant, actor, approval_id, sink)
    finally:
        await _asked()


async def _override(
    app: App, assistant: Assistant, actor: Actor, approval_id: str, sink: Sink
) -> None:
    if actor.role.rank < Role.APPROVER.rank:  # before asking for a reason nobody could use
        await cl.Message(
            content=f"Not allowed: {actor.name} ({actor.role}) may not override the "
            "release-certificate check; it needs the approver role. Nothing was changed."
        ).send()
        return
    answer = await cl.AskUserMessage(
        content="Why go ahead without a matching release certificate? "
        "(kept in the RO's history with your name)",
        timeout=ASK_TIMEOUT_S,
    ).send()
    reason = _reply_text(answer)
    if reason is None or len(reason) < MIN_REASON_CHARS:
        await cl.Message(
            content="Not overridden: say why in a few words. "
            "The change still waits for Confirm or Cancel."
        ).send()
        return
    await _remove_buttons(approval_id)
    outcome = await assistant.decide(actor, approval_id, True, sink, certificate_override=reason)
    await _buttons_again_if_waiting(app, actor, approval_id, outcome.refused)


async def dismiss_reply(app: App, actor: Actor, approval_id: str) -> None:
    """Dismiss a shop's reply: nothing is applied; an optional reason is kept with the reply."""
    try:
        await _dismiss_reply(app, actor, approval_id)
    finally:
        await _asked()


async def _dismiss_reply(app: App, actor: Actor, approval_id: str) -> None:
    if actor.role.rank < Role.EDITOR.rank:  # before asking for a reason nobody could use
        await cl.Message(
            content=f"Not allowed: {actor.name} ({actor.role}) may not dismiss a shop's reply; "
            "it needs the editor role. Nothing was changed."
        ).send()
        return
    answer = await cl.AskUserMessage(
        content="Why dismiss it? (optional — type `skip` for none; kept with the reply)",
        timeout=ASK_TIMEOUT_S,
    ).send()
    reason = _reply_text(answer)
    reason = None if reason is None or reason.lower() in ("skip", "-", "none") else reason
    try:
        row = await asyncio.to_thread(ReplyDecisions(app.uow).dismiss, actor, approval_id, reason)
    except RoTrackerError as exc:
        await cl.Message(content=f"Not dismissed: {exc}").send()
        return
    await _remove_buttons(approval_id)
    why = f" Reason: {literal(reason, 500)}" if reason else ""
    await cl.Message(
        content=f"Dismissed by {row.decided_by} — nothing was applied to RO {row.ro_number}.{why}"
    ).send()


async def edit_reply(app: App, actor: Actor, approval_id: str) -> None:
    """Edit a shop's reply before confirming: pick the value, type it (checked by the same
    rules as any change), see the card again."""
    try:
        await _edit_reply(app, actor, approval_id)
    finally:
        await _asked()


async def _edit_reply(app: App, actor: Actor, approval_id: str) -> None:
    if actor.role.rank < Role.EDITOR.rank:
        await cl.Message(
            content=f"Not allowed: {actor.name} ({actor.role}) may not edit a shop's reply; "
            "it needs the editor role. Nothing was changed."
        ).send()
        return
    choices = [
        cl.Action(name="reply_field", payload={"field": name}, label=_first_up(LABELS[name]))
        for name in CHANGE_FIELDS
    ] + [cl.Action(name="reply_field", payload={"field": "cancel"}, label="Cancel")]
    picked = await cl.AskActionMessage(
        content="Which value do you want to change?", actions=choices, timeout=ASK_TIMEOUT_S
    ).send()
    field = (picked or {}).get("payload", {}).get("field")
    if field not in CHANGE_FIELDS:
        return
    answer = await cl.AskUserMessage(
        content=f"New {LABELS[field]} (type `none` to leave it out of the update):",
        timeout=ASK_TIMEOUT_S,
    ).send()
    value = _reply_text(answer)
    if value is None:
        return
    try:
        row = await asyncio.to_thread(
            ReplyDecisions(app.uow).edit, actor, approval_id, field, value
        )
    except RoTrackerError as exc:
        await cl.Message(content=f"Not changed: {exc}").send()
        return
    await _remove_buttons(approval_id)
    await show_confirmations(actor, [row])


def _first_up(label: str) -> str:
    return label[:1].upper() + label[1:]  # "ETA" stays ETA


async def _retire_card(draft_id: str) -> None:
    store: dict[str, cl.Message] = cl.user_session.get("draft_cards") or {}
    message = store.pop(draft_id, None)
    if message is not None:
        await message.remove_actions()
    cl.user_session.set("draft_cards", store)


async def approve(app: App, actor: Actor, draft_id: str) -> None:
    try:
        draft = await asyncio.to_thread(app.notifications.approve, actor, draft_id)
    except RoTrackerError as exc:
        await cl.Message(content=f"Not sent: {exc}").send()
        return
    await _retire_card(draft_id)
    status = cl.Message(content=f"Approved by {actor.name} — sending to {draft.to}…")
    await status.send()
    status.content = await _send(app, draft_id, draft.to or "")
    await status.update()


async def _send(app: App, draft_id: str, to: str) -> str:
    """Run the send actor and report its outcome; after SENT_WAIT_S it carries on unwatched."""
    try:
        await app.jobs.run(send_email, draft_id, timeout=SENT_WAIT_S)
    except JobUnavailable:
        return (
            f"Approved — the job system is unreachable right now; the email to {to} is sent "
            "automatically once it is back."
        )
    except JobError:
        return f"Approved — queued for sending to {to}; it goes out as soon as a worker is free."
    except RoTrackerError as exc:
        return f"❌ **Not sent:** {exc}"
    draft = await asyncio.to_thread(app.notifications.get, draft_id)
    if draft.state is State.SENT:
        return f"✅ **Sent** to {to} ({draft.sender})."
    if draft.state is State.FAILED:
        return f"❌ **Not sent:** {draft.error}"
    return f"Approved — queued for sending to {to}; it goes out as soon as a worker is free."


async def reject(app: App, actor: Actor, draft_id: str) -> None:
    try:
        await _reject(app, actor, draft_id)
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


async def edit(app: App, actor: Actor, draft_id: str) -> None:
    try:
        await _edit(app, actor, draft_id)
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
    await show_drafts(app, actor, [draft_id])


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
