"""What the assistant keeps, as services: chat threads, pending confirmations, turn logs.

Chainlit's own SQL data layer runs only on PostgreSQL/SQLite (REFERENCE §7); the tables in
`domain.models.chat` hold the same things on MySQL too. A paused agent run (waiting for Confirm) is
stored whole in its thread, and each write waiting for a person is an `approvals` row — the button
in the chat carries only that row's id, and deciding it is one conditional UPDATE, so two clicks
cannot both win.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import bulk
from domain.documents.override import overridden
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.models.base import utcnow
from domain.models.chat import AiConversationLog, Approval, ApprovalState, ChatThread, Outcome
from domain.replies.decisions import mark_dismissed
from domain.replies.proposal import PROPOSAL_TOOL, REPLY_REQUESTER
from domain.roles import Actor, Role
from domain.unit_of_work import BeforeCommit, UnitOfWorkFactory
from domain.users import ADMIN_OPERATIONS

MAX_REASON = 1000


def may_decide(actor: Actor, requested_by: str | None, confirm: bool) -> bool:
    """Editors confirm or cancel the changes they asked for; approvers and admins anyone's; a
    viewer may cancel their own but confirm nothing. A shop's reply proposed as an update (#16,
    requested by nobody in particular) is decided by any editor or above, never a viewer. The
    rule behind `decide` and the buttons a change's card shows (web/approvals.py)."""
    if confirm and actor.role.rank < Role.EDITOR.rank:
        return False
    if requested_by == REPLY_REQUESTER:
        return actor.role.rank >= Role.EDITOR.rank
    return actor.name == requested_by or actor.role.rank >= Role.APPROVER.rank


def ensure_thread(uow: UnitOfWorkFactory, thread_id: str, user_email: str | None = None) -> None:
    """Create the thread row if it is missing. Chainlit saves steps and threads from concurrent
    tasks, so two may try at once: the loser of the insert race just finds the row there."""
    with uow() as unit:
        if unit.session.get(ChatThread, thread_id) is not None:
            return
        unit.session.add(ChatThread(id=thread_id, user_email=user_email))
        with contextlib.suppress(IntegrityError):
            unit.commit()


class ApprovalService:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    def request(
        self,
        *,
        thread_id: str,
        tool_call_id: str,
        tool_name: str,
        args: dict[str, Any],
        preview: dict[str, Any],
        requested_by: str,
        ro_number: str | None = None,
        expected_version: int | None = None,
        operation: str | None = None,
    ) -> Approval:
        """Record a proposed change — once confirmed, the command `operation(**args)` at
        `expected_version`; asking twice for the same tool call returns the first row. A call id
        another change already holds is refused (`Conflict`), never answered with that change."""
        with self._uow() as uow:
            s = uow.session
            existing = s.scalar(select(Approval).where(Approval.tool_call_id == tool_call_id))
            if existing is not None:
                # the same call asked again (a retried turn) may preview newer values; another
                # thread, tool or RO is another change
                asked = (thread_id, tool_name, ro_number)
                if (existing.thread_id, existing.tool_name, existing.ro_number) != asked:
                    raise Conflict(
                        "That change could not be proposed: its tool call id belongs to another "
                        "change. Nothing was changed; ask again."
                    )
                return existing
            row = Approval(
                thread_id=thread_id,
                tool_call_id=tool_call_id,
                tool_name=tool_name,
                args=args,
                preview=preview,
                requested_by=requested_by,
                ro_number=ro_number,
                expected_version=expected_version,
                operation=operation,
            )
            s.add(row)
            uow.commit()
            return row

    def get(self, approval_id: str) -> Approval:
        with self._uow() as uow:
            row = uow.session.get(Approval, str(approval_id)[:36])
            if row is None:
                raise NotFound("That confirmation does not exist.")
            return row

    def by_tool_call(self, tool_call_id: str) -> Approval | None:
        with self._uow() as uow:
            return uow.session.scalar(select(Approval).where(Approval.tool_call_id == tool_call_id))

    def children(self, parent: Approval) -> list[Approval]:
        """The per-RO commands of a confirmed bulk approval, in the card's order."""
        batch = (parent.args or {}).get("batch")
        if parent.operation != bulk.BULK_OPERATION or not batch:
            return []
        return self.batch(batch, len((parent.args or {}).get("rows", [])))

    def batch(self, batch: str, count: int) -> list[Approval]:
        """The per-RO commands of bulk batch `batch` (those that exist), in order."""
        ids = [bulk.child_call_id(batch, i) for i in range(count)]
        with self._uow() as uow:
            found = {
                r.tool_call_id: r
                for r in uow.session.scalars(select(Approval).where(Approval.tool_call_id.in_(ids)))
            }
        return [found[i] for i in ids if i in found]

    def pending(
        self, thread_id: str | None = None, user_email: str | None = None
    ) -> list[Approval]:
        query = select(Approval).where(Approval.state == ApprovalState.PENDING.value)
        if thread_id is not None:
            query = query.where(Approval.thread_id == thread_id)
        if user_email is not None:
            query = query.where(Approval.requested_by == user_email)
        with self._uow() as uow:
            return list(uow.session.scalars(query.order_by(Approval.created_at)))

    def decide(
        self,
        actor: Actor,
        approval_id: str,
        confirm: bool,
        certificate_override: str | None = None,
    ) -> Approval:
        """Confirm or cancel, once.

        Editors confirm or cancel the changes they asked for; approvers and admins may decide
        anyone's (a button carries only an id, so the id alone must not be enough). Changes to
        users (`ADMIN_OPERATIONS`) are confirmed only by an admin. The state change is a
        conditional UPDATE (WHERE state = PENDING), so of two clicks — two tabs, two people, a
        double click — exactly one wins; the other gets `Conflict`.

        `certificate_override` confirms a status change the release-certificate check did not
        pass, with an approver's reason (domain/documents/override.py): the reason joins the
        command's arguments in the same UPDATE, so the command applies it as theirs.
        """
        row = self.get(approval_id)
        amended: dict[str, Any] = {}
        if certificate_override is not None:
            if not confirm:
                raise InvalidInput("An override confirms the change; there is nothing to cancel.")
            args, preview = overridden(row, actor, certificate_override)
            amended = {"args": args, "preview": preview}
        if confirm and row.operation in ADMIN_OPERATIONS:
            # user administration: the confirming person must be an admin now, whoever asked
            actor.require(Role.ADMIN, "confirm changes to users")
        elif confirm:
            actor.require(Role.EDITOR, "confirm changes")
        if not may_decide(actor, row.requested_by, confirm):
            verb = "confirm" if confirm else "cancel"
            raise Forbidden(f"{actor.name} may not {verb} a change {row.requested_by} asked for.")
        state = ApprovalState.CONFIRMED if confirm else ApprovalState.CANCELLED
        with self._uow() as uow:
            done = uow.session.execute(
                update(Approval)
                .where(Approval.id == row.id, Approval.state == ApprovalState.PENDING.value)
                .values(state=state.value, decided_by=actor.name, decided_at=utcnow(), **amended)
            )
            if done.rowcount == 1 and confirm and row.operation == bulk.BULK_OPERATION:
                # a bulk change: one command per RO, committed with the decision (domain/bulk.py)
                uow.session.add_all(bulk.children(row, actor.name))
            if done.rowcount == 1 and not confirm and row.tool_name == PROPOSAL_TOOL:
                # a shop's reply cancelled: dismissed on the reply too (#16)
                mark_dismissed(uow.session, row.args or {}, actor.name, None)
            uow.commit()
            if done.rowcount != 1:
                current = uow.session.get(Approval, row.id)
                raise Conflict(
                    f"This change was already {current.state.lower()} by {current.decided_by}."
                )
        return self.get(row.id)

    # ---- the confirmed change as a durable command -------------------------------------------
    @staticmethod
    def mark_applied(approval_id: str) -> BeforeCommit:
        """A before-commit hook for the transaction that applies the command: the outcome
        commits with the change, or neither does."""

        def mark(session: Session) -> None:
            session.execute(
                update(Approval)
                .where(Approval.id == approval_id, Approval.outcome.is_(None))
                .values(outcome=Outcome.APPLIED.value, applied_at=utcnow())
            )

        return mark

    def store_result(self, approval_id: str, result: dict[str, Any]) -> None:
        with self._uow() as uow:
            uow.session.execute(
                update(Approval).where(Approval.id == approval_id).values(result=result)
            )
            uow.commit()

    def refuse(self, approval_id: str, reason: str) -> bool:
        """Record that the command will not be applied, and why (once; False if it already had
        an outcome)."""
        with self._uow() as uow:
            done = uow.session.execute(
                update(Approval)
                .where(Approval.id == approval_id, Approval.outcome.is_(None))
                .values(
                    outcome=Outcome.REFUSED.value,
                    result={"reason": reason[:MAX_REASON]},
                    applied_at=utcnow(),
                )
            )
            uow.commit()
            return done.rowcount == 1

    def unapplied(self, older_than: timedelta, limit: int = 500) -> list[str]:
        """Confirmed commands neither applied nor refused, decided before `older_than` ago."""
        with self._uow() as uow:
            return list(
                uow.session.scalars(
                    select(Approval.id)
                    .where(
                        Approval.state == ApprovalState.CONFIRMED.value,
                        Approval.outcome.is_(None),
                        Approval.decided_at < utcnow() - older_than,
                    )
                    .order_by(Approval.decided_at)
                    .limit(limit)
                )
            )


class ChatLog:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    @staticmethod
    def entry(**fields: Any) -> tuple[Table, dict[str, Any]]:
        """A turn's log row as (its table, its values), for a caller that writes it in its own
        transaction as a plain INSERT (the chat writes it with the turn's conversation: one
        write a turn, and no ORM flush)."""
        return AiConversationLog.__table__, fields

    def record(self, **fields: Any) -> None:
        with self._uow() as uow:
            uow.session.add(AiConversationLog(**fields))
            uow.commit()
