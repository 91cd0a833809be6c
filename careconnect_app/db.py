"""Database engine, sessions and schema migrations (Alembic), with no Reflex import."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from careconnect_app.config import PROJECT_ROOT, get_settings

_engine: Engine | None = None
_engine_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the delivery worker and the app write side by side; FKs on as in PostgreSQL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def get_engine() -> Engine:
    """The process-wide engine for DATABASE_URL."""
    global _engine
    with _engine_lock:
        if _engine is None:
            url = get_settings().database_url
            if url.startswith("sqlite"):
                engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = create_engine(url, pool_pre_ping=True)
            _engine = engine
        return _engine


def reset_engine() -> None:
    """Forget the engine (tests switch DATABASE_URL between runs)."""
    global _engine
    with _engine_lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


def alembic_config():
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", get_settings().database_url.replace("%", "%%"))
    return cfg


@contextmanager
def startup_lock() -> Iterator[None]:
    """Serialise start-up work (migrations, demo seeding) across the backend's worker processes.

    PostgreSQL: an advisory lock, which also covers workers on other hosts. SQLite: a file lock
    beside the project (SQLite databases are local to one machine anyway).
    """
    url = get_settings().database_url
    if url.startswith("postgresql"):
        from sqlalchemy import text

        with get_engine().connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(74210531)"))
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(74210531)"))
                conn.commit()
        return
    import fcntl

    lock_path = PROJECT_ROOT / ".careconnect" / "startup.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate() -> None:
    """Bring the schema to the newest Alembic revision (safe to call at every start)."""
    from alembic import command

    with startup_lock():
        command.upgrade(alembic_config(), "head")
