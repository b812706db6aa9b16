"""A person's decisions on a draft: edit it, approve it, reject it, or put it back in the queue.

Approving and rejecting are one conditional UPDATE each, so of two people (or two clicks) deciding
the same draft at once exactly one wins; the other gets `Conflict`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.email_html import sanitize_html
from domain.errors import Conflict, InvalidInput
from domain.models import Notification, NotificationRepairOrder, RepairOrder, Shop, utcnow
from domain.notifications.rows import get_row, ro_links, shop_by_name, to_view
from domain.notifications.rules import parse_cc, parse_recipient
from domain.notifications.views import NotificationView, State
from domain.repair_orders import shop_key
from domain.roles import Actor, Role
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import clean_text

# Who may make each decision on a draft: the one rule behind the checks below and the buttons
# a draft's card shows (web/approvals.py), so nobody is offered a button that then refuses them.
NEEDED = {"edit": Role.EDITOR, "approve": Role.APPROVER, "reject": Role.EDITOR}


def may(actor: Actor, decision: str) -> bool:
    needed = NEEDED.get(decision)
    return needed is not None and actor.role.rank >= needed.rank


class Decisions:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

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
        """Change a pending draft. `save_shop_email` also makes the new recipient the shop's
        email (an explicit choice, never a side effect of editing)."""
        actor.require(NEEDED["edit"], "edit email drafts")
        values: dict[str, Any] = {}
        if to is not None:
            values["to_address"] = parse_recipient(to)
            values["missing_email"] = values["to_address"] is None
        if cc is not None:
            values["cc"] = parse_cc(cc)
        if subject is not None:
            clean = clean_text(subject, field="subject", max_chars=250)
            if not clean:
                raise InvalidInput("The subject cannot be empty.")
            values["subject"] = clean
        if body is not None:
            values["body_html"] = sanitize_html(body)
        if not values and not save_shop_email:
            raise InvalidInput("Nothing to change: give a recipient, CC, subject or body.")
        with self._uow() as uow:
            s = uow.session
            row = get_row(s, notification_id)
            if values:
                done = s.execute(
                    update(Notification)
                    .where(Notification.id == row.id, Notification.state == State.PENDING_APPROVAL)
                    .values(**values, edited_by=actor.name, edited_at=utcnow())
                )
                if done.rowcount != 1:
                    raise Conflict(
                        f"This draft is {row.state.lower()}; it can no longer be edited."
                    )
            if save_shop_email:
                address = values.get("to_address", row.to_address)
                if not address:
                    raise InvalidInput("Give a recipient to save as the shop's email.")
                self._save_shop_email(s, row, address)
            uow.commit()
            s.expire_all()
            return to_view(s, get_row(s, row.id))

    def approve(self, actor: Actor, notification_id: str) -> NotificationView:
        """Approve a draft for sending. Needs the approver role and a recipient; one conditional
        UPDATE, so of two approvers (or two clicks) exactly one wins, the other gets Conflict."""
        actor.require(NEEDED["approve"], "approve emails")
        with self._uow() as uow:
            s = uow.session
            row = get_row(s, notification_id)
            if row.state == State.PENDING_APPROVAL and row.to_address is None:
                raise InvalidInput(
                    f"The shop {row.shop_name or ''} has no email address on file: edit the "
                    "draft to give a recipient (and save it as the shop's email if you like), "
                    "then approve."
                )
            done = s.execute(
                update(Notification)
                .where(
                    Notification.id == row.id,
                    Notification.state == State.PENDING_APPROVAL,
                    Notification.to_address.is_not(None),
                )
                .values(state=State.APPROVED.value, approved_by=actor.name, approved_at=utcnow())
            )
            if done.rowcount != 1:
                s.rollback()
                raise self._already(s, row.id)
            self._release_pending(s, row.id)
            uow.commit()
            return to_view(s, get_row(s, row.id))

    def reject(
        self, actor: Actor, notification_id: str, reason: str | None = None
    ) -> NotificationView:
        actor.require(NEEDED["reject"], "reject email drafts")
        why = clean_text(reason, field="reason", max_chars=500)
        with self._uow() as uow:
            s = uow.session
            row = get_row(s, notification_id)
            done = s.execute(
                update(Notification)
                .where(Notification.id == row.id, Notification.state == State.PENDING_APPROVAL)
                .values(
                    state=State.REJECTED.value,
                    rejected_by=actor.name,
                    rejected_at=utcnow(),
                    reject_reason=why,
                )
            )
            if done.rowcount != 1:
                s.rollback()
                raise self._already(s, row.id)
            self._release_pending(s, row.id)
            uow.commit()
            return to_view(s, get_row(s, row.id))

    def requeue(self, actor: Actor, notification_id: str) -> NotificationView:
        """A rejected or failed email back to PENDING_APPROVAL (it needs approving again)."""
        actor.require(Role.EDITOR, "re-queue emails")
        with self._uow() as uow:
            s = uow.session
            row = get_row(s, notification_id)
            done = s.execute(
                update(Notification)
                .where(
                    Notification.id == row.id,
                    Notification.state.in_([State.REJECTED.value, State.FAILED.value]),
                )
                .values(
                    state=State.PENDING_APPROVAL.value,
                    approved_by=None,
                    approved_at=None,
                    handoff_at=None,
                    lease_owner=None,
                    lease_until=None,
                    provider_ref=None,
                    message_id=None,  # a new send gets new ids
                    conversation_id=None,
                    error=None,
                )
            )
            if done.rowcount != 1:
                raise Conflict(
                    f"Only rejected or failed emails can be re-queued; this is {row.state}."
                )
            for link in ro_links(s, row.id):
                link.pending_ro = link.ro_number
            try:
                uow.commit()
            except IntegrityError:
                raise Conflict("That RO already has another draft waiting for approval.") from None
            return to_view(s, get_row(s, row.id))

    @staticmethod
    def _release_pending(s: Session, notification_id: str) -> None:
        s.execute(
            update(NotificationRepairOrder)
            .where(NotificationRepairOrder.notification_id == notification_id)
            .values(pending_ro=None)
        )

    @staticmethod
    def _already(s: Session, notification_id: str) -> Conflict:
        s.expire_all()
        current = get_row(s, notification_id)
        who = current.approved_by or current.rejected_by
        by = f" by {who}" if who else ""
        return Conflict(f"This email was already {current.state.lower().replace('_', ' ')}{by}.")

    @staticmethod
    def _save_shop_email(s: Session, row: Notification, address: str) -> None:
        shop = s.get(Shop, row.shop_id) if row.shop_id else shop_by_name(s, row.shop_name)
        if shop is None:
            if not row.shop_name:
                raise InvalidInput("This draft has no shop to save the email to.")
            shop = Shop(name=row.shop_name, name_key=shop_key(row.shop_name))
            s.add(shop)
            s.flush()
            s.execute(
                update(RepairOrder)
                .where(RepairOrder.shop_key == shop.name_key, RepairOrder.shop_id.is_(None))
                .values(shop_id=shop.id)
            )
        shop.email = address
        row.shop_id = shop.id
