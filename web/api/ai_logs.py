"""`/api/ai-logs` (the AI conversation log, legacy shapes) and `/api/ai/health`.

Non-admins read and save only their own logs; deleting is admin-only and audited
(domain/ai_logs.py). Log texts are stored as given (they are records of what was said, markup
included) and returned as JSON strings, never rendered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from domain.ai_logs import AiLogFilter, AiLogView
from domain.errors import InvalidInput
from domain.roles import Actor, Role
from domain.users import normalize_email
from domain.values import parse_date
from web.api.auth import Caller, context, needs

router = APIRouter(tags=["ai logs"])


class AiLogIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversationId: str
    user: str
    userMessage: str
    aiResponse: str
    success: bool
    error: str | None = None
    model: str | None = None
    durationMs: int | None = None
    contextRoCount: int | None = None


class Saved(BaseModel):
    success: bool
    id: int


class AiLogOut(BaseModel):
    id: int
    conversationId: str
    timestamp: str
    user: str
    userMessage: str
    aiResponse: str | None
    success: bool
    error: str | None
    model: str
    durationMs: int
    contextRoCount: int | None


class AiLogPage(BaseModel):
    logs: list[AiLogOut]
    total: int
    limit: int
    offset: int


class Conversation(BaseModel):
    conversationId: str
    logs: list[AiLogOut]
    messageCount: int
    firstMessage: str
    lastMessage: str


class ModelCount(BaseModel):
    model: str
    count: int


class UserCount(BaseModel):
    user: str
    count: int


class AiLogStats(BaseModel):
    totalLogs: int
    totalConversations: int
    totalUsers: int
    successRate: float
    averageDuration: int
    topModels: list[ModelCount]
    topUsers: list[UserCount]


class LogDeleted(BaseModel):
    success: bool
    message: str


class UserLogsDeleted(BaseModel):
    success: bool
    deletedCount: int


class AiHealth(BaseModel):
    status: str
    apiKeyConfigured: bool
    models: list[str]
    model: str = Field(description="What answers the chat now (offline when no key is set)")


def _stamp(at: datetime) -> str:
    return at.replace(tzinfo=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _out(v: AiLogView) -> AiLogOut:
    return AiLogOut(
        id=v.id,
        conversationId=v.conversation_id,
        timestamp=_stamp(v.created_at),
        user=v.user_email,
        userMessage=v.user_message,
        aiResponse=v.reply,
        success=v.success,
        error=v.error,
        model=v.model,
        durationMs=v.duration_ms,
        contextRoCount=v.context_ro_count,
    )


def _when(text: str | None, name: str, end: bool = False) -> datetime | None:
    """ISO 8601 date or timestamp (UTC); a bare end date includes that whole day."""
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        day = parse_date(text, field=name)
        at = datetime.combine(day, datetime.max.time() if end else datetime.min.time())
        return at
    if "T" not in text and end:
        at = datetime.combine(at.date(), datetime.max.time())
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


@router.post("/api/ai-logs", response_model=Saved, status_code=201, summary="Save a log entry")
def save(body: AiLogIn, request: Request, actor: Caller) -> Saved:
    new_id = context(request).app.ai_logs.save(
        actor,
        conversation_id=body.conversationId,
        user=body.user,
        user_message=body.userMessage,
        reply=body.aiResponse,
        success=body.success,
        error=body.error,
        model=body.model,
        duration_ms=body.durationMs,
        context_ro_count=body.contextRoCount,
    )
    return Saved(success=True, id=new_id)


@router.get("/api/ai-logs", response_model=AiLogPage, summary="Logs, filtered and paged")
def list_logs(
    request: Request,
    actor: Caller,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    user: str | None = None,
    conversationId: str | None = None,
    startDate: str | None = None,
    endDate: str | None = None,
) -> AiLogPage:
    flt = AiLogFilter(
        user=user,
        conversation_id=conversationId,
        start=_when(startDate, "startDate"),
        end=_when(endDate, "endDate", end=True),
        limit=limit,
        offset=offset,
    )
    logs, total = context(request).app.ai_logs.list(actor, flt)
    return AiLogPage(logs=[_out(v) for v in logs], total=total, limit=limit, offset=offset)


@router.get("/api/ai-logs/stats", response_model=AiLogStats, summary="Log statistics")
def stats(request: Request, actor: Caller) -> AiLogStats:
    s = context(request).app.ai_logs.stats(actor)
    return AiLogStats(
        totalLogs=s.total_logs,
        totalConversations=s.total_conversations,
        totalUsers=s.total_users,
        successRate=s.success_rate,
        averageDuration=s.average_duration_ms,
        topModels=[ModelCount(model=m, count=n) for m, n in s.top_models],
        topUsers=[UserCount(user=u, count=n) for u, n in s.top_users],
    )


@router.get(
    "/api/ai-logs/conversation/{conversationId}",
    response_model=Conversation,
    summary="Every log of one conversation",
)
def conversation(conversationId: str, request: Request, actor: Caller) -> Conversation:
    logs = context(request).app.ai_logs.conversation(actor, conversationId)
    out = [_out(v) for v in logs]
    return Conversation(
        conversationId=conversationId,
        logs=out,
        messageCount=len(out),
        firstMessage=out[0].timestamp,
        lastMessage=out[-1].timestamp,
    )


@router.delete(
    "/api/ai-logs/user/{user}",
    response_model=UserLogsDeleted,
    summary="Delete every log of a user (admin; audited)",
)
def delete_user_logs(
    user: str,
    request: Request,
    actor: Annotated[Actor, Depends(needs(Role.ADMIN, "delete AI logs"))],
) -> UserLogsDeleted:
    count = context(request).app.ai_logs.delete_user(actor, normalize_email(user))
    return UserLogsDeleted(success=True, deletedCount=count)


@router.delete(
    "/api/ai-logs/{id}", response_model=LogDeleted, summary="Delete one log (admin; audited)"
)
def delete_log(
    id: str,
    request: Request,
    actor: Annotated[Actor, Depends(needs(Role.ADMIN, "delete AI logs"))],
) -> LogDeleted:
    if not id.isdigit():
        raise InvalidInput(f'"{id[:20]}" is not a log id.')
    context(request).app.ai_logs.delete(actor, int(id))
    return LogDeleted(success=True, message="Log deleted")


@router.get("/api/ai/health", response_model=AiHealth, summary="The assistant's model")
def ai_health(request: Request, actor: Caller) -> AiHealth:
    settings = context(request).app.settings
    configured = bool(settings.anthropic_api_key)
    return AiHealth(
        status="ok",
        apiKeyConfigured=configured,
        models=[settings.model] if configured else ["offline"],
        model=f"anthropic:{settings.model}" if configured else "offline",
    )
