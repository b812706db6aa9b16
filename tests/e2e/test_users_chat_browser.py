"""User administration in the chat (#20) in a real browser (Debian's Chromium) against
`gt serve`: a disable confirmed by an admin in the chat reaches the person's open chat within
seconds. A server of its own: it follows the sessions drills, which leave their server with
closed and refused chats behind."""

from __future__ import annotations

import json
import time

from tests.e2e.serving import gt, server_log
from tests.e2e.test_chat_browser import (  # noqa: F401  (fixtures are used by name)
    browser,
    say,
    server,
    sign_in,
)
from tests.e2e.test_sessions_browser import add, who_is

CUT = "41"  # Engine.IO message (4) carrying Socket.IO's DISCONNECT (1) of the main namespace


def test_an_admin_disables_a_signed_in_editor_from_the_chat(server, browser):  # noqa: F811
    url, env = server
    add(env, "ida@genthrust.test", "admin")
    add(env, "eve@genthrust.test", "editor")
    editor = sign_in(browser, url, "eve@genthrust.test")  # a browser context of her own
    # her chat's connection, watched from a fresh page load
    with editor.expect_websocket(lambda ws: "socket.io" in ws.url, timeout=30_000) as opened:
        editor.reload()
    chat = opened.value
    received: list[str | bytes] = []
    chat.on("framereceived", lambda payload: received.append(payload))
    editor.get_by_text("Overdue ROs").wait_for()
    assert not chat.is_closed()

    admin = sign_in(browser, url, "ida@genthrust.test")
    say(admin, "disable eve@genthrust.test")
    admin.get_by_text("Disable eve@genthrust.test").first.wait_for()  # the card: who, old -> new
    assert who_is(url, editor).status_code == 200  # nothing happens before Confirm
    assert not chat.is_closed()
    admin.get_by_role("button", name="Confirm").last.click()
    admin.get_by_text("eve@genthrust.test is disabled", exact=False).last.wait_for()
    started = time.monotonic()

    # The sweep cuts Eve's open chat from the server side within seconds (every
    # GT_SESSION_CHECK_SECONDS; the bound leaves room for a loaded test machine): Socket.IO's
    # disconnect ("41") reaches her socket, or the socket closes. The packet is the server's
    # act; the close that follows is the browser's, whose closing handshake may lag a busy server.
    while not (chat.is_closed() or CUT in received) and time.monotonic() - started < 30:
        editor.wait_for_timeout(100)
    assert chat.is_closed() or CUT in received, (
        f"her chat stayed open; the server said:\n{server_log(env)}"
    )
    # ...and it cannot come back: the next page load is the sign-in form.
    assert who_is(url, editor).status_code == 401
    editor.reload()
    editor.locator("#email").wait_for()
    assert "/login" in editor.url
    listed = {u["email"]: u for u in json.loads(gt(env, "users", "list", "--json"))}
    assert listed["eve@genthrust.test"]["is_active"] is False
    assert who_is(url, admin).status_code == 200  # the admin's own chat goes on
