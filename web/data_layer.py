"""Chainlit's thread history on our own tables (SQLite and MySQL alike).

Chainlit's bundled SQLAlchemy data layer uses PostgreSQL/SQLite-only SQL; this one speaks through
our models. Users are our `users` rows (id = email); threads, steps and feedback are
`chat_threads` / `chat_steps`. Elements (charts) are not stored: a resumed thread shows its
messages and tool steps, and charts are drawn again on request.

Step writes are batched: Chainlit sends each message and tool step on create and again on update
(fire-and-forget tasks, nothing waits for them), five to ten writes a turn. They are merged per
step and written together, one transaction per `FLUSH_AFTER_S` window (a turn's steps, and other
people's in the same moment) instead of one per write. Every read of steps, deletion and feedback
writes what is pending first, so the history read back is never behind what was sent.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC
from typing import Any

from chainlit.data.base import BaseDataLayer
from chainlit.types import (
    Feedback,
    PageInfo,
    PaginatedResponse,
    Pagination,
    ThreadDict,
    ThreadFilter,
)
from chainlit.user import PersistedUser, User
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from domain.conversations import ensure_thread
from domain.models import User as UserRow
from domain.models.chat import ChatStep, ChatThread, ChatThreadMessage, new_id
from jobs.app import App

MAX_THREADS = 200
# How long step writes gather before they are written in one transaction; and how many pending
# steps make a write start at once. A crash loses at most this window of chat history (never an
# agent conversation or a change: those are written by the turn itself, agent/store.py).
FLUSH_AFTER_S = 0.1
FLUSH_AT_STEPS = 200
log = logging.getLogger(__name__)


def _iso(value) -> str:
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z") if value else ""


def _step_dict(step: ChatStep) -> dict[str, Any]:
    feedback = None
    if step.feedback_value is not None:
        feedback = {
            "forId": step.id,
            "id": step.id,
            "value": step.feedback_value,
            "comment": step.feedback_comment,
        }
    return {
        "id": step.id,
        "threadId": step.thread_id,
        "parentId": step.parent_id,
        "name": step.name,
        "type": step.type,
        "input": step.input or "",
        "output": step.output or "",
        "metadata": step.meta or {},
        "isError": step.is_error,
        "showInput": step.show_input,
        "language": step.language,
        "start": step.start,
        "end": step.end,
        "createdAt": step.created_at,
        "feedback": feedback,
    }


def _apply(step: ChatStep, step_dict: dict[str, Any]) -> None:
    step.parent_id = step_dict.get("parentId")
    step.name = (step_dict.get("name") or "")[:255]
    step.type = step_dict.get("type") or "undefined"
    if "input" in step_dict:
        step.input = step_dict.get("input")
    if "output" in step_dict:
        step.output = step_dict.get("output")
    step.meta = step_dict.get("metadata") or step.meta or {}
    step.is_error = bool(step_dict.get("isError"))
    show_input = step_dict.get("showInput")
    step.show_input = str(show_input).lower() if show_input is not None else None
    step.language = step_dict.get("language")
    step.start = step_dict.get("start") or step.start
    step.end = step_dict.get("end") or step.end
    step.created_at = step_dict.get("createdAt") or step.created_at or step.start


class OurDataLayer(BaseDataLayer):
    def __init__(self, app: App):
        self.app = app
        self._pending: dict[str, dict[str, Any]] = {}  # step id -> its latest fields, merged
        self._pending_lock = threading.Lock()
        self._write_lock = threading.Lock()  # one batch at a time, in the order they were taken
        self._flusher: asyncio.Task | None = None
        self._writing: set[asyncio.Task] = set()

    async def _run(self, fn, *args):
        return await asyncio.to_thread(fn, *args)

    # ---- users ---------------------------------------------------------------------------
    def _get_user(self, identifier: str) -> PersistedUser | None:
        # The login cookie names "user:<id>" (web/sessions.py); the chat's own identifier for
        # the person is their current email (what threads are keyed by).
        with self.app.session() as s:
            if identifier.startswith("user:") and identifier[5:].isdigit():
                row = s.get(UserRow, int(identifier[5:]))
            else:
                row = s.scalar(select(UserRow).where(UserRow.email == identifier.lower()))
            if row is None:
                return None
            return PersistedUser(
                id=row.email,
                identifier=row.email,
                createdAt=_iso(row.created_at),
                display_name=row.display_name,
                metadata={"role": row.role},
            )

    async def get_user(self, identifier: str) -> PersistedUser | None:
        return await self._run(self._get_user, identifier)

    async def create_user(self, user: User) -> PersistedUser | None:
        # Accounts are created by `gt users add` or Entra sign-in, never by the chat itself.
        return await self.get_user(user.identifier)

    # ---- threads ---------------------------------------------------------------------------
    def _update_thread(self, thread_id: str, name, user_id, metadata, tags) -> None:
        ensure_thread(self.app.uow, thread_id, user_id)
        with self.app.uow() as uow:
            thread = uow.session.get(ChatThread, thread_id)
            if name is not None:
                thread.name = str(name)[:255]
            if user_id is not None and thread.user_email is None:
                thread.user_email = user_id
            if metadata is not None:
                thread.meta = {
                    **(thread.meta or {}),
                    **{
                        k: v for k, v in metadata.items() if isinstance(v, str | int | float | bool)
                    },
                }
            if tags is not None:
                thread.tags = list(tags)
            uow.commit()

    async def update_thread(
        self,
        thread_id: str,
        name: str | None = None,
        user_id: str | None = None,
        metadata: dict | None = None,
        tags: list[str] | None = None,
    ) -> None:
        await self._run(self._update_thread, thread_id, name, user_id, metadata, tags)

    def _get_thread(self, thread_id: str) -> ThreadDict | None:
        with self.app.session() as s:
            thread = s.get(ChatThread, thread_id)
            if thread is None:
                return None
            steps = s.scalars(
                select(ChatStep)
                .where(ChatStep.thread_id == thread_id)
                .order_by(ChatStep.created_at, ChatStep.start)
            ).all()
            return {
                "id": thread.id,
                "createdAt": _iso(thread.created_at),
                "name": thread.name,
                "userId": thread.user_email,
                "userIdentifier": thread.user_email,
                "tags": thread.tags or [],
                "metadata": thread.meta or {},
                "steps": [_step_dict(step) for step in steps],
                "elements": [],
            }

    async def get_thread(self, thread_id: str) -> ThreadDict | None:
        await self.flush()
        return await self._run(self._get_thread, thread_id)

    async def get_thread_author(self, thread_id: str) -> str:
        thread = await self.get_thread(thread_id)
        return thread["userIdentifier"] if thread else ""

    def _delete_thread(self, thread_id: str) -> None:
        with self.app.uow() as uow:
            uow.session.execute(delete(ChatStep).where(ChatStep.thread_id == thread_id))
            uow.session.execute(
                delete(ChatThreadMessage).where(ChatThreadMessage.thread_id == thread_id)
            )
            uow.session.execute(delete(ChatThread).where(ChatThread.id == thread_id))
            uow.commit()

    async def delete_thread(self, thread_id: str) -> None:
        await self.flush()  # else a pending step would bring the thread back
        await self._run(self._delete_thread, thread_id)

    def _list_threads(self, pagination: Pagination, filters: ThreadFilter) -> PaginatedResponse:
        with self.app.session() as s:
            query = select(ChatThread).where(ChatThread.user_email == filters.userId)
            if filters.search:
                pattern = f"%{filters.search[:100]}%"
                matching = select(ChatStep.thread_id).where(ChatStep.output.like(pattern))
                query = query.where(or_(ChatThread.name.like(pattern), ChatThread.id.in_(matching)))
            if filters.feedback is not None:
                rated = select(ChatStep.thread_id).where(
                    ChatStep.feedback_value == int(filters.feedback)
                )
                query = query.where(ChatThread.id.in_(rated))
            if pagination.cursor:
                cursor = s.get(ChatThread, pagination.cursor)
                if cursor is not None:
                    query = query.where(ChatThread.created_at < cursor.created_at)
            first = max(1, min(pagination.first, MAX_THREADS))
            rows = s.scalars(query.order_by(ChatThread.created_at.desc()).limit(first + 1)).all()
            page = rows[:first]
            data = [
                {
                    "id": t.id,
                    "createdAt": _iso(t.created_at),
                    "name": t.name,
                    "userId": t.user_email,
                    "userIdentifier": t.user_email,
                    "tags": t.tags or [],
                    "metadata": t.meta or {},
                    "steps": [],
                    "elements": [],
                }
                for t in page
            ]
            return PaginatedResponse(
                pageInfo=PageInfo(
                    hasNextPage=len(rows) > first,
                    startCursor=page[0].id if page else None,
                    endCursor=page[-1].id if page else None,
                ),
                data=data,
            )

    async def list_threads(
        self, pagination: Pagination, filters: ThreadFilter
    ) -> PaginatedResponse:
        if not filters.userId:
            raise ValueError("userId is required")
        await self.flush()  # the search reads the steps' text
        return await self._run(self._list_threads, pagination, filters)

    # ---- steps -----------------------------------------------------------------------------
    def _queue_step(self, step_dict: dict[str, Any]) -> None:
        if not step_dict.get("threadId") or not step_dict.get("id"):
            return
        with self._pending_lock:
            pending = self._pending.get(step_dict["id"])
            if pending is None:
                self._pending[step_dict["id"]] = step_dict
            else:  # an update after a create not yet written: its fields win
                pending.update(step_dict)
            size = len(self._pending)
        if size >= FLUSH_AT_STEPS:  # a burst: write now, beside the scheduled flush
            task = asyncio.create_task(self.flush())
            self._writing.add(task)  # the loop keeps only weak references to tasks
            task.add_done_callback(self._writing.discard)
        elif self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_later())

    async def _flush_later(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_AFTER_S)
            try:
                await self.flush()
            except Exception as exc:  # nothing awaits this task: say so in the log
                log.warning("chat history: %d step write(s) failed: %s", len(self._pending), exc)
            if not self._pending:
                return

    async def flush(self) -> None:
        """Write every pending step now (one transaction)."""
        await self._run(self._write_pending)

    def _write_pending(self) -> None:
        # Batches are taken under the write lock, so a later batch (a step's update) is never
        # written before an earlier one (its create).
        with self._write_lock:
            with self._pending_lock:
                batch, self._pending = list(self._pending.values()), {}
            if not batch:
                return
            try:
                self._write_steps(batch)
            except Exception:  # a thread created by update_thread a moment ago, or a bad step:
                for step_dict in batch:  # each on its own, so one step cannot lose the others
                    try:
                        self._write_steps([step_dict])
                    except IntegrityError:  # the race again: the thread is there now
                        self._write_steps([step_dict])
                    except Exception as exc:
                        log.warning("chat history: step %s not written: %s", step_dict["id"], exc)

    def _write_steps(self, batch: list[dict[str, Any]]) -> None:
        with self.app.uow() as uow:
            s = uow.session
            thread_ids = {d["threadId"] for d in batch}
            known = set(s.scalars(select(ChatThread.id).where(ChatThread.id.in_(thread_ids))))
            for thread_id in thread_ids - known:
                s.add(ChatThread(id=thread_id))
            s.flush()
            ids = [d["id"] for d in batch]
            existing = {
                step.id: step for step in s.scalars(select(ChatStep).where(ChatStep.id.in_(ids)))
            }
            for step_dict in batch:
                step = existing.get(step_dict["id"])
                if step is None:
                    step = ChatStep(id=step_dict["id"], thread_id=step_dict["threadId"])
                    s.add(step)
                _apply(step, step_dict)
            uow.commit()

    async def create_step(self, step_dict) -> None:
        self._queue_step(dict(step_dict))

    async def update_step(self, step_dict) -> None:
        self._queue_step(dict(step_dict))

    def _delete_step(self, step_id: str) -> None:
        with self.app.uow() as uow:
            uow.session.execute(delete(ChatStep).where(ChatStep.id == step_id))
            uow.commit()

    async def delete_step(self, step_id: str) -> None:
        await self.flush()
        await self._run(self._delete_step, step_id)

    async def get_favorite_steps(self, user_id: str) -> list:
        return []

    # ---- feedback --------------------------------------------------------------------------
    def _set_feedback(self, for_id: str, value: int | None, comment: str | None) -> bool:
        with self.app.uow() as uow:
            step = uow.session.get(ChatStep, for_id)
            if step is None:
                return False
            step.feedback_value, step.feedback_comment = value, (comment or None)
            uow.commit()
            return True

    async def upsert_feedback(self, feedback: Feedback) -> str:
        await self.flush()  # the step rated may still be pending
        await self._run(self._set_feedback, feedback.forId, int(feedback.value), feedback.comment)
        return feedback.id or feedback.forId or new_id()

    async def delete_feedback(self, feedback_id: str) -> bool:
        return await self._run(self._set_feedback, feedback_id, None, None)

    # ---- elements (not stored) -------------------------------------------------------------
    async def create_element(self, element) -> None:
        return None

    async def get_element(self, thread_id: str, element_id: str):
        return None

    async def delete_element(self, element_id: str, thread_id: str | None = None) -> None:
        return None

    async def build_debug_url(self) -> str:
        return ""

    async def close(self) -> None:
        await self.flush()  # Chainlit's shutdown: the last moment's steps are kept
