"""Graph's pre-authenticated URLs (download links, upload sessions) never reach an INFO log:
httpx would log each request's full URL there."""

from __future__ import annotations

import logging

import httpx

import integrations.microsoft.graph  # noqa: F401  (importing it sets the level)


def test_httpx_request_lines_stay_out_of_info_logs(caplog):
    caplog.set_level(logging.INFO)  # the root at INFO, as a worker's logging is
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    secret = "https://files.example/download?tempauth=bearer-secret"
    with httpx.Client(transport=transport) as client:
        client.get(secret)
    assert "bearer-secret" not in caplog.text
