"""The schema: Alembic's migrations build exactly what the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from careconnect_app.db import get_engine


def test_migrations_match_the_models(database):
    """Alembic's autogenerate finds nothing to do after `upgrade head`: no forgotten migration."""
    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
