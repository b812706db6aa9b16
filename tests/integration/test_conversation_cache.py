"""The conversation store: messages appended as rows, and a parsed copy that is always what
reading the stored conversation gives."""

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
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from agent import store as store_module
from agent.store import ConversationStore
from domain.conversations import ChatLog
from domain.models.chat import AiConversationLog, ChatThread, ChatThreadMessage

pytestmark = pytest.mark.dialect  # the parsed copy is used only while the row's revision holds


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


def _rows(app, thread_id: str) -> list[tuple[int, str]]:
    with app.session() as s:
        return s.execute(
            select(ChatThreadMessage.seq, ChatThreadMessage.body)
            .where(ChatThreadMessage.thread_id == thread_id)
            .order_by(ChatThreadMessage.seq)
        ).all()


def _text(app, thread_id: str) -> str:
    """The stored conversation as one JSON text: the thread's part with its message rows."""
    with app.session() as s:
        shell = s.scalar(select(ChatThread.conversation).where(ChatThread.id == thread_id))
    assert shell.startswith('{"messages":[]')
    bodies = ",".join(body for _, body in _rows(app, thread_id))
    return '{"messages":[' + bodies + "]" + shell[len('{"messages":[]') :]


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
        before = _rows(app, "t1")
        grown = Conversation(messages=[*loaded.messages, *_turn(i)])
        store.save("t1", grown, "ed@x.test", None)
        # the turn's messages appended, the earlier rows as they were: the text a whole dump gives
        assert _rows(app, "t1")[: len(before)] == before and len(_rows(app, "t1")) == 4 * (i + 1)
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
    assert len(_stored(app, "t2").messages) == 8
    assert store.load("t3") == _stored(app, "t3")


def test_a_long_thread_keeps_its_window_in_rows_and_drops_the_rest(app, monkeypatch):
    monkeypatch.setattr(store_module, "KEEP_MESSAGES", 10)
    store = ConversationStore(app.uow)
    store.save("t4", Conversation(messages=_turn(0)), "ed@genthrust.test", None)
    seqs = []
    for i in range(1, 6):
        grown = Conversation(messages=[*store.load("t4").messages, *_turn(i)])
        store.save("t4", grown, "ed@genthrust.test", None)
        kept = store_module.bounded(grown).messages
        rows = _rows(app, "t4")
        assert len(rows) == len(kept) <= 10  # the window only: older rows are deleted
        assert (
            _stored(app, "t4").messages
            == ConversationTypeAdapter.validate_json(
                ConversationTypeAdapter.dump_json(Conversation(messages=kept))
            ).messages
        )
        seqs.append(rows[-1][0])
    # appended (sequence numbers go on) rather than the thread written anew each turn
    assert seqs == [7, 11, 15, 19, 23]
    assert store.load("t4") == _stored(app, "t4")
    assert ConversationStore(app.uow).load("t4") == _stored(app, "t4")  # another process


def test_two_processes_continuing_one_thread_never_mix_their_messages(app):
    """Each saves on top of the copy it read; the second finds the thread changed under it
    and writes its whole conversation (the last writer's, as with one row), never a mix."""
    first, second = ConversationStore(app.uow), ConversationStore(app.uow)
    first.save("t5", Conversation(messages=_turn(0)), "ed@genthrust.test", None)
    from_first, from_second = first.load("t5"), second.load("t5")
    first.save("t5", Conversation(messages=[*from_first.messages, *_turn(1)]), "ed@x.test", None)
    ours = Conversation(messages=[*from_second.messages, *_turn(2)])
    second.save("t5", ours, "ed@genthrust.test", None)
    stored = _stored(app, "t5")
    assert [m.parts[0].content for m in stored.messages[::4]] == ["RO 0", "RO 2"]
    assert [seq for seq, _ in _rows(app, "t5")] == list(range(8))
    assert first.load("t5") == stored == second.load("t5")  # the first re-reads: changed


def test_deleting_a_thread_deletes_its_messages(app):
    import asyncio

    from web.data_layer import OurDataLayer

    ConversationStore(app.uow).save("t6", Conversation(messages=_turn(0)), "ed@x.test", None)
    asyncio.run(OurDataLayer(app).delete_thread("t6"))
    assert _rows(app, "t6") == []
    assert ConversationStore(app.uow).load("t6") is None


def test_a_conversation_that_does_not_continue_the_stored_one_is_written_anew(app):
    """A run that changed history (a message copied, one dropped from the middle) is not
    appended to the rows: they are replaced by exactly what was saved."""
    store = ConversationStore(app.uow)
    store.save("t7", Conversation(messages=_turn(0) + _turn(1)), "ed@x.test", None)
    loaded = store.load("t7").messages
    edited = [loaded[0], loaded[1], loaded[3], *loaded[4:], *_turn(2)]  # the tool result gone
    store.save("t7", Conversation(messages=edited), "ed@x.test", None)
    assert [seq for seq, _ in _rows(app, "t7")] == list(range(11))
    assert store.load("t7") == _stored(app, "t7")
    asked = [
        p.content
        for m in _stored(app, "t7").messages
        for p in m.parts
        if p.part_kind == "user-prompt"
    ]
    assert asked == ["RO 0", "RO 1", "RO 2"]
    shorter = store.load("t7").messages[:2]  # fewer messages than were stored
    store.save("t7", Conversation(messages=shorter), "ed@x.test", None)
    assert len(_rows(app, "t7")) == 2 and ConversationStore(app.uow).load("t7") == store.load("t7")


def _log_row(reply: str) -> tuple:
    """A turn's log row as the chat gives it to a save (ChatLog.entry)."""
    return ChatLog.entry(
        conversation_id="t9", user_email="ed@genthrust.test", user_message="RO 1",
        reply=reply, model="offline", tool_calls=[], duration_ms=5,
    )  # fmt: skip


def test_rows_given_along_are_written_with_the_conversation_or_not_at_all(app):
    store = ConversationStore(app.uow)
    made = []

    def along():
        made.append(_log_row("first"))
        return made[-1:]

    store.save("t9", Conversation(messages=_turn(1)), "ed@genthrust.test", "RO 1", along)
    with app.session() as s:
        assert s.scalars(select(AiConversationLog.reply)).all() == ["first"]
    # A save that fails writes neither the turn's messages nor its log row.
    broken = _log_row("second")
    broken[1]["duration_ms"] = None  # NOT NULL: the transaction's last statement fails
    with pytest.raises(IntegrityError):
        store.save(
            "t9", Conversation(messages=[*_turn(1), *_turn(2)]), "ed@genthrust.test", None,
            lambda: [broken],
        )  # fmt: skip
    store.forget("t9")
    assert len(_stored(app, "t9").messages) == 4
    with app.session() as s:
        assert s.scalars(select(AiConversationLog.reply)).all() == ["first"]


def test_a_save_tried_again_makes_its_rows_again(app):
    """A first attempt that fails on a duplicate key (as when Chainlit made the thread row a
    moment ago) is rolled back whole; the second writes the turn's log row anew, once."""
    store = ConversationStore(app.uow)
    store.save("t8", Conversation(messages=_turn(1)), "ed@genthrust.test", "RO 1",
               lambda: [_log_row("earlier")])  # fmt: skip
    with app.session() as s:
        taken = s.scalar(select(AiConversationLog.id))
    made = []

    def along():
        made.append(_log_row("this turn"))
        if len(made) == 1:
            made[0][1]["id"] = taken  # the first attempt's row collides
        return made[-1:]

    store.save("t8", Conversation(messages=[*_turn(1), *_turn(2)]), "ed@genthrust.test", None,
               along)  # fmt: skip
    assert len(made) == 2
    with app.session() as s:
        assert sorted(s.scalars(select(AiConversationLog.reply))) == ["earlier", "this turn"]
    store.forget("t8")
    assert len(_stored(app, "t8").messages) == 8
