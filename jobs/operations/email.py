"""Tool operations for email drafts (issue #6): draft, list, history.

There is deliberately no operation that approves or sends: only a person's button press or
`gt emails approve` does that (domain `NotificationService.approve`, then `queue_send`).
`draft_email` is marked as a read operation: it needs no idempotency key because
drafting is idempotent by itself (an RO has at most one pending draft; asking again returns it).
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any

from domain.errors import RoTrackerError
from domain.local_time import iso_local, readable
from domain.models import utcnow
from domain.notifications.views import NotificationView
from domain.roles import Role, shown_actor
from domain.shops import overdue_by_shop, resolve
from jobs.operation import OperationContext, Result, reads

PREVIEW_CHARS = 1500


def draft_dict(v: NotificationView, tz: tzinfo = UTC, warn_days: int = 0) -> dict[str, Any]:
    """A draft as tools, the CLI and the chat show it (body as text, shortened). Times are in
    the desk's time zone `tz`: `when` to read (sent, else drafted), ISO with offset for code.
    `warning` when the shop was emailed about one of its ROs less than `warn_days` ago."""
    text = v.body_text if len(v.body_text) <= PREVIEW_CHARS else v.body_text[:PREVIEW_CHARS] + "…"
    return {
        "id": v.id,
        "state": v.state.value,
        "reason": v.reason,
        "ro_numbers": v.ro_numbers,
        "shop": v.shop_name,
        "to": v.to,
        "cc": v.cc,
        "subject": v.subject,
        "body": text,
        "missing_email": v.missing_email,
        "waiting_over_24h": v.is_stale,
        "created_by": v.created_by,
        "drafted_by": shown_actor(v.created_by),
        "created_at": iso_local(v.created_at, tz),
        "approved_by": v.approved_by,
        "rejected_by": v.rejected_by,
        "reject_reason": v.reject_reason,
        "sent_at": iso_local(v.sent_at, tz),
        "when": readable(v.sent_at or v.created_at, tz),
        "error": v.error,
        **_recent_email(v, tz, warn_days),
    }


def _recent_email(v: NotificationView, tz: tzinfo, warn_days: int) -> dict[str, Any]:
    last = v.last_sent()
    if last is None:
        return {}
    warning = v.sent_again_warning(utcnow(), warn_days, tz)
    return {
        "last_sent": {
            "ro_number": last.ro_number,
            "subject": last.subject,
            "sent_at": iso_local(last.at, tz),
            "when": readable(last.at, tz),
        },
        **({"warning": warning} if warning else {}),
    }


def desk(ctx: OperationContext) -> dict[str, Any]:
    """How this desk shows drafts: its time zone, and how recent an email earns a warning."""
    settings = ctx.app.settings
    return {"tz": settings.tz, "warn_days": settings.email_again_warning_days}


@reads
def draft_email(ctx: OperationContext, number: str, body: str | None = None) -> Result:
    view = ctx.app.notifications.draft(ctx.actor, number, body=body)
    return {"draft": draft_dict(view, **desk(ctx)), "already_pending": view.already_pending}


@reads
def list_email_drafts(
    ctx: OperationContext, state: str = "PENDING_APPROVAL", limit: int = 50
) -> Result:
    service = ctx.app.notifications
    if str(state).upper() == "PENDING_APPROVAL":
        views = service.pending(limit=int(limit))
    else:
        views = service.list(state, limit=int(limit))
    return {
        "state": str(state).upper(),
        "total": len(views),
        "items": [draft_dict(v, **desk(ctx)) for v in views],
    }


@reads
def email_history(ctx: OperationContext, number: str | None = None, limit: int = 20) -> Result:
    views = ctx.app.notifications.history(number, limit=int(limit))
    items = [draft_dict(v, **desk(ctx)) for v in views]
    return {"ro_number": number, "total": len(items), "items": items}


# ---- follow-ups merged per shop (c13 point 6) ---------------------------------------------------
@reads
def draft_follow_ups_by_shop(ctx: OperationContext, shop: str | None = None) -> Result:
    """One draft per shop with overdue ROs, listing them all (the old system's batch prompt):
    each RO's draft (its waiting one if it has one), merged into one email per shop. Running it
    again finds the merged drafts and adds nothing."""
    ctx.actor.require(Role.EDITOR, "draft emails")
    service = ctx.app.notifications
    with ctx.app.session() as session:
        chosen = resolve(session, shop) if shop else None
        by_shop = overdue_by_shop(session, ctx.app.today(), chosen)
    drafts, skipped = [], []
    for name, numbers in by_shop.items():
        try:
            views = [service.draft(ctx.actor, n, reason="overdue") for n in numbers]
            ids = list(dict.fromkeys(v.id for v in views))
            view = service.merge(ctx.actor, ids) if len(ids) > 1 else views[0]
        except RoTrackerError as exc:  # one shop's trouble does not stop the others
            skipped.append({"shop": name, "ro_numbers": numbers, "reason": str(exc)})
            continue
        drafts.append({**draft_dict(view, **desk(ctx)), "overdue_ro_numbers": numbers})
    return {
        "shops": len(drafts),
        "overdue_ros": sum(len(n) for n in by_shop.values()),
        "drafts": drafts,
        "missing_email": [d["shop"] for d in drafts if d["missing_email"]],
        "skipped": skipped,
    }
