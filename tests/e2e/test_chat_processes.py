"""Several chat processes (#19): two `gt serve` on MariaDB and Redis behind HAProxy, sticky by
cookie. A browser stays on its process; a chat, its buttons and a pending confirmation work
whichever process serves it next, because everything they need is in the database and Redis."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
import socketio

from bench.chat_client import ChatClient
from bench.chat_tier import chat_tier, haproxy_available
from bench.faults import GtProcess, OwnRedis
from bootstrap import bootstrap
from config import load_settings
from domain.models import ActivityLog, RepairOrder
from domain.roles import SYSTEM
from tests.conftest import IN_CI, TODAY, _wipe

pytestmark = [pytest.mark.mariadb, pytest.mark.redis]  # (a redis-server of its own)
EDITOR, PASSWORD = "editor@desk.test", "two processes password"
NUMBER = "38462"


@pytest.fixture(scope="module")
def tier(mariadb_url, tmp_path_factory):
    """One tier for the module (its last test kills a process): a Redis of its own."""
    if not haproxy_available():
        if IN_CI:
            pytest.fail("haproxy is not installed — CI=true requires it (.ci/run installs it)")
        pytest.skip("haproxy is not installed (apt-get install haproxy)")
    tmp_path = tmp_path_factory.mktemp("processes")
    redis = OwnRedis(tmp_path)
    redis.start()
    var = tmp_path / "var"
    app = bootstrap(load_settings(database_url=mariadb_url, var_dir=var), process="test",
                    today=lambda: TODAY)  # fmt: skip
    _wipe(app.engine)
    app.users.add(SYSTEM, EDITOR, "editor", password=PASSWORD)
    app.repair_orders.create(
        SYSTEM, {"shop_name": "Avtech Hydraulics", "part_number": "PN-1"}, number=int(NUMBER)
    )
    env = {k: v for k, v in os.environ.items() if k not in {"ANTHROPIC_API_KEY", "GT_CLI_USER"}}
    env |= {
        "DATABASE_URL": mariadb_url,
        "REDIS_URL": redis.url,
        "GT_VAR_DIR": str(var),
        "GT_CHAT_RATE_PER_MIN": "10000",
    }
    worker = GtProcess(["worker", "--processes", "1", "--threads", "4"], env, tmp_path / "w.log")
    worker.start()
    try:
        with chat_tier(env, processes=2, folder=tmp_path / "tier") as running:
            yield app, running
    finally:
        worker.kill()
        redis.stop()
        app.engine.dispose()


def pinned(url: str, server: str) -> ChatClient:
    """A client whose proxy cookie already names `server` (what a browser has after its first
    answer from that process)."""
    client = ChatClient(url, EDITOR, PASSWORD)
    client.http.cookies.set("GT_SERVER", server)
    return client


def test_a_browser_stays_on_its_process_and_new_ones_are_spread(tier):
    _, running = tier

    async def sign_ins() -> list[set[str]]:
        seen = []
        for _ in range(4):
            async with ChatClient(running.url, EDITOR, PASSWORD) as chat:
                for _ in range(5):  # the same browser's next requests: its process only
                    chat._note(await chat.http.get("/user"))
                seen.append(chat.served_by)
        return seen

    seen = asyncio.run(sign_ins())
    assert all(len(servers) == 1 for servers in seen), seen
    assert {s for servers in seen for s in servers} == {"chat1", "chat2"}, seen


def test_a_confirmation_asked_on_one_process_is_confirmed_on_the_other(tier):
    app, running = tier

    async def scenario() -> tuple[str, str]:
        async with pinned(running.url, "chat1") as first:
            await first.connect()
            await first.say(f"set RO {NUMBER} to APPROVED")
            # the card, with its button (under load the turn's end can be seen before it)
            await first.wait_for_text(f"Change the status of RO {NUMBER}")
            await first.wait_for_action("confirm")
            assert first.served_by == {"chat1"}
            thread_id = first.thread_id
        # The browser comes back on the other process (the first one stopped, or a new tab
        # after the cookie expired): the thread resumes there with its waiting change.
        async with pinned(running.url, "chat2") as second:
            await second.connect(thread_id=thread_id)
            await second.wait_for_text("Still waiting for your decision")
            await second.press(await second.wait_for_action("confirm"))
            told = await second.wait_for_text("APPROVED")
            after = await second.say(f"RO {NUMBER}")
            assert second.served_by == {"chat2"}
            return told, " ".join(m.get("output") or "" for m in after)

    told, answer = asyncio.run(scenario())
    with app.session() as s:
        ro = s.query(RepairOrder).filter_by(number=NUMBER).one()
        changes = s.query(ActivityLog).filter_by(ro_id=ro.id, field="status").all()
    assert ro.status == "APPROVED"
    assert len(changes) == 1 and changes[0].actor == EDITOR
    assert "APPROVED" in told
    assert "APPROVED" in answer  # the next turn, on the other process, sees the change


def test_when_a_process_dies_its_browsers_carry_on_on_another(tier):
    _, running = tier

    async def scenario() -> str:
        async with pinned(running.url, "chat1") as chat:
            await chat.connect()
            await chat.say(f"RO {NUMBER}")
            thread_id = chat.thread_id
            await chat.disconnect()
            os.killpg(running.servers[0].pid, signal.SIGKILL)  # chat1 is gone, no goodbye
            # The browser reconnects with its old cookie, retrying as socket.io does, until
            # HAProxy has seen chat1 fail its health check and sends it to chat2.
            for _ in range(40):
                try:
                    await chat.connect(thread_id=thread_id)
                    break
                except socketio.exceptions.ConnectionError:
                    await asyncio.sleep(0.5)
            answer = await chat.say("what did I just ask about?")
            chat._note(await chat.http.get("/user"))
            assert "chat2" in chat.served_by
            return " ".join(m.get("output") or "" for m in answer)

    answer = asyncio.run(scenario())
    assert answer  # the resumed thread answers on the other process
