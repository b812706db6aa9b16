"""The AI conversation log as the HTTP API serves it (the legacy `/api/ai-logs`): save, list
with filters and paging, one conversation, statistics, deletion.

Who sees what: admins every log; anyone else only their own (a filter naming someone else is
refused). Deleting is admin-only and audited in the activity log (action AI_LOG_DELETE, no RO),
with what was deleted — the deleted text itself is not copied there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import case, delete, func, select

from domain.errors import Forbidden, InvalidInput, NotFound
from domain.models import ActivityLog, AiConversationLog
from domain.roles import Actor, Role
from domain.unit_of_work import UnitOfWorkFactory
from domain.users import normalize_email
from domain.values import clean_text

MAX_TEXT = 100_000
MAX_PAGE = 100


class AiLogView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    created_at: datetime
    user_email: str
    user_message: str
    reply: str | None
    success: bool
    error: str | None
    model: str
    duration_ms: int
    context_ro_count: int | None


@dataclass(frozen=True)
class AiLogFilter:
    user: str | None = None
    conversation_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class AiLogStats:
    total_logs: int
    total_conversations: int
    total_users: int
    success_rate: float
    average_duration_ms: int
    top_models: list[tuple[str, int]]
    top_users: list[tuple[str, int]]


def _own(actor: Actor, user: str | None) -> str | None:
    """The user filter this actor may use: anyone for admins, else only themselves."""
    if actor.role == Role.ADMIN:
        return normalize_email(user) if user else None
    if user and normalize_email(user) != actor.name:
        raise Forbidden(f"{actor.name} ({actor.role}) may only read their own AI logs.")
    return actor.name


class AiLogService:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    def save(
        self,
        actor: Actor,
        *,
        conversation_id: str,
        user: str,
        user_message: str,
        reply: str,
        success: bool,
        error: str | None = None,
        model: str | None = None,
        duration_ms: int | None = None,
        context_ro_count: int | None = None,
    ) -> int:
        email = normalize_email(user)
        if email != actor.name:
            actor.require(Role.ADMIN, "save AI logs for other people")
        conversation = clean_text(conversation_id, field="conversationId", max_chars=36)
        if not conversation:
            raise InvalidInput("conversationId is required.")
        if duration_ms is not None and not 0 <= duration_ms <= 86_400_000:
            raise InvalidInput("durationMs must be between 0 and 86400000.")
        if context_ro_count is not None and not 0 <= context_ro_count <= 10_000_000:
            raise InvalidInput("contextRoCount must be between 0 and 10000000.")
        row = AiConversationLog(
            conversation_id=conversation,
            user_email=email,
            user_message=_long(user_message, "userMessage") or "",
            reply=_long(reply, "aiResponse"),
            success=success,
            error=_long(error, "error"),
            model=clean_text(model, field="model", max_chars=100) or "unknown",
            duration_ms=duration_ms or 0,
            context_ro_count=context_ro_count,
            tool_calls=[],
        )
        with self._uow() as uow:
            uow.session.add(row)
            uow.commit()
            return row.id

    def list(self, actor: Actor, flt: AiLogFilter) -> tuple[list[AiLogView], int]:
        if not 1 <= flt.limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.")
        if flt.offset < 0:
            raise InvalidInput("offset cannot be negative.")
        log = AiConversationLog
        query = select(log)
        if user := _own(actor, flt.user):
            query = query.where(log.user_email == user)
        if flt.conversation_id:
            query = query.where(log.conversation_id == flt.conversation_id)
        if flt.start:
            query = query.where(log.created_at >= flt.start)
        if flt.end:
            query = query.where(log.created_at <= flt.end)
        with self._uow() as uow:
            s = uow.session
            total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = s.scalars(
                query.order_by(log.created_at.desc(), log.id.desc())
                .limit(flt.limit)
                .offset(flt.offset)
            ).all()
            return [AiLogView.model_validate(r) for r in rows], total

    def conversation(self, actor: Actor, conversation_id: str) -> list[AiLogView]:
        log = AiConversationLog
        query = select(log).where(log.conversation_id == conversation_id)
        if actor.role != Role.ADMIN:
            query = query.where(log.user_email == actor.name)
        with self._uow() as uow:
            rows = uow.session.scalars(query.order_by(log.created_at, log.id)).all()
            if not rows:
                raise NotFound(f"No conversation {conversation_id[:40]}.")
            return [AiLogView.model_validate(r) for r in rows]

    def stats(self, actor: Actor, top: int = 5) -> AiLogStats:
        log = AiConversationLog
        where = [] if actor.role == Role.ADMIN else [log.user_email == actor.name]
        with self._uow() as uow:
            s = uow.session
            total, conversations, users, ok, avg = s.execute(
                select(
                    func.count(),
                    func.count(func.distinct(log.conversation_id)),
                    func.count(func.distinct(log.user_email)),
                    func.coalesce(func.sum(case((log.success.is_(True), 1), else_=0)), 0),
                    func.avg(log.duration_ms),
                ).where(*where)
            ).one()
            models = s.execute(
                select(log.model, func.count().label("n"))
                .where(*where)
                .group_by(log.model)
                .order_by(func.count().desc(), log.model)
                .limit(top)
            ).all()
            people = s.execute(
                select(log.user_email, func.count().label("n"))
                .where(*where)
                .group_by(log.user_email)
                .order_by(func.count().desc(), log.user_email)
                .limit(top)
            ).all()
        return AiLogStats(
            total_logs=int(total),
            total_conversations=int(conversations),
            total_users=int(users),
            success_rate=round(int(ok) / int(total), 4) if total else 0.0,
            average_duration_ms=round(float(avg)) if avg is not None else 0,
            top_models=[(m, int(n)) for m, n in models],
            top_users=[(u, int(n)) for u, n in people],
        )

    def delete(self, actor: Actor, log_id: int) -> None:
        actor.require(Role.ADMIN, "delete AI logs")
        with self._uow() as uow:
            row = uow.session.get(AiConversationLog, log_id)
            if row is None:
                raise NotFound(f"No AI log {log_id}.")
            self._audit(uow.session, actor, f"log {row.id} of {row.user_email}", 1)
            uow.session.delete(row)
            uow.commit()

    def delete_user(self, actor: Actor, user: str) -> int:
        actor.require(Role.ADMIN, "delete AI logs")
        email = normalize_email(user)
        with self._uow() as uow:
            count = uow.session.execute(
                delete(AiConversationLog).where(AiConversationLog.user_email == email)
            ).rowcount
            self._audit(uow.session, actor, f"every log of {email}", count or 0)
            uow.commit()
            return count or 0

    @staticmethod
    def _audit(session, actor: Actor, what: str, count: int) -> None:
        session.add(
            ActivityLog(
                ro_id=None,
                action="AI_LOG_DELETE",
                field="ai_conversation_logs",
                old_value=what,
                new_value=f"{count} deleted",
                actor=actor.name,
                source=actor.source,
            )
        )


def _long(value: object, field: str) -> str | None:
    if value is None:
        return None
    text = str(value)
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{field} is over {MAX_TEXT} characters.")
    return text
