"""A chat session over Chainlit's real protocol (HTTP sign-in, socket.io, button presses), for
benchmarks and tests that need more than one browser's worth of sessions or processes.

    async with ChatClient(url, email, password) as chat:   # signs in (cookies kept: sticky)
        await chat.connect()                                 # or connect(thread_id=...) to resume
        messages = await chat.say("set RO 38462 to APPROVED")
        await chat.press(chat.actions[-1])
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import socketio

TURN_TIMEOUT_S = 60


class ChatClient:
    def __init__(self, url: str, email: str, password: str, cookies: dict[str, str] | None = None):
        """`cookies`: a signed-in browser's cookies (then no sign-in here)."""
        self.url, self.email, self.password = url, email, password
        self.http = httpx.AsyncClient(base_url=url, timeout=30, cookies=cookies)
        self._signed_in = cookies is not None
        self.socket: socketio.AsyncClient | None = None
        self.session_id = ""
        self.thread_id: str | None = None
        self.messages: list[dict[str, Any]] = []  # every message step seen, in order
        self._by_id: dict[str, dict[str, Any]] = {}
        self.actions: list[dict[str, Any]] = []  # buttons currently shown
        self.served_by: set[str] = set()  # X-GT-Server of the HTTP answers (behind the proxy)
        self._ended: asyncio.Queue[None] = asyncio.Queue()
        self._started = self._ended_count = 0
        self.events: list[tuple[str, str]] = []

    async def __aenter__(self) -> ChatClient:
        if self._signed_in:
            return self
        login = await self.http.post(
            "/login", data={"username": self.email, "password": self.password}
        )
        login.raise_for_status()
        self._note(login)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.disconnect()
        await self.http.aclose()

    def _note(self, response: httpx.Response) -> None:
        if server := response.headers.get("x-gt-server"):
            self.served_by.add(server)

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())

    async def connect(self, thread_id: str | None = None) -> None:
        """Open the chat's socket (a new chat, or `thread_id` resumed) and wait for its start."""
        await self.disconnect()
        self.session_id = str(uuid.uuid4())
        self.thread_id = thread_id or self.thread_id
        self.actions = []
        client = socketio.AsyncClient(reconnection=False)

        @client.on("*")
        async def _any(event: str, data: Any = None) -> None:
            self.events.append((event, str(data)[:200]))

        @client.on("task_start")
        async def _start(_data=None) -> None:
            self.events.append(("task_start", ""))
            self._started += 1

        @client.on("task_end")
        async def _end(_data=None) -> None:
            self.events.append(("task_end", ""))
            self._ended_count += 1
            await self._ended.put(None)

        @client.on("new_message")
        async def _message(step: dict[str, Any]) -> None:
            self._shown(step)

        @client.on("stream_start")
        async def _stream(step: dict[str, Any]) -> None:
            self._shown(step)

        @client.on("stream_token")
        async def _token(token: dict[str, Any]) -> None:
            step = self._by_id.get(token.get("id", ""))
            if step is not None:
                if token.get("isSequence"):
                    step["output"] = token.get("token", "")
                else:
                    step["output"] = (step.get("output") or "") + token.get("token", "")

        @client.on("update_message")
        async def _update(step: dict[str, Any]) -> None:
            self._shown(step)

        @client.on("action")
        async def _action(action: dict[str, Any]) -> None:
            self.actions.append(action)

        @client.on("remove_action")
        async def _removed(action: dict[str, Any]) -> None:
            self.actions = [a for a in self.actions if a.get("id") != action.get("id")]

        await client.connect(
            self.url,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            wait_timeout=TURN_TIMEOUT_S,  # socket.io's default, 1 s, is short on a busy machine
            headers={"Cookie": self.cookie},
            auth={
                "sessionId": self.session_id,
                "clientType": "webapp",
                "userEnv": "{}",
                "threadId": thread_id,
            },
        )
        self.socket = client
        await client.emit("connection_successful")
        await asyncio.wait_for(self._ended.get(), TURN_TIMEOUT_S)

    async def disconnect(self) -> None:
        if self.socket is not None:
            await self.socket.disconnect()
            self.socket = None

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Send a message; the messages shown until the turn's end."""
        assert self.socket is not None, "connect() first"
        seen = len(self.messages)
        starts = self._started
        await self.socket.emit(
            "client_message",
            {
                "message": {
                    "id": str(uuid.uuid4()),
                    "name": self.email,
                    "type": "user_message",
                    "output": text,
                    "createdAt": datetime.now(UTC).isoformat(),
                },
                "fileReferences": [],
            },
        )
        await self._answered(starts, seen)
        return self.messages[seen:]

    async def _answered(self, starts: int, seen: int) -> None:
        """Until the turn has answered and no task runs: a task started since `starts`, an
        assistant message shown since `seen`, every task ended (a late task_end of an earlier
        task, e.g. the chat's start or a button's, is not this turn's)."""
        deadline = asyncio.get_running_loop().time() + TURN_TIMEOUT_S
        while not (
            self._started > starts
            and self._ended_count >= self._started
            and any(
                m.get("type") == "assistant_message" and m.get("output")
                for m in self.messages[seen:]
            )
        ):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no answer: {self.events[-10:]}")
            await asyncio.sleep(0.01)

    async def press(self, action: dict[str, Any]) -> list[dict[str, Any]]:
        """Press a button (POST /project/action, as the page does); the messages it shows."""
        self._drain()
        seen = len(self.messages)
        response = await self.http.post(
            "/project/action", json={"sessionId": self.session_id, "action": action}
        )
        self._note(response)
        response.raise_for_status()
        await asyncio.sleep(0)  # the callback's messages arrive over the socket
        return self.messages[seen:]

    async def wait_for_text(self, needle: str, timeout_s: float = TURN_TIMEOUT_S) -> str:
        """The first message (from now back to the start) whose text contains `needle`."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for step in reversed(self.messages):
                if needle in (step.get("output") or ""):
                    return step["output"]
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no message with {needle!r}")
            await asyncio.sleep(0.1)

    async def wait_for_action(self, choice: str, timeout_s: float = TURN_TIMEOUT_S) -> dict:
        """The shown button whose payload's choice is `choice`, once it is shown (a card's
        buttons come after its text; a busy server may end the turn's answer first)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for action in self.actions:
                if (action.get("payload") or {}).get("choice") == choice:
                    return action
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no {choice!r} button: {self.events[-10:]}")
            await asyncio.sleep(0.1)

    def _shown(self, step: dict[str, Any]) -> None:
        """A message shown or replaced (by id): the list keeps its first place."""
        known = self._by_id.get(step.get("id", ""))
        if known is not None:
            known.update(step)
        else:
            step = dict(step)
            self._by_id[step.get("id", "")] = step
            self.messages.append(step)
        self.thread_id = step.get("threadId") or self.thread_id

    def _drain(self) -> None:
        while not self._ended.empty():
            self._ended.get_nowait()
