"""Migrations build exactly the models' schema, on SQLite and MariaDB."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from domain.migrate import current_revision, upgrade
from domain.models import Base

pytestmark = pytest.mark.dialect  # migrations on each dialect


def test_migrations_match_the_models(app):
    with app.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_upgrade_is_idempotent(app):
    before = current_revision(app.engine)
    upgrade(app.engine)
    assert current_revision(app.engine) == before is not None


def test_the_newest_revision_is_alembics_head():
    from alembic.script import ScriptDirectory

    from domain.migrate import alembic_config, newest_revision

    assert newest_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_command_on_a_fresh_embedded_database_creates_it(tmp_path, monkeypatch):
    """A fresh laptop: `gt users add` before any `gt serve` or `gt demo seed`."""
    from typer.testing import CliRunner

    import config
    from cli import cli

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("GT_CLI_USER", raising=False)
    monkeypatch.setenv("GT_VAR_DIR", str(tmp_path / "var"))
    config.get_settings.cache_clear()
    try:
        added = CliRunner().invoke(
            cli, ["users", "add", "ed@genthrust.test", "--role", "editor", "--password", "x" * 12]
        )
        assert added.exit_code == 0, added.output
        listed = CliRunner().invoke(cli, ["users", "list", "--json"])
        assert "ed@genthrust.test" in listed.stdout
    finally:
        config.get_settings.cache_clear()


def test_a_command_on_a_server_database_without_tables_says_so_and_changes_nothing(
    mariadb_url, monkeypatch
):
    from sqlalchemy import create_engine, inspect, text
    from typer.testing import CliRunner

    import config
    from cli import cli

    server_url, name = mariadb_url.rsplit("/", 1)[0], f"{mariadb_url.rsplit('/', 1)[1]}_empty"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        monkeypatch.setenv("DATABASE_URL", f"{server_url}/{name}")
        monkeypatch.delenv("GT_CLI_USER", raising=False)
        config.get_settings.cache_clear()
        done = CliRunner().invoke(cli, ["ro", "list"])
        assert done.exit_code == 2
        assert "The database has no tables: run `gt db upgrade` first." in done.stderr
        assert "Traceback" not in done.output
        empty = create_engine(f"{server_url}/{name}")
        assert inspect(empty).get_table_names() == []
        empty.dispose()
    finally:
        config.get_settings.cache_clear()
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        server.dispose()
