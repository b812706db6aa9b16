"""Emails to repair shops with a person in the loop (issue #6; DESIGN flow 4).

A draft is a `Notification` in PENDING_APPROVAL with to, cc, subject and a sanitized HTML body,
linked to the RO(s) it is about. Recipients always come from the shop's data (a shop without
an email gives a draft flagged `missing_email` that cannot be approved until someone types an
address). Only an approver approves; approving is one conditional UPDATE, so of two approvers
clicking at once exactly one wins. Sending (jobs/mail/) claims the row with a lease, and its
outcome is recorded in the same transaction that moves the RO's follow-up dates.

    PENDING_APPROVAL --approve--> APPROVED --claim--> SENDING --recorded--> SENT
           |  \\--reject--> REJECTED --requeue--> PENDING_APPROVAL
           |   \\--merge--> MERGED (folded into one email to the shop)
           \\<----------- FAILED --requeue-- (SENDING when the transport gave up or is uncertain)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.archive import Archive
from domain.email_html import html_to_text, sanitize_html
from domain.email_templates import RoFacts, follow_up, merged
from domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from domain.followup import FollowUpPolicy
from domain.models import (
    ActivityLog,
    Notification,
    NotificationRepairOrder,
    RepairOrder,
    Shop,
    utcnow,
)
from domain.repair_orders import RepairOrderService, shop_key
from domain.roles import SYSTEM, Actor, Role
from domain.statuses import Status, try_parse_status
from domain.unit_of_work import BeforeCommit, UnitOfWork, UnitOfWorkFactory
from domain.users import normalize_email
from domain.values import clean_text, normalize_ro_number

EMAIL_DRAFT = "EMAIL_DRAFT"
STALE_AFTER = timedelta(hours=24)  # pending drafts older than this float to the top
MAX_CC = 10
# Statuses whose lingering gets a follow-up draft (REFERENCE §2): quote, repair, tracking.
TRACKED_STATUSES = (Status.WAITING_QUOTE, Status.APPROVED, Status.IN_WORK, Status.SHIPPED)


class State(StrEnum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    SENDING = "SENDING"
    SENT = "SENT"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    MERGED = "MERGED"


HISTORY_STATES = (State.SENT, State.REJECTED, State.FAILED)
SENDABLE_STATES = (State.APPROVED.value, State.SENDING.value)


class Busy(Conflict):
    """Another worker holds the send lease of this email right now."""


class NotificationView(BaseModel):
    id: str
    kind: str
    state: State
    reason: str
    shop_name: str | None
    to: str | None
    cc: list[str]
    subject: str
    body_html: str
    body_text: str
    missing_email: bool
    ro_numbers: list[str]
    ro_status: str | None
    created_by: str
    created_at: datetime
    edited_by: str | None
    approved_by: str | None
    approved_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    reject_reason: str | None
    merged_into: str | None
    sender: str | None
    sent_at: datetime | None
    failed_at: datetime | None
    error: str | None
    attempts: int
    is_stale: bool
    already_pending: bool = False

    @classmethod
    def of(cls, n: Notification, numbers: list[str], now: datetime) -> NotificationView:
        return cls(
            id=n.id,
            kind=n.kind,
            state=State(n.state),
            reason=n.reason,
            shop_name=n.shop_name,
            to=n.to_address,
            cc=list(n.cc or []),
            subject=n.subject,
            body_html=n.body_html,
            body_text=html_to_text(n.body_html),
            missing_email=n.to_address is None,
            ro_numbers=numbers,
            ro_status=n.ro_status,
            created_by=n.created_by,
            created_at=n.created_at,
            edited_by=n.edited_by,
            approved_by=n.approved_by,
            approved_at=n.approved_at,
            rejected_by=n.rejected_by,
            rejected_at=n.rejected_at,
            reject_reason=n.reject_reason,
            merged_into=n.merged_into,
            sender=n.sender,
            sent_at=n.sent_at,
            failed_at=n.failed_at,
            error=n.error,
            attempts=n.attempts,
            is_stale=n.state == State.PENDING_APPROVAL and now - n.created_at > STALE_AFTER,
        )


@dataclass(frozen=True)
class Claim:
    """What a sender needs, read under the lease."""

    id: str
    owner: str
    to: str
    cc: list[str]
    subject: str
    body_html: str
    provider_ref: str | None
    handoff_at: datetime | None
    approved_by: str
    ro_numbers: list[str]


def _facts(ro: RepairOrder) -> RoFacts:
    return RoFacts(
        number=ro.number,
        status=try_parse_status(ro.status),
        status_date=ro.status_date,
        part_number=ro.part_number,
        part_description=ro.part_description,
        serial_number=ro.serial_number,
        shop_ref=ro.shop_ref,
        tracking_number=ro.tracking_number,
        estimated_delivery=ro.estimated_delivery,
    )


def parse_recipient(value: str | None) -> str | None:
    text = (value or "").strip()
    return normalize_email(text) if text else None


def parse_cc(value: Iterable[str] | str | None) -> list[str]:
    if value is None:
        return []
    parts = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    found = [normalize_email(p) for p in (str(p).strip() for p in parts) if p]
    if len(found) > MAX_CC:
        raise InvalidInput(f"At most {MAX_CC} CC addresses.")
    return list(dict.fromkeys(found))


class NotificationService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hooked_uow: Callable[[list[BeforeCommit]], UnitOfWork],
        repair_orders: RepairOrderService,
        policy: FollowUpPolicy,
        today: Callable[[], date],
        default_cc: list[str] | None = None,
    ):
        self._uow = uow
        self._hooked_uow = hooked_uow
        self.repair_orders = repair_orders
        self.policy = policy
        self.today = today
        self.default_cc = parse_cc(default_cc or [])

    # ---- drafting ----------------------------------------------------------------------------
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
                return self._view(s, existing, already_pending=True)
            shop = ro.shop or self._shop_by_name(s, ro.shop_name)
            template = follow_up(_facts(ro), shop.contact if shop else None)
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
                return self._view(s, existing, already_pending=True)
            return self._view(s, row)

    def merge(self, actor: Actor, ids: list[str]) -> NotificationView:
        """Fold several pending drafts to one shop into one email with a table of the ROs."""
        actor.require(Role.EDITOR, "merge email drafts")
        ids = list(dict.fromkeys(str(i)[:36] for i in ids))
        if len(ids) < 2:
            raise InvalidInput("Give at least two drafts to merge.")
        with self._uow() as uow:
            s = uow.session
            rows = [self._get(s, i) for i in ids]
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
            template = merged([_facts(r) for r in ros], first.shop_name, shop and shop.contact)
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
            return self._view(s, row)

    # ---- reading -----------------------------------------------------------------------------
    def get(self, notification_id: str) -> NotificationView:
        with self._uow() as uow:
            return self._view(uow.session, self._get(uow.session, notification_id))

    def exists(self, notification_id: str) -> bool:
        with self._uow() as uow:
            return uow.session.get(Notification, str(notification_id)[:36]) is not None

    def pending(self, limit: int = 100) -> list[NotificationView]:
        """Drafts waiting for approval: those waiting over 24 h first (oldest first), then the
        rest newest first."""
        views = self.list(State.PENDING_APPROVAL, limit=limit)
        stale = sorted((v for v in views if v.is_stale), key=lambda v: v.created_at)
        fresh = [v for v in views if not v.is_stale]
        return stale + fresh

    def list(
        self,
        state: State | str | None = State.PENDING_APPROVAL,
        *,
        ro_number: object = None,
        limit: int = 100,
    ) -> list[NotificationView]:
        query = select(Notification)
        if state is not None and str(state).upper() not in ("", "ALL"):
            try:
                chosen = State(str(state).upper())
            except ValueError:
                known = ", ".join(s.value for s in State)
                raise InvalidInput(
                    f'"{str(state)[:30]}" is not a draft state. Use {known}.'
                ) from None
            query = query.where(Notification.state == chosen.value)
        if ro_number is not None:
            query = query.where(self._about(normalize_ro_number(ro_number)))
        query = query.order_by(Notification.created_at.desc(), Notification.id).limit(limit)
        with self._uow() as uow:
            return [self._view(uow.session, n) for n in uow.session.scalars(query)]

    def history(self, ro_number: object = None, limit: int = 50) -> list[NotificationView]:
        """Sent, rejected and failed emails, newest first."""
        query = select(Notification).where(
            Notification.state.in_([s.value for s in HISTORY_STATES])
        )
        if ro_number is not None:
            query = query.where(self._about(normalize_ro_number(ro_number)))
        query = query.order_by(Notification.created_at.desc()).limit(limit)
        with self._uow() as uow:
            return [self._view(uow.session, n) for n in uow.session.scalars(query)]

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
        """Change a pending draft. `save_shop_email` also makes the new recipient the shop's
        email (an explicit choice, never a side effect of editing)."""
        actor.require(Role.EDITOR, "edit email drafts")
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
            row = self._get(s, notification_id)
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
            return self._view(s, self._get(s, row.id))

    def approve(self, actor: Actor, notification_id: str) -> NotificationView:
        """Approve a draft for sending. Needs the approver role and a recipient; one conditional
        UPDATE, so of two approvers (or two clicks) exactly one wins, the other gets Conflict."""
        actor.require(Role.APPROVER, "approve emails")
        with self._uow() as uow:
            s = uow.session
            row = self._get(s, notification_id)
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
            return self._view(s, self._get(s, row.id))

    def reject(
        self, actor: Actor, notification_id: str, reason: str | None = None
    ) -> NotificationView:
        actor.require(Role.EDITOR, "reject email drafts")
        why = clean_text(reason, field="reason", max_chars=500)
        with self._uow() as uow:
            s = uow.session
            row = self._get(s, notification_id)
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
            return self._view(s, self._get(s, row.id))

    def requeue(self, actor: Actor, notification_id: str) -> NotificationView:
        """A rejected or failed email back to PENDING_APPROVAL (it needs approving again)."""
        actor.require(Role.EDITOR, "re-queue emails")
        with self._uow() as uow:
            s = uow.session
            row = self._get(s, notification_id)
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
                    error=None,
                )
            )
            if done.rowcount != 1:
                raise Conflict(
                    f"Only rejected or failed emails can be re-queued; this is {row.state}."
                )
            for link in self._links(s, row.id):
                link.pending_ro = link.ro_number
            try:
                uow.commit()
            except IntegrityError:
                raise Conflict("That RO already has another draft waiting for approval.") from None
            return self._view(s, self._get(s, row.id))

    # ---- sending (jobs/mail/ calls these) ---------------------------------------------------
    def claim(self, notification_id: str, owner: str, lease_s: int) -> Claim | None:
        """Take the send lease: None when there is nothing to send (sent, rejected...); `Busy`
        when another worker holds an unexpired lease."""
        now = utcnow()
        with self._uow() as uow:
            s = uow.session
            row = self._get(s, notification_id)
            if row.state not in SENDABLE_STATES:
                return None
            done = s.execute(
                update(Notification)
                .where(
                    Notification.id == row.id,
                    Notification.state.in_(SENDABLE_STATES),
                    (Notification.lease_until.is_(None))
                    | (Notification.lease_until < now)
                    | (Notification.lease_owner == owner),
                )
                .values(
                    state=State.SENDING.value,
                    lease_owner=owner,
                    lease_until=now + timedelta(seconds=lease_s),
                    attempts=Notification.attempts + 1,
                )
            )
            uow.commit()
            if done.rowcount != 1:
                s.expire_all()
                current = self._get(s, row.id)
                if current.state not in SENDABLE_STATES:
                    return None
                raise Busy(f"Email {row.id} is being sent by another worker.")
            s.expire_all()
            row = self._get(s, row.id)
            return Claim(
                id=row.id,
                owner=owner,
                to=row.to_address or "",
                cc=list(row.cc or []),
                subject=row.subject,
                body_html=row.body_html,
                provider_ref=row.provider_ref,
                handoff_at=row.handoff_at,
                approved_by=row.approved_by or SYSTEM.name,
                ro_numbers=[link.ro_number for link in self._links(s, row.id)],
            )

    def remember(self, claim: Claim, **values: Any) -> None:
        """Record sender progress (a Graph draft id, a hand-off mark) while holding the lease."""
        allowed = {"provider_ref", "handoff_at", "sender", "message_id"}
        if set(values) - allowed:
            raise ValueError(f"cannot record {sorted(set(values) - allowed)}")
        with self._uow() as uow:
            done = uow.session.execute(
                update(Notification)
                .where(
                    Notification.id == claim.id,
                    Notification.state == State.SENDING,
                    Notification.lease_owner == claim.owner,
                )
                .values(**values)
            )
            if done.rowcount != 1:
                raise Busy("Lost the send lease; another worker took over.")
            uow.commit()

    def record_sent(self, claim: Claim, *, sender: str, provider_ref: str, message_id: str) -> bool:
        """SENT, and the ROs' follow-up dates moved, in one transaction. False if someone else
        recorded it first (then nothing is touched twice)."""
        actor = Actor(claim.approved_by, Role.APPROVER, "email")

        def mark(session: Session) -> None:
            done = session.execute(
                update(Notification)
                .where(Notification.id == claim.id, Notification.state.in_(SENDABLE_STATES))
                .values(
                    state=State.SENT.value,
                    sent_at=utcnow(),
                    sender=sender,
                    provider_ref=provider_ref,
                    message_id=message_id,
                    lease_owner=None,
                    lease_until=None,
                    error=None,
                )
            )
            if done.rowcount != 1:
                raise _AlreadyRecorded()

        for _attempt in range(5):
            service = self.repair_orders.using(lambda: self._hooked_uow([mark]))
            try:
                service.record_email_sent(actor, claim.ro_numbers, claim.subject)
                return True
            except _AlreadyRecorded:
                return False
            except StaleVersion:  # an RO changed at that very moment: read it again
                continue
        raise StaleVersion("Could not record the sent email; the ROs keep changing.")

    def record_failed(self, claim: Claim, error: str) -> None:
        with self._uow() as uow:
            uow.session.execute(
                update(Notification)
                .where(Notification.id == claim.id, Notification.state == State.SENDING)
                .values(
                    state=State.FAILED.value,
                    failed_at=utcnow(),
                    error=error[:2000],
                    lease_owner=None,
                    lease_until=None,
                )
            )
            uow.commit()

    def release(self, claim: Claim) -> None:
        """Give the lease back (the attempt failed in a way worth retrying)."""
        with self._uow() as uow:
            uow.session.execute(
                update(Notification)
                .where(Notification.id == claim.id, Notification.lease_owner == claim.owner)
                .values(lease_owner=None, lease_until=None)
            )
            uow.commit()

    def unsent(self, older_than: timedelta = timedelta(minutes=10)) -> list[str]:
        """Approved emails not sent after a while with no live lease: their send message was
        lost (process killed between approving and enqueueing); the caller re-enqueues them."""
        now = utcnow()
        with self._uow() as uow:
            return list(
                uow.session.scalars(
                    select(Notification.id).where(
                        Notification.state.in_(SENDABLE_STATES),
                        Notification.approved_at < now - older_than,
                        (Notification.lease_until.is_(None)) | (Notification.lease_until < now),
                    )
                )
            )

    # ---- what the jobs draft -----------------------------------------------------------------
    def draft_follow_ups(self, actor: Actor = SYSTEM) -> list[str]:
        """Active ROs still in a tracked status after its wait (status date + wait days): one
        draft each, unless the RO got any draft since the follow-up fell due."""
        today = self.today()
        created = []
        with self._uow() as uow:
            candidates = list(
                uow.session.execute(
                    select(
                        RepairOrder.number,
                        RepairOrder.status,
                        RepairOrder.status_date,
                        RepairOrder.terms,
                        RepairOrder.id,
                    )
                    .where(
                        RepairOrder.archive == Archive.ACTIVE.value,
                        RepairOrder.status.in_([s.value for s in TRACKED_STATUSES]),
                        RepairOrder.status_date.is_not(None),
                    )
                    .order_by(RepairOrder.status_date)
                )
            )
            due = []
            for number, status, since, terms, ro_id in candidates:
                wait = self.policy.wait_days(Status(status), terms)
                if wait is None or since + timedelta(days=wait) > today:
                    continue
                if not self._drafted_since(uow.session, ro_id, since + timedelta(days=wait)):
                    due.append(number)
        for number in due:
            view = self.draft(actor, number, reason="follow_up")
            if not view.already_pending:
                created.append(view.id)
        return created

    def draft_overdue(self, actor: Actor = SYSTEM) -> list[str]:
        """The daily sweep: every active RO whose next-update date has passed gets a draft,
        unless it has one pending or got one since that date (running it twice adds nothing)."""
        today = self.today()
        with self._uow() as uow:
            rows = list(
                uow.session.execute(
                    select(RepairOrder.number, RepairOrder.next_update, RepairOrder.id)
                    .where(
                        RepairOrder.archive == Archive.ACTIVE.value,
                        RepairOrder.next_update < today,
                    )
                    .order_by(RepairOrder.next_update)
                )
            )
            due = [
                n for n, since, ro_id in rows if not self._drafted_since(uow.session, ro_id, since)
            ]
        created = []
        for number in due:
            view = self.draft(actor, number, reason="overdue")
            if not view.already_pending:
                created.append(view.id)
        return created

    # ---- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _get(s: Session, notification_id: str) -> Notification:
        row = s.get(Notification, str(notification_id or "").strip()[:36])
        if row is None:
            raise NotFound("There is no such email draft.")
        return row

    @staticmethod
    def _links(s: Session, notification_id: str) -> list[NotificationRepairOrder]:
        return list(
            s.scalars(
                select(NotificationRepairOrder)
                .where(NotificationRepairOrder.notification_id == notification_id)
                .order_by(NotificationRepairOrder.ro_number)
            )
        )

    def _view(
        self, s: Session, row: Notification, already_pending: bool = False
    ) -> NotificationView:
        numbers = [link.ro_number for link in self._links(s, row.id)]
        view = NotificationView.of(row, numbers, utcnow())
        view.already_pending = already_pending
        return view

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
    def _about(number: str):
        return exists().where(
            NotificationRepairOrder.notification_id == Notification.id,
            NotificationRepairOrder.ro_number == number,
        )

    @staticmethod
    def _drafted_since(s: Session, ro_id: int, since: date) -> bool:
        return (
            s.scalar(
                select(Notification.id)
                .join(NotificationRepairOrder)
                .where(NotificationRepairOrder.ro_id == ro_id, Notification.created_on >= since)
                .limit(1)
            )
            is not None
        )

    @staticmethod
    def _shop_by_name(s: Session, name: str | None) -> Shop | None:
        key = shop_key(name)
        return s.scalar(select(Shop).where(Shop.name_key == key)) if key else None

    @staticmethod
    def _release_pending(s: Session, notification_id: str) -> None:
        s.execute(
            update(NotificationRepairOrder)
            .where(NotificationRepairOrder.notification_id == notification_id)
            .values(pending_ro=None)
        )

    def _already(self, s: Session, notification_id: str) -> Conflict:
        s.expire_all()
        current = self._get(s, notification_id)
        who = current.approved_by or current.rejected_by
        by = f" by {who}" if who else ""
        return Conflict(f"This email was already {current.state.lower().replace('_', ' ')}{by}.")

    def _save_shop_email(self, s: Session, row: Notification, address: str) -> None:
        shop = s.get(Shop, row.shop_id) if row.shop_id else self._shop_by_name(s, row.shop_name)
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


class _AlreadyRecorded(Exception):
    pass
