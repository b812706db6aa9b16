"""Where a thread's agent conversation lives between turns (and across restarts).

The database row is the truth. Parsing a thread's stored conversation (tool results and all, often
100 KB or more) and writing it out again cost milliseconds a turn, so the store keeps the last
parsed copy per thread with the exact text it came from, and each message's JSON: a turn reads the
row and reuses the parsed copy only while the row still holds that text (a write by another
process, or a turn that failed, means a fresh parse); saving serializes only the turn's new
messages and joins the rest from their known JSON, into the same text a whole dump gives.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict

from pydantic_ai import Conversation, ConversationTypeAdapter
from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    UserPromptPart,
)
from pydantic_ai.usage import RunUsage
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from domain.models.chat import ChatThread
from domain.unit_of_work import UnitOfWorkFactory

MAX_NAME = 80
# A thread keeps its last turns for the model; older ones stay visible in the chat history (steps)
# but stop costing tokens and load time on every turn.
KEEP_MESSAGES = 40
CACHED_THREADS = 500  # parsed conversations kept in memory (the most recently used threads)
_NO_MESSAGES = b'{"messages":[]'  # how a conversation's JSON starts when it has no messages


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


@dataclasses.dataclass
class _Parsed:
    text: str  # the stored text this is the parse of
    conversation: Conversation
    fragments: dict[int, bytes]  # id(message) -> its JSON, for the messages of `conversation`


def _fragment(message: ModelMessage) -> bytes:
    return ModelMessagesTypeAdapter.dump_json([message])[1:-1]


class ConversationStore:
    def __init__(self, uow: UnitOfWorkFactory, cached_threads: int = CACHED_THREADS):
        self._uow = uow
        self._cached_threads = cached_threads
        self._parsed: OrderedDict[str, _Parsed] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, thread_id: str) -> Conversation | None:
        with self._uow() as uow:
            text = uow.session.scalar(
                select(ChatThread.conversation).where(ChatThread.id == thread_id)
            )
        if not text:
            return None
        entry = self._entry(thread_id)
        if entry is None or entry.text != text:
            entry = _Parsed(text, ConversationTypeAdapter.validate_json(text), {})
            self._remember(thread_id, entry)
        # Each turn gets the whole request budget (pydantic-ai's UsageLimits count from the
        # conversation's running usage: carried over, a thread would refuse every message after
        # about 25 turns). What a turn cost is logged per turn, not per thread.
        return dataclasses.replace(entry.conversation, usage=RunUsage())

    def save(
        self, thread_id: str, conversation: Conversation, user_email: str, first_message: str | None
    ) -> None:
        entry = self._as_stored(self._entry(thread_id), bounded(conversation))
        try:
            self._write(thread_id, entry.text, user_email, first_message)
        except IntegrityError:  # the thread row was created by Chainlit a moment ago
            self._write(thread_id, entry.text, user_email, first_message)
        self._remember(thread_id, entry)

    def forget(self, thread_id: str) -> None:
        """Drop the parsed copy (a turn failed: the run may have left it half-changed)."""
        with self._lock:
            self._parsed.pop(thread_id, None)

    @staticmethod
    def _as_stored(loaded: _Parsed | None, kept: Conversation) -> _Parsed:
        """`kept`'s text, and `kept` exactly as parsing that text gives it (a tool result's
        dates become strings, tuples lists, ...), at the cost of the turn's new messages only.
        The messages it shares with the parsed copy it was loaded from are already that, and
        their JSON is known: pydantic-ai never changes a history message in place (it copies
        one it must change). The text is the one `ConversationTypeAdapter.dump_json` gives."""
        known = {id(m): m for m in loaded.conversation.messages} if loaded else {}
        messages, fragments = [], []
        for message in kept.messages:
            if id(message) in known:
                fragment = loaded.fragments.get(id(message)) or _fragment(message)
            else:
                fragment = _fragment(message)
                message = ModelMessagesTypeAdapter.validate_json(b"[" + fragment + b"]")[0]
            messages.append(message)
            fragments.append(fragment)
        shell = ConversationTypeAdapter.dump_json(dataclasses.replace(kept, messages=[]))
        if not shell.startswith(_NO_MESSAGES):  # not the layout expected: the whole way
            text = ConversationTypeAdapter.dump_json(kept).decode()
            return _Parsed(text, ConversationTypeAdapter.validate_json(text), {})
        text = b'{"messages":[' + b",".join(fragments) + b"]" + shell[len(_NO_MESSAGES) :]
        parsed = ConversationTypeAdapter.validate_json(shell)  # usage, pending calls, ids: small
        parsed = dataclasses.replace(parsed, messages=messages)
        known_json = {id(m): f for m, f in zip(messages, fragments, strict=True)}
        return _Parsed(text.decode(), parsed, known_json)

    def _write(self, thread_id: str, data: str, user_email: str, first_message: str | None):
        # An UPDATE, not load-and-flush: loading the row would read the old conversation
        # (often 100 KB or more) only to overwrite it.
        name = first_message[:MAX_NAME] if first_message else None
        values: dict = {
            "conversation": data,
            "user_email": func.coalesce(func.nullif(ChatThread.user_email, ""), user_email),
        }
        if name:
            unnamed = or_(ChatThread.name.is_(None), ChatThread.name == "")
            values["name"] = case((unnamed, name), else_=ChatThread.name)
        with self._uow() as uow:
            changed = uow.session.execute(
                update(ChatThread).where(ChatThread.id == thread_id).values(values),
                execution_options={"synchronize_session": False},
            ).rowcount
            if not changed:
                uow.session.add(
                    ChatThread(id=thread_id, user_email=user_email, name=name, conversation=data)
                )
            uow.commit()

    def _entry(self, thread_id: str) -> _Parsed | None:
        with self._lock:
            entry = self._parsed.get(thread_id)
            if entry is not None:
                self._parsed.move_to_end(thread_id)
            return entry

    def _remember(self, thread_id: str, entry: _Parsed) -> None:
        with self._lock:
            self._parsed[thread_id] = entry
            self._parsed.move_to_end(thread_id)
            while len(self._parsed) > self._cached_threads:
                self._parsed.popitem(last=False)
