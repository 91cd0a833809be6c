"""The one database fixture: every database test runs on SQLite, and on PostgreSQL when available.

``database`` gives each test a fresh, migrated, empty database with its own outbox file and the
settings of ``tests.fakes.data.BASE_ENV`` (secret key, base URL, file backends). Alembic runs once
per session and kind into a template: SQLite copies the template file, PostgreSQL creates each
test's database with ``CREATE DATABASE ... TEMPLATE``. ``tests.fakes.data.reconfigure`` changes
settings mid-test (e.g. to point a backend at a fake).

PostgreSQL runs when ``TEST_POSTGRES_URL`` names a server and a role that may create databases
(tests/run.sh sets it up); the tests are then parametrised ``[sqlite]`` and ``[postgres]``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.data import BASE_ENV
from tests.support.live_app import _playwright, app_server, browser, demo  # noqa: F401 (session fixtures for e2e and security)

os.environ.setdefault("CARECONNECT_SECRET_KEY", BASE_ENV["CARECONNECT_SECRET_KEY"])
os.environ["CARECONNECT_DEMO_ON_EMPTY"] = "false"


def _evidence_keys() -> None:
    """One set of evidence keys for the test run (never the checkout's development keys in .careconnect/)."""
    if os.environ.get("CARECONNECT_EVIDENCE_KEY_FILE"):
        return
    from careconnect_app.evidence.keys import write_key_files

    for variable, path in write_key_files(Path(tempfile.mkdtemp(prefix="cc-test-keys-"))).items():
        os.environ[variable] = path


_evidence_keys()

# Set by tests/run.sh once it has started PostgreSQL: the database tests then run on both.
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "")
DATABASE_KINDS = ["sqlite", "postgres"] if POSTGRES_ADMIN_URL else ["sqlite"]


@dataclass(frozen=True)
class Database:
    """What a test may need to know about its database."""

    kind: str  # "sqlite" or "postgres"
    url: str
    folder: Path  # the test's tmp_path: outbox and any other files

    @property
    def outbox(self) -> Path:
        return self.folder / "outbox.jsonl"


def _apply_settings(monkeypatch, url: str, folder: Path) -> None:
    from careconnect_app import config, db
    from careconnect_app.messaging import backends

    for key, value in {**BASE_ENV, "DATABASE_URL": url, "CARECONNECT_OUTBOX": str(folder / "outbox.jsonl")}.items():
        monkeypatch.setenv(key, value)
    config.get_settings.cache_clear()
    db.reset_engine()
    backends.reset_backends()


def _forget_settings() -> None:
    from careconnect_app import config, db
    from careconnect_app.messaging import backends, sent_news

    sent_news.forget()  # its LISTEN connection would hold the test's database
    db.reset_engine()
    backends.reset_backends()
    config.get_settings.cache_clear()


def _migrate(url: str, folder: Path) -> None:
    """Run Alembic to head on `url`, then close every connection to it."""
    from careconnect_app import db

    with pytest.MonkeyPatch.context() as mp:
        _apply_settings(mp, url, folder)
        db.migrate()
        _forget_settings()


class _SqliteTemplates:
    def __init__(self, folder: Path):
        self.template = folder / "template.db"
        _migrate(f"sqlite:///{self.template}", folder)

    def new(self, folder: Path) -> tuple[str, Callable[[], None]]:
        path = folder / "test.db"
        shutil.copy(self.template, path)
        return f"sqlite:///{path}", lambda: None

    def close(self) -> None:
        pass


class _PostgresTemplates:
    """A migrated template database; each test gets `CREATE DATABASE x TEMPLATE template`."""

    def __init__(self, folder: Path):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self._url = make_url(POSTGRES_ADMIN_URL)
        self._admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._prefix = f"cc_test_{uuid.uuid4().hex[:8]}"
        self.template = f"{self._prefix}_template"
        self._sql(f'CREATE DATABASE "{self.template}"')
        try:
            _migrate(self._url_of(self.template), folder)
        except BaseException:
            self.close()
            raise

    def _url_of(self, name: str) -> str:
        return self._url.set(database=name).render_as_string(hide_password=False)

    def _sql(self, statement: str) -> None:
        from sqlalchemy import text

        with self._admin.connect() as conn:
            conn.execute(text(statement))

    def new(self, folder: Path) -> tuple[str, Callable[[], None]]:
        name = f"{self._prefix}_{uuid.uuid4().hex[:12]}"
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url_of(name), lambda: self._drop(name)

    def _drop(self, name: str) -> None:
        """Drop a database; our engine is disposed, but autovacuum may still be in it.

        A plain DROP DATABASE stops an autovacuum worker itself; WITH (FORCE) cannot (the worker
        is not our role's process) but ends any connection of ours a test left open.
        """
        from sqlalchemy.exc import DBAPIError

        for attempt in range(5):
            try:
                self._sql(f'DROP DATABASE IF EXISTS "{name}"' + (" WITH (FORCE)" if attempt % 2 else ""))
                return
            except DBAPIError:
                if attempt == 4:
                    raise

    def close(self) -> None:
        self._drop(self.template)
        self._admin.dispose()


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory):
    """One migrated template per database kind, made when a test first asks for that kind."""
    made: dict[str, _SqliteTemplates | _PostgresTemplates] = {}

    def template(kind: str):
        if kind not in made:
            folder = tmp_path_factory.mktemp(f"template-{kind}")
            made[kind] = _PostgresTemplates(folder) if kind == "postgres" else _SqliteTemplates(folder)
        return made[kind]

    yield template
    for templates in made.values():
        templates.close()


@pytest.fixture(params=DATABASE_KINDS)
def database(request, database_templates, tmp_path, monkeypatch) -> Database:
    """A fresh migrated database (SQLite, and PostgreSQL when available), outbox and settings for one test."""
    url, drop = database_templates(request.param).new(tmp_path)
    _apply_settings(monkeypatch, url, tmp_path)
    try:
        yield Database(request.param, url, tmp_path)
    finally:
        _forget_settings()
        drop()


@pytest.fixture
def make_request(database):
    """Build agency -> provider -> child + guardian -> submitted sheet; returns (request_id, token)."""
    from tests.fakes.data import submitted_request

    return submitted_request
