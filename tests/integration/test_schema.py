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
