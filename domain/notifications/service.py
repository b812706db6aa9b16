"""`NotificationService`: the one entry point for callers (`app.notifications`).

It holds no logic of its own: each call goes to the part that owns it (drafting, queries,
decisions, the delivery lease, scheduled drafts), so callers keep one object and one set of names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, timedelta, tzinfo
from typing import Any

from domain.followup import FollowUpPolicy
from domain.notifications.decisions import Decisions
from domain.notifications.delivery import DeliveryLease
from domain.notifications.drafting import Drafting
from domain.notifications.queries import Queries
from domain.notifications.rules import parse_cc
from domain.notifications.scheduled import ScheduledDrafts
from domain.notifications.views import Claim, NotificationView, State
from domain.repair_orders import RepairOrderService
from domain.roles import SYSTEM, Actor
from domain.unit_of_work import BeforeCommit, UnitOfWork, UnitOfWorkFactory


class NotificationService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hooked_uow: Callable[[list[BeforeCommit]], UnitOfWork],
        repair_orders: RepairOrderService,
        policy: FollowUpPolicy,
        today: Callable[[], date],
        default_cc: list[str] | None = None,
        tz: tzinfo = UTC,
    ):
        self.repair_orders = repair_orders
        self.policy = policy
        self.today = today
        self.default_cc = parse_cc(default_cc or [])
        self.drafting = Drafting(uow, today, self.default_cc)
        self.queries = Queries(uow)
        self.decisions = Decisions(uow)
        self.delivery = DeliveryLease(uow, hooked_uow, repair_orders)
        self.scheduled = ScheduledDrafts(uow, policy, today, self.drafting, tz)

    # ---- drafting ----------------------------------------------------------------------------
    def draft(
        self, actor: Actor, number: object, *, body: str | None = None, reason: str = "manual"
    ) -> NotificationView:
        return self.drafting.draft(actor, number, body=body, reason=reason)

    def merge(self, actor: Actor, ids: list[str]) -> NotificationView:
        return self.drafting.merge(actor, ids)

    # ---- reading -----------------------------------------------------------------------------
    def get(self, notification_id: str) -> NotificationView:
        return self.queries.get(notification_id)

    def exists(self, notification_id: str) -> bool:
        return self.queries.exists(notification_id)

    def pending(self, limit: int = 100) -> list[NotificationView]:
        return self.queries.pending(limit)

    def list(
        self,
        state: State | str | None = State.PENDING_APPROVAL,
        *,
        ro_number: object = None,
        limit: int = 100,
    ) -> list[NotificationView]:
        return self.queries.list(state, ro_number=ro_number, limit=limit)

    def history(self, ro_number: object = None, limit: int = 50) -> list[NotificationView]:
        return self.queries.history(ro_number, limit)

    # ---- deciding ----------------------------------------------------------------------------
    def edit(
        self,
        actor: Actor,
        notification_id: str,
        *,
        to: str | None = None,
        cc: list[str] | str | None = None,
        subject: str | None = None,
        body: str | None = None,
        save_shop_email: bool = False,
    ) -> NotificationView:
        return self.decisions.edit(
            actor,
            notification_id,
            to=to,
            cc=cc,
            subject=subject,
            body=body,
            save_shop_email=save_shop_email,
        )

    def approve(self, actor: Actor, notification_id: str) -> NotificationView:
        return self.decisions.approve(actor, notification_id)

    def reject(
        self, actor: Actor, notification_id: str, reason: str | None = None
    ) -> NotificationView:
        return self.decisions.reject(actor, notification_id, reason)

    def requeue(self, actor: Actor, notification_id: str) -> NotificationView:
        return self.decisions.requeue(actor, notification_id)

    # ---- sending (jobs/mail/ calls these) ---------------------------------------------------
    def claim(self, notification_id: str, owner: str, lease_s: int) -> Claim | None:
        return self.delivery.claim(notification_id, owner, lease_s)

    def remember(self, claim: Claim, **values: Any) -> None:
        self.delivery.remember(claim, **values)

    def record_sent(
        self, claim: Claim, *, sender: str, provider_ref: str, message_id: str | None
    ) -> bool:
        return self.delivery.record_sent(
            claim, sender=sender, provider_ref=provider_ref, message_id=message_id
        )

    def record_failed(self, claim: Claim, error: str) -> None:
        self.delivery.record_failed(claim, error)

    def release(self, claim: Claim) -> None:
        self.delivery.release(claim)

    def unsent(self, older_than: timedelta = timedelta(minutes=10)) -> list[str]:
        return self.delivery.unsent(older_than)

    # ---- what the jobs draft -----------------------------------------------------------------
    def draft_follow_ups(self, actor: Actor = SYSTEM) -> list[str]:
        return self.scheduled.draft_follow_ups(actor)

    def draft_overdue(self, actor: Actor = SYSTEM) -> list[str]:
        return self.scheduled.draft_overdue(actor)
