"""What the assistant keeps: chat threads and their steps, pending confirmations, turn logs.

Chainlit's own SQL data layer runs only on PostgreSQL/SQLite (REFERENCE §7); these tables hold the
same things on MySQL too. The services that use them are in `domain.conversations`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, utcnow

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
    # The agent's conversation (pydantic-ai `Conversation` as JSON), restored on resume, without
    # its messages: those are rows of `chat_thread_messages`, appended turn by turn (a thread's
    # history is often 100 KB or more; on MariaDB rewriting it every turn was most of a save).
    conversation: Mapped[str | None] = mapped_column(BigText, deferred=True)
    # Changes whenever the conversation is written: a process keeping a parsed copy knows from
    # it alone whether the copy is still the stored conversation (agent/store.py).
    conversation_rev: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ChatThreadMessage(Base):
    """One message of a thread's agent conversation (pydantic-ai's JSON of a `ModelMessage`)."""

    __tablename__ = "chat_thread_messages"

    thread_id: Mapped[str] = mapped_column(
        ForeignKey("chat_threads.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[str] = mapped_column(BigText)


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


class Outcome(StrEnum):
    """What became of a confirmed change (None while it is still being applied)."""

    APPLIED = "APPLIED"
    REFUSED = "REFUSED"


class Approval(Base):
    """A change the assistant proposed and a person must confirm or cancel. Once confirmed it is
    a durable command: `operation` applied to `args` with the version the person saw, keyed by
    this row's id, until `outcome` says it was applied (with `result`) or refused (and why)."""

    __tablename__ = "approvals"
    __table_args__ = (Index("ix_approvals_state_outcome", "state", "outcome"),)

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
    operation: Mapped[str | None] = mapped_column(String(60))  # jobs/commands.py resolves it
    outcome: Mapped[str | None] = mapped_column(String(12))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # APPLIED: the result; else why
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)


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
    # How many ROs the client put in the model's context (logs saved through the HTTP API).
    context_ro_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
