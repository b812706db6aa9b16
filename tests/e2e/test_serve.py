"""The README's first command, as a user meets it: `gt serve` on an empty embedded database."""

import os
import time

import httpx
from sqlalchemy import create_engine, text

from tests.e2e.serving import PROJECT, desk_env, files_under, running_app


def test_serve_migrates_seeds_demo_data_and_serves_the_chat(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {"GT_VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    with running_app(env) as url:
        page = httpx.get(url, timeout=5)
        assert page.status_code == 200
        assert '<div id="root">' in page.text
        engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'ro-tracker.db'}")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM repair_orders")).scalar() >= 600
            archives = conn.execute(text("SELECT COUNT(DISTINCT archive) FROM repair_orders"))
            assert archives.scalar() == 4
            assert conn.execute(text("SELECT COUNT(*) FROM shops")).scalar() >= 25
            assert conn.execute(text("SELECT COUNT(*) FROM inventory_items")).scalar() >= 1000
            assert (
                conn.execute(text("SELECT COUNT(*) FROM users WHERE role = 'admin'")).scalar() == 1
            )
            # the demo's shops' replies are read before the chat opens: proposals wait in it
            waiting = "SELECT COUNT(*) FROM approvals WHERE tool_name = 'email_reply'"
            assert conn.execute(text(waiting)).scalar() >= 4
        engine.dispose()


def test_sigterm_to_gt_serve_stops_the_chainlit_child_too(tmp_path):
    import contextlib
    import signal
    import socket
    import subprocess
    import sys
    import time

    from tests.e2e.serving import free_port, wait_until_serving

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {"GT_VAR_DIR": str(tmp_path / "var")}
    port = free_port()
    gt = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: what is left of it afterwards is an orphan
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", gt)
        gt.send_signal(signal.SIGTERM)  # to gt itself, as a service manager would
        gt.wait(20)
        time.sleep(0.5)
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, "the port is still served"
        try:
            os.killpg(gt.pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        assert not alive, "a process of gt serve outlived it"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(gt.pid, signal.SIGKILL)


def test_the_first_screen_is_one_box_with_where_to_sign_in_and_the_password(tmp_path):
    """What `scripts/run` shows a new user: a box with the address and the first account's
    password (once), every line whole; then nothing while pages load, the logo and favicon
    are fetched, someone signs in and reads the welcome text in another language."""
    import re

    env = desk_env(tmp_path / "var")
    env.pop("COLUMNS", None)  # the box is as wide as a new user's terminal would make it
    output = tmp_path / "var" / "serve.log"  # running_app's record of what gt serve printed
    with running_app(env) as url:
        port = int(url.rsplit(":", 1)[1])
        screen = output.read_text()
        found = re.search(r"Password\s+(\S+) \(shown only this once\)", screen)
        assert found, screen
        with httpx.Client(base_url=url, timeout=10) as client:
            for path in ("/", "/login", "/logo?theme=light", "/logo?theme=dark", "/favicon"):
                assert client.get(path).status_code == 200, path
            signed_in = client.post(
                "/login",
                data={"username": "admin@ro-tracker.local", "password": found.group(1)},
            )
            assert signed_in.status_code == 200, signed_in.text
            settings = client.get("/project/settings", params={"language": "de-DE"})
            assert settings.status_code == 200
            assert "RO Tracker" in settings.json()["markdown"]
        time.sleep(1.0)  # let anything the server had to say about those reach the output
        # Chainlit's files directory (uploads, elements' data) is under the var directory
        assert (tmp_path / "var" / "chat-files").is_dir()
        # nothing under the project's own `.files` (a test importing chainlit in another
        # worker may have created it empty: chainlit.config makes it on import)
        assert not files_under(PROJECT / ".files")

    lines = [line for line in output.read_text().splitlines() if line.strip()]
    body = [line.strip("│ ") for line in lines[1:-1]]
    assert lines[0].startswith("╭─ RO Tracker ") and lines[-1].startswith("╰"), lines
    assert all(line.startswith("│") and line.endswith("│") for line in lines[1:-1]), lines
    assert len({len(line) for line in lines}) == 1 and len(lines[0]) <= 80  # one unbroken box
    assert body == [
        f"Sign in at http://127.0.0.1:{port}",
        "",
        "Email     admin@ro-tracker.local",
        f"Password  {found.group(1)} (shown only this once)",
        "",
        "Add people: gt users add EMAIL --role ROLE",
    ]
    assert output.read_text().count(found.group(1)) == 1
