"""The README's first command, as a user meets it: `gt serve` on an empty embedded database."""

import os

import httpx
from sqlalchemy import create_engine, text

from tests.e2e.serving import running_app


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
        engine.dispose()


def test_sigterm_to_gt_serve_stops_the_chainlit_child_too(tmp_path):
    import contextlib
    import signal
    import socket
    import subprocess
    import sys
    import time

    from tests.e2e.serving import PROJECT, free_port, wait_until_serving

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
