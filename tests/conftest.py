"""Shared test setup: every test process gets its own SQLite database, outbox and secret."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="careconnect-tests-"))
os.environ.setdefault("CARECONNECT_SECRET_KEY", "test-secret-key-not-for-production")
os.environ["CARECONNECT_DEMO_ON_EMPTY"] = "false"


# Set by tests/run.sh once it has started PostgreSQL: the database tests then run on both.
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "")


def _database_kinds() -> list[str]:
    return ["sqlite", "postgres"] if POSTGRES_ADMIN_URL else ["sqlite"]


def _create_postgres_database() -> tuple[str, callable]:
    """A new empty PostgreSQL database; returns its URL and a function that drops it."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(params=_database_kinds())
def fresh_db(request, tmp_path, monkeypatch):
    """A migrated, empty database (SQLite, and PostgreSQL when available) and outbox for one test."""
    from careconnect_app import config, db
    from careconnect_app.messaging import backends

    drop = None
    if request.param == "postgres":
        url, drop = _create_postgres_database()
    else:
        url = f"sqlite:///{tmp_path / 'test.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CARECONNECT_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("CARECONNECT_BASE_URL", "https://sign.example.org")
    config.get_settings.cache_clear()
    db.reset_engine()
    backends.reset_backends()
    db.migrate()
    yield tmp_path
    db.reset_engine()
    backends.reset_backends()
    config.get_settings.cache_clear()
    if drop:
        drop()


@pytest.fixture
def make_request(fresh_db):
    """Build agency -> provider -> child + guardian -> submitted sheet; returns (request_id, token)."""
    from datetime import date, time

    from careconnect_app.db import session_scope
    from careconnect_app.models import (
        Agency, AttendanceEntry, AttendanceSheet, Child, ChildGuardian, Guardian, Provider,
    )
    from careconnect_app.portal import submission

    def build(*, requires_verification=True, locale="en", email="ana@example.com", phone="+15555550123",
              link_lifetime_days=14, guardians=1):
        with session_scope() as s:
            agency = Agency(name="Test Agency", requires_verification=requires_verification,
                            link_lifetime_days=link_lifetime_days)
            s.add(agency); s.flush()
            provider = Provider(agency_id=agency.id, name="Test Provider", email="provider@example.com",
                                phone="+15555550100")
            s.add(provider); s.flush()
            child = Child(provider_id=provider.id, first_name="Mateo", last_name="García")
            s.add(child); s.flush()
            for n in range(guardians):
                g = Guardian(provider_id=provider.id, first_name="Ana" if n == 0 else f"G{n}", last_name="García",
                             email=email if n == 0 else f"g{n}@example.com", phone=phone if n == 0 else "",
                             preferred_locale=locale, notify_email=bool(email), notify_sms=bool(phone))
                s.add(g); s.flush()
                s.add(ChildGuardian(child_id=child.id, guardian_id=g.id))
            sheet = AttendanceSheet(child_id=child.id, provider_id=provider.id,
                                    period_start=date(2026, 11, 2), period_end=date(2026, 11, 8))
            s.add(sheet); s.flush()
            s.add(AttendanceEntry(sheet_id=sheet.id, day=date(2026, 11, 2), check_in=time(8), check_out=time(12, 30)))
            s.add(AttendanceEntry(sheet_id=sheet.id, day=date(2026, 11, 2), check_in=time(13), check_out=time(17, 15)))
            s.add(AttendanceEntry(sheet_id=sheet.id, day=date(2026, 11, 3), absent=True, absence_reason="Sick"))
            s.add(AttendanceEntry(sheet_id=sheet.id, day=date(2026, 11, 4), check_in=time(7, 45), check_out=time(16)))
            s.flush()
            issued = submission.submit_sheet(s, sheet)
            links = [(i.request.id, i.url.rsplit("/", 1)[-1]) for i in issued]
        return links if guardians > 1 else links[0]

    return build


def cursive_strokes():
    """A realistic signature payload (two curvy strokes) in the pad's format."""
    import math

    first = [[round(0.05 + i * 0.012, 4), round(0.5 + 0.25 * math.sin(i / 3.0), 4), i * 16] for i in range(50)]
    second = [[round(0.7 + i * 0.01, 4), round(0.45 + 0.2 * math.cos(i / 2.0), 4), i * 16] for i in range(20)]
    return {"strokes": [first, second], "width": 354, "height": 200}
