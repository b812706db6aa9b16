"""The HTTP API as the contract tests meet it: a real uvicorn on a loopback port, in this
process, one per test module, over a migrated database (SQLite or MariaDB) with one user and
one API token per role."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import Engine

from agent.rate_limit import WINDOW_S
from bootstrap import bootstrap
from config import load_settings
from domain.db import make_engine
from domain.errors import Conflict
from domain.models import Base
from domain.roles import Actor, Role
from jobs.app import App
from tests.conftest import TODAY
from tests.e2e.serving import free_port

OPERATOR = Actor("cli:test", Role.ADMIN, "cli")


def start_of_a_rate_window(margin_s: float = 5.0) -> None:
    """Wait, if need be, until the rate limit's fixed one-minute window has `margin_s` left, so
    a test's few requests are counted in one window (across a boundary the count starts again
    and the expected 429 never comes)."""
    left = WINDOW_S - time.time() % WINDOW_S
    if left < margin_s:
        time.sleep(left + 0.05)


ROLES = ("viewer", "editor", "approver", "admin")


@dataclass
class ApiServer:
    url: str
    app: App
    tokens: dict[str, str] = field(default_factory=dict)  # role -> token
    emails: dict[str, str] = field(default_factory=dict)  # role -> email

    def client(self, role: str | None = "editor", **headers: str) -> httpx.Client:
        if role is not None:
            headers = {"Authorization": f"Bearer {self.tokens[role]}", **headers}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)


def wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def database(kind: str, tmp: Path, sqlite_template: Path, request) -> str:
    if kind == "sqlite":
        path = tmp / "api.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("mariadb_url")
    engine = make_engine(url)
    wipe(engine)
    engine.dispose()
    return url


@contextmanager
def serving(asgi, timeout_s: float = 20) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def api_server(db_url: str, var_dir: Path, **settings) -> Iterator[ApiServer]:
    import web.api

    app = bootstrap(
        load_settings(database_url=db_url, var_dir=var_dir, **settings),
        process="test",
        today=lambda: TODAY,
    )
    found = ApiServer(url="", app=app)
    for role in ROLES:
        email = f"{role}@api.test"
        with contextlib.suppress(Conflict):  # a second server on the same database
            app.users.add(OPERATOR, email, role)
        found.emails[role] = email
        found.tokens[role] = app.api_tokens.create(OPERATOR, email, f"{role} tests")[1]
    with serving(web.api.build(app)) as url:
        found.url = url
        yield found
    app.engine.dispose()
