"""The schema: Alembic's migrations build exactly what the models describe; units of work ride out a
database restart."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

from careconnect_app import db
from careconnect_app.db import get_engine


def test_migrations_match_the_models(database):
    """Alembic's autogenerate finds nothing to do after `upgrade head`: no forgotten migration."""
    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


# ---- a unit of work rides out a database restart ----------------------------------------------


def _dropped() -> OperationalError:
    error = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
    error.connection_invalidated = True
    return error


def test_work_is_run_again_after_a_dropped_connection_and_kept_once(database):
    tries = []

    def work(session):
        tries.append(1)
        session.execute(text("CREATE TABLE IF NOT EXISTS once_only (n INTEGER)"))
        session.execute(text("INSERT INTO once_only VALUES (1)"))
        if len(tries) == 1:
            raise _dropped()  # as if PostgreSQL restarted under this statement
        return "done"

    assert db.run_in_session(work) == "done" and len(tries) == 2
    with db.session_scope() as s:  # the first try was rolled back: one row
        assert s.execute(text("SELECT count(*) FROM once_only")).scalar() == 1


def test_a_database_that_stays_away_is_reported_plainly(database):
    def work(_session):
        raise _dropped()

    with pytest.raises(db.DatabaseUnavailable) as caught:
        db.run_in_session(work, retry_for=0.5)
    assert not caught.value.maybe_committed


def test_a_programming_error_is_not_retried(database):
    tries = []

    def work(session):
        tries.append(1)
        session.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(Exception) as caught:
        db.run_in_session(work)
    assert not isinstance(caught.value, db.DatabaseUnavailable) and len(tries) == 1
