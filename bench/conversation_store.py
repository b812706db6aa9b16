"""A chat turn's conversation load and save: message rows appended, against one text rewritten.

The corpus is real: 12 turns of bench.chat's mix run through the offline assistant on the
embedded default with demo data (tool results and all), cut into turns. Then, per database
(SQLite, and MariaDB with `--db both`), one thread is filled to the store's 40-message window
and each measured turn does what a chat turn does to its conversation: load it, then save it
with the next turn's messages. New = `agent.store.ConversationStore` (a thread's messages as rows:
a turn appends its own and drops the ones the window leaves behind). Baseline = the store as it
was before (`OneText` below: the whole conversation one JSON text in the thread's row, read on
every load to check the parsed copy and written whole on every save), with the same parsed copy
and the same per-message JSON, so only the storage differs. Rounds alternate, same process.

    python -m bench.conversation_store [--db sqlite|mariadb|both] [--turns 40] [--rounds 6]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import shutil
import statistics
import tempfile
import time
import uuid

from pydantic_ai import Conversation, ConversationTypeAdapter
from pydantic_ai.messages import ModelMessagesTypeAdapter, ModelRequest, UserPromptPart
from sqlalchemy import select, update

from agent.store import ConversationStore, _fragment, _Parsed, _Save
from bench.chat import TURNS, Quiet, embedded_assistant, seeded_desk
from bench.common import emit, temporary_database
from domain.db import make_engine, make_session_factory
from domain.migrate import upgrade
from domain.models.chat import ChatThread
from domain.unit_of_work import UnitOfWork

NO_MESSAGES = '{"messages":[]'


class OneText(ConversationStore):
    """The baseline: the conversation as one text in `chat_threads.conversation` (the store
    before message rows); a copy's `rev` is the whole text it was read or written as."""

    def load(self, thread_id: str) -> Conversation | None:
        with self._uow() as uow:
            text = uow.session.scalar(
                select(ChatThread.conversation).where(ChatThread.id == thread_id)
            )
        if not text:
            return None
        entry = self._entry(thread_id)
        if entry is None or entry.rev != text:
            conversation = ConversationTypeAdapter.validate_json(text)
            fragments = [_fragment(m) for m in conversation.messages]
            entry = _Parsed(text, conversation, fragments, [])
            self._remember(thread_id, entry)
        return entry.conversation

    def _write(self, thread_id: str, plan: _Save, user_email: str, first_message) -> _Parsed:
        joined = b",".join(plan.fragments).decode()
        text = '{"messages":[' + joined + "]" + plan.shell[len(NO_MESSAGES) :]
        with self._uow() as uow:
            changed = uow.session.execute(
                update(ChatThread).where(ChatThread.id == thread_id).values(conversation=text),
                execution_options={"synchronize_session": False},
            ).rowcount
            if not changed:
                uow.session.add(ChatThread(id=thread_id, user_email=user_email, conversation=text))
            uow.commit()
        return _Parsed(text, plan.conversation, plan.fragments, [])


async def corpus(turns: int) -> list[bytes]:
    """The JSON of real turns' messages (one JSON array per turn)."""
    folder = tempfile.mkdtemp(prefix="gt-bench-store-")
    try:
        env = seeded_desk(folder)
        async with embedded_assistant(env) as (assistant, actor):
            thread_id = str(uuid.uuid4())
            for j in range(turns):
                text = TURNS[j % len(TURNS)].format(n=38000 + j * 7)
                await assistant.ask(actor, thread_id, text, Quiet())
            messages = assistant.store.load(thread_id).messages
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    starts = [
        i
        for i, m in enumerate(messages)
        if isinstance(m, ModelRequest) and any(isinstance(p, UserPromptPart) for p in m.parts)
    ]
    bounds = [*starts, len(messages)]
    return [
        ModelMessagesTypeAdapter.dump_json(messages[a:b]) for a, b in itertools.pairwise(bounds)
    ]


def measure(url: str, turns_json: list[bytes], turns: int, rounds: int) -> dict:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions, handlers=[])

    stores = {"rows": ConversationStore(uow), "one_text": OneText(uow)}
    threads = {label: str(uuid.uuid4()) for label in stores}
    wall: dict[str, list[float]] = {label: [] for label in stores}
    cpu: dict[str, list[float]] = {label: [] for label in stores}
    size = 0
    step = 0

    def turn(label: str) -> tuple[float, float]:
        nonlocal step
        new = ModelMessagesTypeAdapter.validate_json(turns_json[step % len(turns_json)])
        step += 1
        store, thread_id = stores[label], threads[label]
        started, cpu_started = time.perf_counter(), time.process_time()
        loaded = store.load(thread_id) or Conversation(messages=[])
        grown = dataclasses.replace(loaded, messages=[*loaded.messages, *new])
        store.save(thread_id, grown, "bench@genthrust.test", None)
        return time.perf_counter() - started, time.process_time() - cpu_started

    try:
        for label in stores:  # both threads filled past the 40-message window first
            for _ in range(15):
                turn(label)
        with engine.connect() as conn:
            size = len(
                conn.scalar(
                    select(ChatThread.conversation).where(ChatThread.id == threads["one_text"])
                )
            )
        for round_no in range(rounds):
            order = list(stores) if round_no % 2 == 0 else list(reversed(stores))
            for label in order:
                times = [turn(label) for _ in range(turns)]
                wall[label].append(statistics.median(t for t, _ in times) * 1000)
                cpu[label].append(sum(c for _, c in times) * 1000 / turns)
    finally:
        engine.dispose()
    new, old = statistics.median(wall["rows"]), statistics.median(wall["one_text"])
    new_cpu, old_cpu = statistics.median(cpu["rows"]), statistics.median(cpu["one_text"])
    return {
        "conversation_bytes": size,
        "rows_ms": round(new, 3),
        "one_text_ms": round(old, 3),
        "ratio": round(new / old, 3),
        "rows_cpu_ms": round(new_cpu, 3),
        "one_text_cpu_ms": round(old_cpu, 3),
        "cpu_ratio": round(new_cpu / old_cpu, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "mariadb", "both"], default="both")
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    turns_json = asyncio.run(corpus(12))
    print(f"corpus: {len(turns_json)} turns, {sum(map(len, turns_json)):,} bytes of messages")
    result: dict = {"turns": args.turns, "rounds": args.rounds}
    for kind in ("sqlite", "mariadb") if args.db == "both" else (args.db,):
        with temporary_database(kind) as url:
            result[kind] = measure(url, turns_json, args.turns, args.rounds)
        print(kind, result[kind])
    emit(result)


if __name__ == "__main__":
    main()
