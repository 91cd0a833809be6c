"""Where delivery runs by default: inside the web process in development and on SQLite, in
separate worker processes in production on PostgreSQL."""

from __future__ import annotations

import pytest

from careconnect_app import config


@pytest.fixture
def settings(monkeypatch):
    def read(**env: str) -> config.Settings:
        for key in ("CARECONNECT_ENV", "DATABASE_URL", "CARECONNECT_RUN_WORKER", "CARECONNECT_DB_POOL_SIZE"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("CARECONNECT_SECRET_KEY", "k" * 40)
        config.get_settings.cache_clear()
        return config.get_settings()

    yield read
    config.get_settings.cache_clear()


@pytest.mark.parametrize("env, database, in_app", [
    ("dev", "sqlite:///x.db", True),
    ("dev", "postgresql+psycopg://u:p@db/careconnect", True),
    ("prod", "sqlite:///x.db", True),
    ("prod", "postgresql+psycopg://u:p@db/careconnect", False),
])
def test_worker_in_the_web_process_only_in_development_and_on_sqlite(settings, env, database, in_app):
    assert settings(CARECONNECT_ENV=env, DATABASE_URL=database).run_worker_in_app is in_app


def test_an_explicit_choice_wins(settings):
    prod_pg = dict(CARECONNECT_ENV="prod", DATABASE_URL="postgresql+psycopg://u:p@db/careconnect")
    assert settings(**prod_pg, CARECONNECT_RUN_WORKER="true").run_worker_in_app is True
    assert settings(CARECONNECT_ENV="dev", CARECONNECT_RUN_WORKER="0").run_worker_in_app is False


def test_database_pool_size(settings):
    assert settings().db_pool_size == 16
    assert settings(CARECONNECT_DB_POOL_SIZE="6").db_pool_size == 6
    assert settings(CARECONNECT_DB_POOL_SIZE="0").db_pool_size == 1
