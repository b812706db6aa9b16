"""Shared fixtures: databases (SQLite always; MariaDB when reachable, required under CI=true).

Database tests run on SQLite. Tests whose behaviour can differ by dialect (transactions, locks
and concurrency, collations, bulk loads, migrations, domain service writes, SQL aggregations,
the chat data layer) are marked `dialect` (a test, or a module's `pytestmark`) and run on
MariaDB as well; `-m "not mariadb"` leaves the MariaDB cases out.

Tests that need a service call `require_service`: locally a missing service skips with a reason
shown in the summary; in CI (`CI=true`) it fails the test, so a green CI run means it really ran.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from bootstrap import bootstrap
from config import load_settings
from domain.db import make_engine, with_mysql_driver
from domain.migrate import upgrade
from domain.models import Base
from jobs.app import App

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# a mysql:// URL on the driver production gets (domain.db.mysql_driver)
MARIADB_SERVER_URL = with_mysql_driver(
    os.environ.get("GT_TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306")
)


def _redis_test_url() -> str:
    """DB 15, or under pytest-xdist one database per worker counting down from 15 (gw0 -> 15,
    gw1 -> 14, ...), since each worker empties its own before and after every test."""
    url = os.environ.get("GT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit():
        base, _, db = url.rpartition("/")
        url = f"{base}/{int(db) - int(worker[2:])}"
    return url


REDIS_TEST_URL = _redis_test_url()
TODAY = date(2026, 11, 20)  # a Friday; every test's "today", so dates in assertions are stable


def require_service(name: str, reachable: bool, detail: str = "") -> None:
    if reachable:
        return
    message = f"{name} is not reachable{': ' + detail if detail else ''}"
    if IN_CI:
        pytest.fail(f"{message} — CI=true requires it", pytrace=False)
    pytest.skip(f"{message} (start it to run these tests; CI requires it)")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def mariadb_url() -> Iterator[str]:
    """A fresh, migrated MariaDB database for this test run, dropped at the end."""
    server = create_engine(MARIADB_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text("SELECT 1"))
        error = ""
    except Exception as exc:
        error = str(exc).splitlines()[0]
    require_service("MariaDB at " + MARIADB_SERVER_URL.split("@")[-1], not error, error)
    name = f"gt_test_{uuid.uuid4().hex[:10]}"
    with server.connect() as conn:
        conn.execute(
            text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        )
    url = f"{MARIADB_SERVER_URL}/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
    server.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`db_url` (directly or through `app`, `run_gt`, ...) is SQLite; a test or module marked
    `dialect` runs on MariaDB as well. The MariaDB case carries the `mariadb` mark."""
    if "db_url" not in metafunc.fixturenames:
        return
    params: list = ["sqlite"]
    if metafunc.definition.get_closest_marker("dialect") is not None:
        params.append(pytest.param("mariadb", marks=pytest.mark.mariadb))
    metafunc.parametrize("db_url", params, indirect=True)


@pytest.fixture
def db_url(request, tmp_path, sqlite_template) -> Iterator[str]:
    """A migrated, empty database: a SQLite copy, or the run's MariaDB database emptied."""
    if getattr(request, "param", "sqlite") == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("mariadb_url")
    engine = make_engine(url)
    _wipe(engine)
    engine.dispose()
    yield url


@pytest.fixture
def app(db_url, tmp_path) -> Iterator[App]:
    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var")
    application = bootstrap(settings, today=lambda: TODAY)
    yield application
    application.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path, sqlite_template) -> Iterator[App]:
    """SQLite only, for tests about behaviour rather than the database."""
    path = tmp_path / "only.db"
    shutil.copy(sqlite_template, path)
    settings = load_settings(database_url=f"sqlite:///{path}", var_dir=tmp_path / "var")
    application = bootstrap(settings, today=lambda: TODAY)
    yield application
    application.engine.dispose()


@pytest.fixture
def run_gt(db_url, tmp_path, monkeypatch):
    """Run `gt ...` in-process against the test database; returns (exit_code, stdout, stderr)."""
    from typer.testing import CliRunner

    import config
    from cli import cli

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("GT_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("GT_CLI_USER", raising=False)
    config.get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None):
        config.get_settings.cache_clear()
        result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    yield run
    config.get_settings.cache_clear()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis database (DB 15, or the xdist worker's own), emptied before and after;
    never any other database."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
        error = ""
    except redis.RedisError as exc:
        error = str(exc).splitlines()[0]
    require_service("Redis at " + REDIS_TEST_URL, not error, error)
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()
