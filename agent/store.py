"""Where a thread's agent conversation lives between turns (and across restarts).

The database row is the truth. Parsing a thread's stored conversation (tool results and all, often
100 KB or more) costs milliseconds a turn, so the store keeps the last parsed copy per thread with
the exact text it came from: a turn reads the row and reuses the parsed copy only while the row
still holds that text; a write by another process, or a turn that failed, means a fresh parse.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict

from pydantic_ai import Conversation, ConversationTypeAdapter
from pydantic_ai.messages import ModelRequest, UserPromptPart
from pydantic_ai.usage import RunUsage
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.models.chat import ChatThread
from domain.unit_of_work import UnitOfWorkFactory

MAX_NAME = 80
# A thread keeps its last turns for the model; older ones stay visible in the chat history (steps)
# but stop costing tokens and load time on every turn.
KEEP_MESSAGES = 40
CACHED_THREADS = 500  # parsed conversations kept in memory (the most recently used threads)


def bounded(conversation: Conversation) -> Conversation:
    """The conversation cut to its recent turns, always starting at a person's message."""
    messages = conversation.messages
    if len(messages) <= KEEP_MESSAGES:
        return conversation
    for start in range(len(messages) - KEEP_MESSAGES, len(messages)):
        message = messages[start]
        if isinstance(message, ModelRequest) and any(
            isinstance(part, UserPromptPart) for part in message.parts
        ):
            return dataclasses.replace(conversation, messages=messages[start:])
    return conversation


class ConversationStore:
    def __init__(self, uow: UnitOfWorkFactory, cached_threads: int = CACHED_THREADS):
        self._uow = uow
        self._cached_threads = cached_threads
        self._parsed: OrderedDict[str, tuple[str, Conversation]] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, thread_id: str) -> Conversation | None:
        with self._uow() as uow:
            text = uow.session.scalar(
                select(ChatThread.conversation).where(ChatThread.id == thread_id)
            )
        if not text:
            return None
        conversation = self._cached(thread_id, text)
        if conversation is None:
            conversation = ConversationTypeAdapter.validate_json(text)
            self._remember(thread_id, text, conversation)
        # Each turn gets the whole request budget (pydantic-ai's UsageLimits count from the
        # conversation's running usage: carried over, a thread would refuse every message after
        # about 25 turns). What a turn cost is logged per turn, not per thread.
        return dataclasses.replace(conversation, usage=RunUsage())

    def save(
        self, thread_id: str, conversation: Conversation, user_email: str, first_message: str | None
    ) -> None:
        kept = bounded(conversation)
        data = ConversationTypeAdapter.dump_json(kept).decode()
        try:
            self._write(thread_id, data, user_email, first_message)
        except IntegrityError:  # the thread row was created by Chainlit a moment ago
            self._write(thread_id, data, user_email, first_message)
        self._remember(thread_id, data, self._as_parsed(thread_id, kept))

    def forget(self, thread_id: str) -> None:
        """Drop the parsed copy (a turn failed: the run may have left it half-changed)."""
        with self._lock:
            self._parsed.pop(thread_id, None)

    def _write(self, thread_id: str, data: str, user_email: str, first_message: str | None):
        with self._uow() as uow:
            thread = uow.session.get(ChatThread, thread_id)
            if thread is None:
                thread = ChatThread(id=thread_id, user_email=user_email)
                uow.session.add(thread)
            if not thread.name and first_message:
                thread.name = first_message[:MAX_NAME]
            thread.user_email = thread.user_email or user_email
            thread.conversation = data
            uow.commit()

    def _as_parsed(self, thread_id: str, kept: Conversation) -> Conversation:
        """`kept` exactly as parsing its stored text gives it (a tool result's dates become
        strings, tuples lists, ...), at the cost of the turn's new messages only: the messages it
        shares with the parsed copy it was loaded from are already that; pydantic-ai never
        changes a history message in place (it copies one it must change)."""
        with self._lock:
            entry = self._parsed.get(thread_id)
        parsed = {id(m): m for m in entry[1].messages} if entry else {}
        new = [m for m in kept.messages if id(m) not in parsed]
        shell = dataclasses.replace(kept, messages=new)  # usage, pending calls, ids: small
        shell = ConversationTypeAdapter.validate_json(ConversationTypeAdapter.dump_json(shell))
        fresh = iter(shell.messages)
        messages = [parsed.get(id(m)) or next(fresh) for m in kept.messages]
        return dataclasses.replace(shell, messages=messages)

    def _cached(self, thread_id: str, text: str) -> Conversation | None:
        with self._lock:
            entry = self._parsed.get(thread_id)
            if entry is None or entry[0] != text:
                return None
            self._parsed.move_to_end(thread_id)
            return entry[1]

    def _remember(self, thread_id: str, text: str, conversation: Conversation) -> None:
        with self._lock:
            self._parsed[thread_id] = (text, conversation)
            self._parsed.move_to_end(thread_id)
            while len(self._parsed) > self._cached_threads:
                self._parsed.popitem(last=False)
