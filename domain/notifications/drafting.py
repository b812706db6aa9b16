"""Drafting: one email per RO from the template, or several to one shop merged into one."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.email_html import sanitize_html
from domain.email_templates import follow_up, merged
from domain.errors import Conflict, InvalidInput, NotFound
from domain.models import ActivityLog, Notification, NotificationRepairOrder, RepairOrder, Shop
from domain.notifications.rows import get_row, shop_by_name, to_view
from domain.notifications.rules import facts
from domain.notifications.views import EMAIL_DRAFT, NotificationView, State
from domain.repair_orders import shop_key
from domain.roles import Actor, Role
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import normalize_ro_number


class Drafting:
    def __init__(self, uow: UnitOfWorkFactory, today: Callable[[], date], default_cc: list[str]):
        self._uow = uow
        self.today = today
        self.default_cc = default_cc

    def draft(
        self, actor: Actor, number: object, *, body: str | None = None, reason: str = "manual"
    ) -> NotificationView:
        """A draft chasing the shop about one RO; the RO's pending draft if it has one already.

        `body` (e.g. written by the model) replaces the template's body after sanitizing; the
        recipient, CC and subject always come from the data and the settings."""
        actor.require(Role.EDITOR, "draft emails")
        canonical = normalize_ro_number(number)
        clean_body = sanitize_html(body) if body is not None else None
        with self._uow() as uow:
            s = uow.session
            ro = s.scalar(select(RepairOrder).where(RepairOrder.number == canonical))
            if ro is None:
                raise NotFound(f"There is no RO {canonical} in any archive.")
            existing = self._pending_for(s, ro.id)
            if existing is not None:
                return to_view(s, existing, already_pending=True)
            shop = ro.shop or shop_by_name(s, ro.shop_name)
            template = follow_up(facts(ro), shop.contact if shop else None)
            row = Notification(
                id=str(uuid.uuid4()),
                kind=EMAIL_DRAFT,
                state=State.PENDING_APPROVAL.value,
                reason=reason,
                shop_id=shop.id if shop else None,
                shop_name=(shop.name if shop else None) or ro.shop_name,
                to_address=(shop.email or None) if shop else None,
                cc=list(self.default_cc),
                subject=template.subject,
                body_html=clean_body or template.body_html,
                missing_email=not (shop and shop.email),
                ro_status=ro.status,
                created_by=actor.name,
                created_on=self.today(),
            )
            s.add(row)
            s.flush()
            s.add(
                NotificationRepairOrder(
                    notification_id=row.id, ro_id=ro.id, ro_number=ro.number, pending_ro=ro.number
                )
            )
            self._log(s, ro.id, actor, "DRAFT_CREATED", row.subject)
            try:
                uow.commit()
            except IntegrityError:  # another draft for this RO won the race a moment ago
                s.rollback()
                existing = self._pending_for(s, ro.id)
                if existing is None:
                    raise
                return to_view(s, existing, already_pending=True)
            return to_view(s, row)

    def merge(self, actor: Actor, ids: list[str]) -> NotificationView:
        """Fold several pending drafts to one shop into one email with a table of the ROs."""
        actor.require(Role.EDITOR, "merge email drafts")
        ids = list(dict.fromkeys(str(i)[:36] for i in ids))
        if len(ids) < 2:
            raise InvalidInput("Give at least two drafts to merge.")
        with self._uow() as uow:
            s = uow.session
            rows = [get_row(s, i) for i in ids]
            if any(r.state != State.PENDING_APPROVAL for r in rows):
                raise Conflict("Only drafts waiting for approval can be merged.")
            shops = {shop_key(r.shop_name) for r in rows}
            if len(shops) != 1:
                raise InvalidInput("Only drafts to the same shop can be merged.")
            links = list(
                s.scalars(
                    select(NotificationRepairOrder).where(
                        NotificationRepairOrder.notification_id.in_(ids)
                    )
                )
            )
            ros = sorted((s.get(RepairOrder, link.ro_id) for link in links), key=lambda r: r.number)
            first = rows[0]
            shop = s.get(Shop, first.shop_id) if first.shop_id else None
            template = merged([facts(r) for r in ros], first.shop_name, shop and shop.contact)
            new_id = str(uuid.uuid4())
            done = s.execute(
                update(Notification)
                .where(Notification.id.in_(ids), Notification.state == State.PENDING_APPROVAL)
                .values(state=State.MERGED.value, merged_into=new_id)
            )
            if done.rowcount != len(ids):
                raise Conflict("One of those drafts was decided a moment ago; nothing merged.")
            for link in links:
                link.pending_ro = None
            s.flush()
            row = Notification(
                id=new_id,
                kind=EMAIL_DRAFT,
                state=State.PENDING_APPROVAL.value,
                reason="merged",
                shop_id=first.shop_id,
                shop_name=first.shop_name,
                to_address=next((r.to_address for r in rows if r.to_address), None),
                cc=list(dict.fromkeys(c for r in rows for c in (r.cc or []))),
                subject=template.subject,
                body_html=template.body_html,
                missing_email=all(r.to_address is None for r in rows),
                created_by=actor.name,
                created_on=self.today(),
            )
            s.add(row)
            s.flush()
            for ro in ros:
                s.add(
                    NotificationRepairOrder(
                        notification_id=new_id,
                        ro_id=ro.id,
                        ro_number=ro.number,
                        pending_ro=ro.number,
                    )
                )
            uow.commit()
            return to_view(s, row)

    @staticmethod
    def _pending_for(s: Session, ro_id: int) -> Notification | None:
        return s.scalar(
            select(Notification)
            .join(NotificationRepairOrder)
            .where(
                NotificationRepairOrder.ro_id == ro_id,
                NotificationRepairOrder.pending_ro.is_not(None),
            )
        )

    @staticmethod
    def _log(s: Session, ro_id: int, actor: Actor, action: str, detail: str) -> None:
        s.add(
            ActivityLog(
                ro_id=ro_id,
                action=action,
                field="email",
                old_value=None,
                new_value=detail,
                actor=actor.name,
                source=actor.source,
            )
        )
