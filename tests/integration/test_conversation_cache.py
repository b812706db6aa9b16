"""The conversation store's parsed copy: always what parsing the stored row gives."""

from datetime import UTC, datetime

import pytest
from pydantic_ai import Conversation, ConversationTypeAdapter
from pydantic_ai.messages import (
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)

from agent.store import ConversationStore
from domain.models.chat import ChatThread

pytestmark = pytest.mark.dialect  # the parsed copy is used only if the row's text is the same


def _turn(i: int) -> list:
    when = datetime(2026, 12, 2, 8, i, tzinfo=UTC)
    return [
        ModelRequest(parts=[UserPromptPart(content=f"RO {i}")]),
        ModelResponse(parts=[ToolCallPart("get_repair_order", {"ro": i}, tool_call_id=f"c{i}")]),
        # a tool result with values JSON does not keep as they are: a date, a tuple
        ModelRequest(
            parts=[ToolReturnPart("get_repair_order", {"due": when, "ids": (i, i)}, f"c{i}")]
        ),
        ModelResponse(parts=[TextPart(content=f"RO {i} is due {when:%Y-%m-%d} — 1.5 € \u2603")]),
    ]


def _text(app, thread_id: str) -> str:
    with app.session() as s:
        return s.get(ChatThread, thread_id).conversation


def _stored(app, thread_id: str) -> Conversation:
    return ConversationTypeAdapter.validate_json(_text(app, thread_id))


def test_a_loaded_conversation_is_the_stored_one_turn_after_turn(app):
    store = ConversationStore(app.uow)
    assert store.load("t1") is None
    store.save("t1", Conversation(messages=_turn(0)), "ed@genthrust.test", "RO 0")
    for i in range(1, 4):
        loaded = store.load("t1")
        assert loaded == _stored(app, "t1")  # the tool result's date is a string, as stored
        assert loaded.messages[2].parts[0].content == {"due": "2026-12-02T08:00:00Z", "ids": [0, 0]}
        grown = Conversation(messages=[*loaded.messages, *_turn(i)])
        store.save("t1", grown, "ed@x.test", None)
        # written from the known JSON of the old messages: the text a whole dump gives
        assert _text(app, "t1") == ConversationTypeAdapter.dump_json(grown).decode()
    final = store.load("t1")
    assert final == _stored(app, "t1") and len(final.messages) == 16
    assert final.messages[-2].parts[0].content["ids"] == [3, 3]
    with app.session() as s:
        assert s.get(ChatThread, "t1").name == "RO 0"


def test_a_write_by_someone_else_is_read_not_the_parsed_copy(app):
    store = ConversationStore(app.uow)
    store.save("t2", Conversation(messages=_turn(0)), "ed@genthrust.test", None)
    store.load("t2")
    other = ConversationStore(app.uow)  # another process (or `gt chat`) continues the thread
    other.save("t2", Conversation(messages=_turn(0) + _turn(1)), "ed@genthrust.test", None)
    assert len(store.load("t2").messages) == 8

    store.forget("t2")  # after a failed turn: parsed afresh, the same conversation
    assert store.load("t2") == _stored(app, "t2")


def test_saving_into_a_thread_row_chainlit_made_names_it_once_and_keeps_its_owner(app):
    with app.uow() as uow:
        uow.session.add(ChatThread(id="t2", user_email="", name=None))
        uow.session.add(ChatThread(id="t3", user_email="ana@genthrust.test", name="Overdue ROs"))
        uow.commit()
    store = ConversationStore(app.uow)
    store.save("t2", Conversation(messages=_turn(0)), "ed@genthrust.test", "RO 0 " + "x" * 200)
    store.save("t3", Conversation(messages=_turn(1)), "ed@genthrust.test", "RO 1")
    store.save("t2", Conversation(messages=[*_turn(0), *_turn(2)]), "ed@genthrust.test", "RO 2")
    with app.session() as s:
        t2, t3 = s.get(ChatThread, "t2"), s.get(ChatThread, "t3")
        assert (t2.name, t2.user_email) == ("RO 0 " + "x" * 75, "ed@genthrust.test")
        assert (t3.name, t3.user_email) == ("Overdue ROs", "ana@genthrust.test")
        assert len(ConversationTypeAdapter.validate_json(t2.conversation).messages) == 8
    assert store.load("t3") == _stored(app, "t3")
