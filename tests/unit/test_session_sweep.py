"""The session sweep cuts an ended chat once: Chainlit keeps a disconnected socket's session a
while for a reconnect, and the sweep used to disconnect it (and log it) again every pass."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import chainlit.session
import chainlit.socket

from web import sessions


class Users:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def ended_sessions(self, session_ids, policy):
        self.asked.append(list(session_ids))
        return {sid: "the account was disabled" for sid in session_ids}


def test_an_ended_chat_is_cut_once_and_forgotten_when_chainlit_lets_it_go(monkeypatch, caplog):
    open_sockets = {"sock-1": SimpleNamespace(socket_id="sock-1", token="cookie")}
    monkeypatch.setattr(chainlit.session, "ws_sessions_sid", open_sockets)
    monkeypatch.setattr(sessions, "session_of", lambda token: (7, "sid-7"))
    disconnected: list[str] = []

    async def disconnect(socket_id):
        disconnected.append(socket_id)

    monkeypatch.setattr(chainlit.socket.sio, "disconnect", disconnect)
    monkeypatch.setattr(sessions, "_cut_already", set())
    users = Users()

    assert asyncio.run(sessions.sweep_once(users, None)) == ["sock-1"]
    assert asyncio.run(sessions.sweep_once(users, None)) == []  # still held by Chainlit
    assert disconnected == ["sock-1"]
    assert users.asked == [["sid-7"], []]
    assert caplog.text.count("Closing an open chat") == 1

    open_sockets.clear()  # Chainlit let it go
    asyncio.run(sessions.sweep_once(users, None))
    assert sessions._cut_already == set()
