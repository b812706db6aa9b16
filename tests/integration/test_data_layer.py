"""Chainlit's thread history on our tables, on SQLite and MariaDB."""

import asyncio

import pytest

from domain.roles import SYSTEM

pytestmark = pytest.mark.dialect  # our chat data layer


def run(coroutine):
    return asyncio.run(coroutine)


def step(step_id: str, thread_id: str, output: str, created: str, kind: str = "assistant_message"):
    return {
        "id": step_id,
        "threadId": thread_id,
        "name": "RO Tracker",
        "type": kind,
        "output": output,
        "createdAt": created,
        "start": created,
        "metadata": {},
    }


def test_threads_steps_and_feedback_round_trip(app):
    # Chainlit is imported here, not at collection (it is the heaviest import of the suite).
    from chainlit.types import Feedback, Pagination, ThreadFilter

    from web.data_layer import OurDataLayer

    app.users.add(SYSTEM, "ed@genthrust.test", "editor")
    layer = OurDataLayer(app)
    user = run(layer.get_user("ED@genthrust.test"))
    assert (user.identifier, user.id, user.metadata) == (
        "ed@genthrust.test",
        "ed@genthrust.test",
        {"role": "editor"},
    )
    assert run(layer.get_user("ghost@genthrust.test")) is None

    # steps may arrive before the thread exists, and twice (create, then update)
    run(layer.create_step(step("s1", "t1", "hello", "2026-11-20T10:00:00Z", "user_message")))
    run(layer.update_thread("t1", name="overdue", user_id=user.id, metadata={"x": 1, "y": [1]}))
    run(layer.create_step(step("s2", "t1", "", "2026-11-20T10:00:01Z")))
    run(layer.update_step(step("s2", "t1", "3 ROs overdue", "2026-11-20T10:00:01Z")))
    thread = run(layer.get_thread("t1"))
    assert thread["name"] == "overdue" and thread["userIdentifier"] == "ed@genthrust.test"
    assert thread["metadata"] == {"x": 1}  # only plain values are kept
    assert [(s["id"], s["output"]) for s in thread["steps"]] == [
        ("s1", "hello"),
        ("s2", "3 ROs overdue"),
    ]
    assert run(layer.get_thread_author("t1")) == "ed@genthrust.test"

    run(layer.upsert_feedback(Feedback(forId="s2", value=1, comment="useful")))
    assert run(layer.get_thread("t1"))["steps"][1]["feedback"]["value"] == 1

    run(layer.update_thread("t2", name="dashboard", user_id=user.id))
    listed = run(layer.list_threads(Pagination(first=10), ThreadFilter(userId=user.id)))
    assert {t["id"] for t in listed.data} == {"t1", "t2"}
    found = run(
        layer.list_threads(Pagination(first=10), ThreadFilter(userId=user.id, search="overdue"))
    )
    assert [t["id"] for t in found.data] == ["t1"]
    others = run(layer.list_threads(Pagination(first=10), ThreadFilter(userId="vi@genthrust.test")))
    assert others.data == []

    run(layer.delete_thread("t1"))
    assert run(layer.get_thread("t1")) is None


def test_step_writes_are_batched_and_never_read_behind(app):
    """A turn's creates and updates are merged and written together; whatever reads steps,
    deletes or rates one writes the pending ones first, and shutdown writes the rest."""
    from sqlalchemy import func, select

    from domain.models.chat import ChatStep
    from web.data_layer import OurDataLayer

    layer = OurDataLayer(app)

    def stored(thread_id: str) -> dict[str, str]:
        with app.session() as s:
            rows = s.scalars(select(ChatStep).where(ChatStep.thread_id == thread_id)).all()
            return {r.id: r.output for r in rows}

    async def turn() -> None:
        await layer.create_step(step("a1", "ta", "", "2026-11-20T10:00:00Z"))
        await layer.update_step(step("a1", "ta", "partial", "2026-11-20T10:00:00Z"))
        await layer.create_step(step("a2", "ta", "tool", "2026-11-20T10:00:01Z", "tool"))
        await layer.update_step(step("a1", "ta", "final answer", "2026-11-20T10:00:00Z"))
        assert stored("ta") == {}  # nothing written yet: one batch, later
        thread = await layer.get_thread("ta")  # a read writes what is pending first
        assert [(s["id"], s["output"]) for s in thread["steps"]] == [
            ("a1", "final answer"),
            ("a2", "tool"),
        ]

        # a step sent after the thread's deletion was asked for is not resurrected by a flush
        await layer.create_step(step("b1", "tb", "gone", "2026-11-20T10:00:00Z"))
        await layer.delete_thread("tb")
        await layer.close()
        assert await layer.get_thread("tb") is None

        # steps nobody reads are written at shutdown (Chainlit calls close())
        await layer.create_step(step("c1", "tc", "kept", "2026-11-20T10:00:00Z"))
        await layer.close()
        assert stored("tc") == {"c1": "kept"}

    run(turn())
    with app.session() as s:
        assert s.scalar(select(func.count()).select_from(ChatStep)) == 3


def test_a_burst_of_steps_is_written_without_waiting_for_the_window(app):
    from sqlalchemy import func, select

    from domain.models.chat import ChatStep
    from web import data_layer
    from web.data_layer import OurDataLayer

    layer = OurDataLayer(app)

    async def burst() -> None:
        for i in range(data_layer.FLUSH_AT_STEPS):
            await layer.create_step(step(f"x{i}", "tx", str(i), "2026-11-20T10:00:00Z"))
        assert layer._writing  # the write started at once, not after FLUSH_AFTER_S
        await asyncio.gather(*layer._writing)
        with app.session() as s:
            count = s.scalar(select(func.count()).where(ChatStep.thread_id == "tx"))
        assert count == data_layer.FLUSH_AT_STEPS

    run(burst())


def test_one_step_that_cannot_be_written_does_not_lose_the_others(app, monkeypatch):
    from web import data_layer
    from web.data_layer import OurDataLayer

    applied = data_layer._apply

    def apply(step_row, step_dict):
        if step_dict["id"] == "bad":
            raise ValueError("not storable")
        applied(step_row, step_dict)

    monkeypatch.setattr(data_layer, "_apply", apply)
    layer = OurDataLayer(app)

    async def turn() -> list:
        await layer.create_step(step("ok1", "tg", "first", "2026-11-20T10:00:00Z"))
        await layer.create_step(step("bad", "tg", "broken", "2026-11-20T10:00:01Z"))
        await layer.create_step(step("ok2", "tg", "second", "2026-11-20T10:00:02Z"))
        return (await layer.get_thread("tg"))["steps"]

    assert [(s["id"], s["output"]) for s in run(turn())] == [("ok1", "first"), ("ok2", "second")]


def test_an_update_of_a_stored_step_keeps_what_it_leaves_out(app):
    """Chainlit's update of a step already written may leave out its input, output, metadata
    and times: the stored ones stay, and so does the person's rating."""
    from chainlit.types import Feedback

    from web.data_layer import OurDataLayer

    layer = OurDataLayer(app)

    async def turn() -> list[dict]:
        first = step("u1", "tu", "3 ROs overdue", "2026-11-20T10:00:00Z", "tool")
        first |= {"input": '{"overdue": true}', "metadata": {"shown": 3}, "isError": False}
        await layer.create_step(first)
        await layer.flush()
        await layer.upsert_feedback(Feedback(forId="u1", value=0, comment="wrong shop"))
        later = {"id": "u1", "threadId": "tu", "name": "search", "type": "tool", "isError": True,
                 "end": "2026-11-20T10:00:02Z"}  # fmt: skip
        await layer.update_step(later)
        await layer.create_step(step("u2", "tu", "next", "2026-11-20T10:00:03Z"))
        return (await layer.get_thread("tu"))["steps"]  # the update and a create, one batch

    updated, created = run(turn())
    assert (updated["input"], updated["output"]) == ('{"overdue": true}', "3 ROs overdue")
    assert updated["metadata"] == {"shown": 3} and updated["isError"] is True
    assert (updated["name"], updated["start"], updated["end"]) == (
        "search", "2026-11-20T10:00:00Z", "2026-11-20T10:00:02Z",
    )  # fmt: skip
    assert updated["createdAt"] == "2026-11-20T10:00:00Z"
    assert updated["feedback"]["value"] == 0 and updated["feedback"]["comment"] == "wrong shop"
    assert (created["id"], created["output"]) == ("u2", "next")
