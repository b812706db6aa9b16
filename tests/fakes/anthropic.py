"""A fake Anthropic Messages API on 127.0.0.1: real HTTP and SSE for the real SDK.

A test gives it a `script`: a function from the request body to the reply blocks, each
`("text", "...")` or `("tool_use", name, {args})`; or to `[("error", status, type)]` for an API
error (529 overloaded_error, 429 rate_limit_error...), or `[("stall", seconds)]` to answer
nothing for that long. Requests are recorded for assertions.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Block = tuple
Script = Callable[[dict[str, Any]], list[Block]]


class FakeAnthropic:
    def __init__(self, script: Script):
        self.script = script
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                bearer = (self.headers.get("authorization") or "").removeprefix("Bearer ")
                fake.requests.append(
                    {
                        "path": self.path,
                        "body": body,
                        "api_key": self.headers.get("x-api-key") or bearer,
                    }
                )
                blocks = fake.script(body)
                if blocks and blocks[0][0] == "error":
                    self._error(*blocks[0][1:])
                    return
                if blocks and blocks[0][0] == "stall":
                    time.sleep(blocks[0][1])
                    return
                if body.get("stream"):
                    self._stream(body, blocks)
                else:
                    self._json(body, blocks)

            def _content(self, blocks: list[Block]) -> list[dict[str, Any]]:
                content = []
                for block in blocks:
                    if block[0] == "text":
                        content.append({"type": "text", "text": block[1]})
                    else:
                        content.append(
                            {
                                "type": "tool_use",
                                "id": f"toolu_{uuid.uuid4().hex[:12]}",
                                "name": block[1],
                                "input": block[2],
                            }
                        )
                return content

            def _error(self, status: int, kind: str, retry_after: str = "1") -> None:
                data = json.dumps(
                    {"type": "error", "error": {"type": kind, "message": f"fake {kind}"}}
                ).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("retry-after", retry_after)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stop(self, blocks: list[Block]) -> str:
                return "tool_use" if any(b[0] == "tool_use" for b in blocks) else "end_turn"

            def _json(self, body: dict[str, Any], blocks: list[Block]) -> None:
                data = json.dumps(
                    {
                        "id": f"msg_{uuid.uuid4().hex[:12]}",
                        "type": "message",
                        "role": "assistant",
                        "model": body["model"],
                        "content": self._content(blocks),
                        "stop_reason": self._stop(blocks),
                        "stop_sequence": None,
                        "usage": {"input_tokens": 50, "output_tokens": 20},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], blocks: list[Block]) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()

                def event(kind: str, data: dict[str, Any]) -> None:
                    payload = json.dumps({"type": kind, **data})
                    self.wfile.write(f"event: {kind}\ndata: {payload}\n\n".encode())
                    self.wfile.flush()

                event(
                    "message_start",
                    {
                        "message": {
                            "id": f"msg_{uuid.uuid4().hex[:12]}",
                            "type": "message",
                            "role": "assistant",
                            "model": body["model"],
                            "content": [],
                            "stop_reason": None,
                            "stop_sequence": None,
                            "usage": {"input_tokens": 50, "output_tokens": 1},
                        }
                    },
                )
                for index, block in enumerate(self._content(blocks)):
                    if block["type"] == "text":
                        event(
                            "content_block_start",
                            {"index": index, "content_block": {"type": "text", "text": ""}},
                        )
                        words = block["text"].split(" ")
                        for i, word in enumerate(words):
                            chunk = word + (" " if i < len(words) - 1 else "")
                            event(
                                "content_block_delta",
                                {"index": index, "delta": {"type": "text_delta", "text": chunk}},
                            )
                    else:
                        event(
                            "content_block_start",
                            {
                                "index": index,
                                "content_block": {
                                    "type": "tool_use",
                                    "id": block["id"],
                                    "name": block["name"],
                                    "input": {},
                                },
                            },
                        )
                        event(
                            "content_block_delta",
                            {
                                "index": index,
                                "delta": {
                                    "type": "input_json_delta",
                                    "partial_json": json.dumps(block["input"]),
                                },
                            },
                        )
                    event("content_block_stop", {"index": index})
                event(
                    "message_delta",
                    {
                        "delta": {"stop_reason": self._stop(blocks), "stop_sequence": None},
                        "usage": {"output_tokens": 20},
                    },
                )
                event("message_stop", {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def last_user_turn(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The content blocks of the newest user message (text, tool results)."""
    message = body["messages"][-1]
    content = message["content"]
    return [{"type": "text", "text": content}] if isinstance(content, str) else content
