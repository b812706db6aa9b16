"""What the assistant keeps: chat threads and their steps, pending confirmations, turn logs.

Chainlit's own SQL data layer runs only on PostgreSQL/SQLite (REFERENCE §7); these tables hold the
same things on MySQL too. A paused agent run (waiting for Confirm) is stored whole in its thread,
and each write waiting for a person is an `approvals` row — the button in the chat carries only
that row's id, and deciding it is one conditional UPDATE, so two clicks cannot both win.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, select, update
from sqlalchemy.dialects import mysql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from domain.errors import Conflict, Forbidden, NotFound
from domain.models import Base, utcnow
from domain.roles import Actor, Role
from domain.unit_of_work import UnitOfWorkFactory

# A serialized conversation or a tool's output can pass MySQL TEXT's 64 KB.
BigText = Text().with_variant(mysql.LONGTEXT(), "mysql")


def new_id() -> str:
    return str(uuid.uuid4())


class ChatThread(Base):
    __tablename__ = "chat_threads"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str | None] = mapped_column(String(255))
    user_email: Mapped[str | None] = mapped_column(String(320), index=True)
    tags: Mapped[list[str] | None] = mapped_column(JSON)
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The agent's conversation (pydantic-ai `Conversation` as JSON), restored on resume.
    conversation: Mapped[str | None] = mapped_column(BigText)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ChatStep(Base):
    """A message or tool step as Chainlit shows it in the thread history."""

    __tablename__ = "chat_steps"
    __table_args__ = (Index("ix_chat_steps_thread_created", "thread_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    thread_id: Mapped[str] = mapped_column(ForeignKey("chat_threads.id", ondelete="CASCADE"))
    parent_id: Mapped[str | None] = mapped_column(String(36))
    name: Mapped[str | None] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(40))
    input: Mapped[str | None] = mapped_column(BigText)
    output: Mapped[str | None] = mapped_column(BigText)
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    is_error: Mapped[bool] = mapped_column(default=False)
    show_input: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(40))
    start: Mapped[str | None] = mapped_column(String(40))
    end: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[str | None] = mapped_column(String(40))
    feedback_value: Mapped[int | None] = mapped_column(Integer)
    feedback_comment: Mapped[str | None] = mapped_column(Text)


class ApprovalState(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


class Approval(Base):
    """A change the assistant proposed and a person must confirm or cancel."""

    __tablename__ = "approvals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    thread_id: Mapped[str] = mapped_column(String(36), index=True)
    tool_call_id: Mapped[str] = mapped_column(String(100), unique=True)
    tool_name: Mapped[str] = mapped_column(String(60))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What will change, as the person saw it: {"title": ..., "changes": [[field, old, new], ...]}
    preview: Mapped[dict[str, Any]] = mapped_column(JSON)
    ro_number: Mapped[str | None] = mapped_column(String(20))
    expected_version: Mapped[int | None] = mapped_column(Integer)
    requested_by: Mapped[str] = mapped_column(String(320))
    state: Mapped[str] = mapped_column(String(12), default=ApprovalState.PENDING.value, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AiConversationLog(Base):
    """One chat turn: who asked what, what was answered, which tools ran, how long, errors."""

    __tablename__ = "ai_conversation_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(36), index=True)
    user_email: Mapped[str] = mapped_column(String(320), index=True)
    user_message: Mapped[str] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(BigText)
    model: Mapped[str] = mapped_column(String(100))
    tool_calls: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    duration_ms: Mapped[int] = mapped_column(Integer)
    success: Mapped[bool] = mapped_column(default=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


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
    ) -> Approval:
        """Record a proposed change; asking twice for the same tool call returns the first row."""
        with self._uow() as uow:
            s = uow.session
            existing = s.scalar(select(Approval).where(Approval.tool_call_id == tool_call_id))
            if existing is not None:
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

    def decide(self, actor: Actor, approval_id: str, confirm: bool) -> Approval:
        """Confirm or cancel, once.

        Editors confirm or cancel the changes they asked for; approvers and admins may decide
        anyone's (a button carries only an id, so the id alone must not be enough). The state
        change is a conditional UPDATE (WHERE state = PENDING), so of two clicks — two tabs, two
        people, a double click — exactly one wins; the other gets `Conflict`.
        """
        row = self.get(approval_id)
        if confirm:
            actor.require(Role.EDITOR, "confirm changes")
        own = actor.name == row.requested_by
        if not own and actor.role.rank < Role.APPROVER.rank:
            verb = "confirm" if confirm else "cancel"
            raise Forbidden(f"{actor.name} may not {verb} a change {row.requested_by} asked for.")
        state = ApprovalState.CONFIRMED if confirm else ApprovalState.CANCELLED
        with self._uow() as uow:
            done = uow.session.execute(
                update(Approval)
                .where(Approval.id == row.id, Approval.state == ApprovalState.PENDING.value)
                .values(state=state.value, decided_by=actor.name, decided_at=utcnow())
            )
            uow.commit()
            if done.rowcount != 1:
                current = uow.session.get(Approval, row.id)
                raise Conflict(
                    f"This change was already {current.state.lower()} by {current.decided_by}."
                )
        return self.get(row.id)


class ChatLog:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    def record(self, **fields: Any) -> None:
        with self._uow() as uow:
            uow.session.add(AiConversationLog(**fields))
            uow.commit()
