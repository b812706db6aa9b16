"""The chat's websocket (Chainlit's uvicorn, `ws="auto"`) runs on the `websockets` package's
sans-I/O protocol, not on wsproto's pure-Python one: 6 % less CPU per chat turn (#19,
`bench.chat_ab --base . --env UVICORN_WS_PROTOCOL=wsproto`). uvicorn picks it by itself only
while the package is installed."""

from uvicorn.protocols.websockets.auto import AutoWebSocketsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


def test_the_chat_websocket_is_the_websockets_packages_protocol():
    assert AutoWebSocketsProtocol is WebSocketsSansIOProtocol
