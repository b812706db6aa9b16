"""A load generator's HTTP/1.1 client: one keep-alive connection, GET only, bodies by
Content-Length (what uvicorn sends for the API's answers).

httpx costs about 2 ms of CPU per request; on the 2-core machine, where the clients run beside
the server, that is most of a core taken from the server being measured. This costs a tenth of
that, so a benchmark measures the server rather than its clients.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


class HttpError(Exception):
    """An answer this client does not read (no Content-Length, a closed connection)."""


class KeepAliveConnection:
    def __init__(self, base_url: str, headers: dict[str, str]):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": parts.netloc, **headers}.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        """(status, body) of `GET path`."""
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(f"GET {path} HTTP/1.1\r\n{self._head}\r\n".encode())
        try:
            head = await self._reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            await self.close()
            raise HttpError("the server closed the connection") from exc
        status_line, *lines = head.decode("latin-1").split("\r\n")
        length = None
        for line in lines:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length is None:
            await self.close()
            raise HttpError(f"no Content-Length in the answer to {path}")
        body = await self._reader.readexactly(length)
        return int(status_line.split(" ", 2)[1]), body

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = self._reader = None
