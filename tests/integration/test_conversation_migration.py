"""Migration 0016 splits each stored conversation into message rows, and 0015 joins them back,
on SQLite and MariaDB: a thread continues where it was after the upgrade."""

import dataclasses
import uuid
from datetime import UTC, datetime

import pytest
from alembic import command
from pydantic_ai import Conversation, ConversationTypeAdapter
from pydantic_ai.messages import ModelRequest, ModelResponse, TextPart, UserPromptPart
from sqlalchemy import create_engine, text

from agent.store import ConversationStore
from domain.db import make_engine, make_session_factory
from domain.migrate import alembic_config, upgrade
from domain.unit_of_work import UnitOfWork
from tests.conftest import MARIADB_SERVER_URL, require_service

LEGACY = Conversation(
    messages=[
        ModelRequest(parts=[UserPromptPart("RO 38001 — où en est-il ? \u2603")]),
        ModelResponse(
            parts=[TextPart("RO 38001 is at Avtech, due 2026-12-04.")],
            timestamp=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        ),
    ]
)


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'legacy.db'}"
        return
    server = create_engine(MARIADB_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        require_service("MariaDB", False, str(exc).splitlines()[0])
    name = f"gt_test_m16_{uuid.uuid4().hex[:10]}"
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    try:
        yield f"{MARIADB_SERVER_URL}/{name}"
    finally:
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        server.dispose()


def _stored_text(engine, thread_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT conversation FROM chat_threads WHERE id = :id"), {"id": thread_id}
        ).scalar_one()


def test_stored_conversations_survive_the_upgrade_and_the_downgrade(empty_url):
    engine = make_engine(empty_url)
    try:
        upgrade(engine, "0015")
        legacy_text = ConversationTypeAdapter.dump_json(LEGACY).decode()
        with engine.begin() as conn:
            for thread_id, conversation in (("t1", legacy_text), ("t2", None)):
                conn.execute(
                    text(
                        "INSERT INTO chat_threads (id, user_email, conversation, created_at,"
                        " updated_at) VALUES (:id, 'ed@genthrust.test', :c, :now, :now)"
                    ),
                    {"id": thread_id, "c": conversation, "now": datetime(2026, 12, 2)},
                )
        upgrade(engine)

        sessions = make_session_factory(engine)

        def uow() -> UnitOfWork:
            return UnitOfWork(sessions, handlers=[])

        store = ConversationStore(uow)
        restored = store.load("t1")
        assert restored.messages == ConversationTypeAdapter.validate_json(legacy_text).messages
        assert restored.conversation_id == LEGACY.conversation_id
        assert store.load("t2") is None
        # and the thread goes on: the next turn's messages are appended to the migrated ones
        question = ModelRequest(parts=[UserPromptPart("RO 2")])
        grown = dataclasses.replace(restored, messages=[*restored.messages, question])
        store.save("t1", grown, "ed@genthrust.test", None)
        assert len(ConversationStore(uow).load("t1").messages) == 3

        cfg = alembic_config(engine)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0015")
        back = ConversationTypeAdapter.validate_json(_stored_text(engine, "t1"))
        as_stored = ConversationTypeAdapter.validate_json(ConversationTypeAdapter.dump_json(grown))
        assert back.messages == as_stored.messages
        assert back.conversation_id == LEGACY.conversation_id
        assert _stored_text(engine, "t2") is None
    finally:
        engine.dispose()
