"""Where a thread's agent conversation lives between turns (and across restarts).

The database is the truth: a thread's row holds the conversation without its messages, plus a
revision token that changes on every write; the messages are rows of `chat_thread_messages`, one
per message, appended turn by turn. A thread's messages are often 100 KB or more of JSON, so
parsing them and writing them all out again cost milliseconds a turn (and, on MariaDB, PyMySQL
escaping all of it). The store keeps the last parsed copy per thread with the revision it was read
at and each message's JSON and row: a turn reads the row's small part and reuses the parsed copy
only while the revision is the same (a write by another process, or a turn that failed, means a
fresh read). Saving writes the turn's new messages (and drops the rows the kept window has left
behind) if the stored conversation is still the one this copy was read from, else writes the
whole conversation anew; either way in one transaction.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from pydantic_ai import Conversation, ConversationTypeAdapter
from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    UserPromptPart,
)
from pydantic_ai.usage import RunUsage
from sqlalchemy import Table, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from domain.models.chat import ChatThread, ChatThreadMessage
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


@dataclasses.dataclass
class _Parsed:
    rev: str | None  # the thread row's conversation_rev this is the stored conversation of
    conversation: Conversation
    fragments: list[bytes]  # each message's JSON, in order
    seqs: list[int]  # each message's row (chat_thread_messages.seq), in order


@dataclasses.dataclass
class _Save:
    """What a save writes: the kept conversation's stored form and, when it continues the parsed
    copy it was loaded from, that copy and how many of the copy's last messages it starts with
    (the copy's earlier rows are dropped, the messages after these appended)."""

    shell: str  # the conversation without its messages
    conversation: Conversation  # as parsing the stored form gives it
    fragments: list[bytes]
    continues: _Parsed | None  # the copy it continues, if it does
    shared: int  # how many of its first messages are already rows (the copy's last ones)


def _fragment(message: ModelMessage) -> bytes:
    return ModelMessagesTypeAdapter.dump_json([message])[1:-1]


def _parse(shell: str, rev: str | None, rows: list[tuple[int, str]]) -> _Parsed:
    fragments = [body.encode() for _, body in rows]
    messages = ModelMessagesTypeAdapter.validate_json(b"[" + b",".join(fragments) + b"]")
    conversation = dataclasses.replace(
        ConversationTypeAdapter.validate_json(shell), messages=messages
    )
    return _Parsed(rev, conversation, fragments, [seq for seq, _ in rows])


class ConversationStore:
    def __init__(self, uow: UnitOfWorkFactory, cached_threads: int = CACHED_THREADS):
        self._uow = uow
        self._cached_threads = cached_threads
        self._parsed: OrderedDict[str, _Parsed] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, thread_id: str) -> Conversation | None:
        with self._uow() as uow:
            read = uow.session.connection()
            row = read.execute(_REV, {"thread": thread_id}).one_or_none()
            if row is None or not row.conversation:
                return None
            entry = self._entry(thread_id)
            if entry is None or entry.rev is None or entry.rev != row.conversation_rev:
                # One statement, so the thread's part and its messages are of one write.
                rows = read.execute(_WHOLE, {"thread": thread_id}).all()
                messages = [(r.seq, r.body) for r in rows if r.seq is not None]
                entry = _parse(rows[0].conversation, rows[0].conversation_rev, messages)
                self._remember(thread_id, entry)
        # Each turn gets the whole request budget (pydantic-ai's UsageLimits count from the
        # conversation's running usage: carried over, a thread would refuse every message after
        # about 25 turns). What a turn cost is logged per turn, not per thread.
        # Its own list: the parsed copy's stays what is stored, whatever a run does to this one.
        copy = entry.conversation
        return dataclasses.replace(copy, messages=list(copy.messages), usage=RunUsage())

    def save(
        self,
        thread_id: str,
        conversation: Conversation,
        user_email: str,
        first_message: str | None,
        along: Callable[[], Iterable[tuple[Table, dict[str, Any]]]] = tuple,
    ) -> None:
        """Store the thread's conversation. `along` makes new rows, (table, values), to insert
        in the same transaction (the turn's log), so a turn costs one write; called per
        attempt."""
        plan = self._plan(self._entry(thread_id), bounded(conversation))
        try:
            entry = self._write(thread_id, plan, user_email, first_message, along)
        except IntegrityError:  # the thread row was created by Chainlit a moment ago
            entry = self._write(thread_id, plan, user_email, first_message, along)
        self._remember(thread_id, entry)

    def forget(self, thread_id: str) -> None:
        """Drop the parsed copy (a turn failed: the run may have left it half-changed)."""
        with self._lock:
            self._parsed.pop(thread_id, None)

    @staticmethod
    def _plan(loaded: _Parsed | None, kept: Conversation) -> _Save:
        """`kept`'s stored form, and `kept` exactly as parsing that gives it (a tool result's
        dates become strings, tuples lists, ...), at the cost of the turn's new messages only.
        The messages it shares with the parsed copy it was loaded from are already that, and
        their JSON is known: pydantic-ai never changes a history message in place (it copies
        one it must change)."""
        known = {id(m): i for i, m in enumerate(loaded.conversation.messages)} if loaded else {}
        messages, fragments = [], []
        for message in kept.messages:
            if id(message) in known:
                fragment = loaded.fragments[known[id(message)]]
            else:
                fragment = _fragment(message)
                message = ModelMessagesTypeAdapter.validate_json(b"[" + fragment + b"]")[0]
            messages.append(message)
            fragments.append(fragment)
        shell = ConversationTypeAdapter.dump_json(dataclasses.replace(kept, messages=[]))
        parsed = ConversationTypeAdapter.validate_json(shell)  # usage, pending calls, ids: small
        stored = dataclasses.replace(parsed, messages=messages)
        # It continues the copy if it starts with the copy's last messages, all of them.
        start = known.get(id(kept.messages[0])) if kept.messages else None
        shared = len(loaded.conversation.messages) - start if start is not None else 0
        continues = (
            start is not None
            and len(kept.messages) >= shared
            and all(
                kept.messages[i] is loaded.conversation.messages[start + i] for i in range(shared)
            )
        )
        if not continues:
            return _Save(shell.decode(), stored, fragments, None, 0)
        return _Save(shell.decode(), stored, fragments, loaded, shared)

    def _write(
        self,
        thread_id: str,
        plan: _Save,
        user_email: str,
        first_message: str | None,
        along: Callable[[], Iterable[tuple[Table, dict[str, Any]]]],
    ) -> _Parsed:
        # UPDATEs, not load-and-flush: the thread row is taken (and locked) first, so two saves
        # of one thread (two processes) never interleave their message rows.
        rev = uuid.uuid4().hex
        name = first_message[:MAX_NAME] if first_message else None
        values = {
            "thread": thread_id,
            "shell": plan.shell,
            "new_rev": rev,
            "email": user_email,
            "thread_name": name,
        }
        with self._uow() as uow:
            session = uow.session
            write = session.connection()
            copy = plan.continues
            continued = (
                copy is not None
                and write.execute(_CONTINUE, values | {"old_rev": copy.rev}).rowcount
            )
            if continued:
                # Still the conversation the copy was read from: drop what the window has left
                # behind, append the turn's messages.
                seqs = copy.seqs[len(copy.seqs) - plan.shared :]  # at least one
                if plan.shared < len(copy.seqs):
                    write.execute(_DROP_BEFORE, {"thread": thread_id, "first": seqs[0]})
                next_seq = copy.seqs[-1] + 1
                seqs += range(next_seq, next_seq + len(plan.fragments) - plan.shared)
                new = zip(seqs[plan.shared :], plan.fragments[plan.shared :], strict=True)
            else:  # written anew: another process wrote since, or nothing to continue
                if not write.execute(_REWRITE, values).rowcount:
                    session.add(
                        ChatThread(
                            id=thread_id,
                            user_email=user_email,
                            name=name,
                            conversation=plan.shell,
                            conversation_rev=rev,
                        )
                    )
                    session.flush()
                write.execute(_DROP_ALL, {"thread": thread_id})
                seqs = list(range(len(plan.fragments)))
                new = zip(seqs, plan.fragments, strict=True)
            rows = [{"thread_id": thread_id, "seq": seq, "body": f.decode()} for seq, f in new]
            if rows:
                write.execute(_APPEND, rows)
            for table, row in along():
                write.execute(insert(table), row)
            uow.commit()
        return _Parsed(rev, plan.conversation, plan.fragments, seqs)

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


# The store's statements, built once: a turn runs three to five of them, and building an ORM
# statement (and its cache key) each time cost more than SQLite takes to run it.
_THREADS, _MESSAGES = ChatThread.__table__, ChatThreadMessage.__table__
_THIS_THREAD = _THREADS.c.id == bindparam("thread")
_REV = select(_THREADS.c.conversation, _THREADS.c.conversation_rev).where(_THIS_THREAD)
_WHOLE = (
    select(
        _THREADS.c.conversation,
        _THREADS.c.conversation_rev,
        _MESSAGES.c.seq,
        _MESSAGES.c.body,
    )
    .outerjoin(_MESSAGES, _MESSAGES.c.thread_id == _THREADS.c.id)
    .where(_THIS_THREAD)
    .order_by(_MESSAGES.c.seq)
)
_REWRITE = (
    update(_THREADS)
    .where(_THIS_THREAD)
    .values(
        conversation=bindparam("shell"),
        conversation_rev=bindparam("new_rev"),
        # the thread keeps its owner and its name (a thread Chainlit made has neither yet)
        user_email=func.coalesce(func.nullif(_THREADS.c.user_email, ""), bindparam("email")),
        name=case(
            (
                or_(_THREADS.c.name.is_(None), _THREADS.c.name == ""),
                func.coalesce(bindparam("thread_name"), _THREADS.c.name),
            ),
            else_=_THREADS.c.name,
        ),
    )
)
_CONTINUE = _REWRITE.where(_THREADS.c.conversation_rev == bindparam("old_rev"))
_DROP_ALL = delete(_MESSAGES).where(_MESSAGES.c.thread_id == bindparam("thread"))
_DROP_BEFORE = _DROP_ALL.where(_MESSAGES.c.seq < bindparam("first"))
_APPEND = insert(_MESSAGES)
