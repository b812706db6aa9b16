"""The README's first command, as a user meets it: `gt serve` on an empty embedded database."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

PROJECT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_migrates_seeds_demo_data_and_serves_the_chat(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {"GT_VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        page = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert page is not None, "the chat never answered"
        assert page.status_code == 200
        assert '<div id="root">' in page.text or "root" in page.text
        engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'ro-tracker.db'}")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM repair_orders")).scalar() >= 600
            assert (
                conn.execute(text("SELECT COUNT(DISTINCT archive) FROM repair_orders")).scalar()
                == 4
            )
            assert conn.execute(text("SELECT COUNT(*) FROM shops")).scalar() >= 25
        engine.dispose()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
