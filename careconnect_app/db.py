"""Database engine, sessions and schema migrations (Alembic), with no Reflex import."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any, Iterator, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session, create_engine

from careconnect_app.config import PROJECT_ROOT, get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")
_engine: Engine | None = None
_engine_lock = threading.Lock()
# How long a unit of work waits for the database to come back (a PostgreSQL restart takes a
# few seconds) before the caller is told; below Reflex's 10 s state lock.
RETRY_FOR_SECONDS = 6.0


class DatabaseUnavailable(RuntimeError):
    """The database did not answer; nothing of this unit of work was kept (or, when
    `maybe_committed`, the connection broke during COMMIT and the outcome is unknown)."""

    def __init__(self, message: str, *, maybe_committed: bool = False):
        super().__init__(message)
        self.maybe_committed = maybe_committed


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
            size = get_settings().db_pool_size
            if url.startswith("sqlite"):
                engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                                       pool_size=size, max_overflow=size)
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                # No pool_pre_ping (a round trip before every checkout, ~6 % of the app's CPU under
                # load): a connection a restart broke fails its first statement, SQLAlchemy then
                # discards the whole pool, and `run_in_session` runs the unit of work again.
                engine = create_engine(url, pool_size=size, max_overflow=size // 2, pool_recycle=1800,
                                       pool_timeout=20)
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


def _transient(exc: BaseException) -> bool:
    """A dropped or refused connection (server restarting), or SQLite busy: worth trying again."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    if get_settings().is_postgres:
        return True  # refused, closed, "starting up", "shutting down", serialization, deadlock
    return "locked" in str(exc.orig) or "busy" in str(exc.orig)  # not "no such table"


def run_in_session(fn: Callable[..., T], /, *args: Any, retry_for: float = RETRY_FOR_SECONDS, **kwargs: Any) -> T:
    """`fn(session, *args, **kwargs)` in one transaction, run again while the database restarts.

    Running again is safe because nothing of a failed try was committed. A connection lost
    during COMMIT itself is not retried (the first try may have been kept): the caller is told.
    """
    deadline = time.monotonic() + retry_for
    pause = 0.2
    while True:
        committing = False
        try:
            with Session(get_engine(), expire_on_commit=False) as session:
                try:
                    result = fn(session, *args, **kwargs)
                    committing = True
                    session.commit()
                    return result
                except BaseException:
                    session.rollback()
                    raise
        except (OperationalError, InterfaceError, DBAPIError) as exc:
            if not _transient(exc):
                raise
            if committing:
                raise DatabaseUnavailable("the connection broke during COMMIT", maybe_committed=True) from exc
            if time.monotonic() + pause > deadline:
                raise DatabaseUnavailable(f"the database did not answer for {retry_for:.0f} s") from exc
            log.warning("database unavailable (%s); trying again in %.1f s", type(exc).__name__, pause)
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


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
