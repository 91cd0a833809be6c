"""A fresh migrated SQLite database per test, and families with a pending signing request.

`use_database(tmp_path, monkeypatch, **env)` migrates once per test session into a template
file and copies it for each test (Alembic on every test would be slow).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from careconnect_app import config, db
from careconnect_app.clock import utcnow
from careconnect_app.models import (
    Agency,
    AttendanceSheet,
    Child,
    ChildGuardian,
    Guardian,
    Provider,
    SigningRequest,
)

_template: Path | None = None
BASE_ENV = {
    "CARECONNECT_ENV": "dev",
    "CARECONNECT_SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
    "CARECONNECT_BASE_URL": "https://sign.careconnect.example.org",
    "CARECONNECT_DEMO_ON_EMPTY": "0",
    "CARECONNECT_RUN_WORKER": "0",
    "CARECONNECT_EMAIL_BACKEND": "file",
    "CARECONNECT_SMS_BACKEND": "file",
}


def _apply(monkeypatch, path: Path, env: dict) -> None:
    from careconnect_app.messaging import backends

    for key, value in {**BASE_ENV, "DATABASE_URL": f"sqlite:///{path}",
                       "CARECONNECT_OUTBOX": str(path.parent / "outbox.jsonl"), **env}.items():
        monkeypatch.setenv(key, value)
    config.get_settings.cache_clear()
    db.reset_engine()
    backends.reset_backends()


def use_database(tmp_path: Path, monkeypatch, **env: str) -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="cc-template-"))
        _template = folder / "template.db"
        with _MonkeyEnv() as mp:
            _apply(mp, _template, {})
            db.migrate()
            db.reset_engine()
    path = tmp_path / "test.db"
    shutil.copy(_template, path)
    _apply(monkeypatch, path, env)
    return path


def reconfigure(monkeypatch, **env: str) -> None:
    """Change settings mid-test (e.g. point at a fake that started later)."""
    from careconnect_app.messaging import backends

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config.get_settings.cache_clear()
    backends.reset_backends()


class _MonkeyEnv:
    def __enter__(self):
        import pytest

        self.mp = pytest.MonkeyPatch()
        return self.mp

    def __exit__(self, *exc):
        self.mp.undo()


@dataclass
class Family:
    agency: Agency
    provider: Provider
    child: Child
    guardian: Guardian
    sheet: AttendanceSheet
    request: SigningRequest
    token: str
    url: str


def make_family(session, *, email: str = "parent@example.com", phone: str = "+15555550123",
                locale: str = "en", notify_email: bool = True, notify_sms: bool = True,
                agency: Agency | None = None, now: datetime | None = None, child=("Mateo", "García"),
                guardian=("Ana", "García"), provider_name: str = "Little Sprouts Learning Center",
                **agency_fields) -> Family:
    """Agency, provider, child, guardian, a submitted sheet and a pending request (not notified)."""
    from careconnect_app.signing import links

    now = now or utcnow()
    if agency is None:
        agency = Agency(name="Valley Child Care Subsidy Program", **agency_fields)
        session.add(agency)
        session.flush()
    provider = Provider(agency_id=agency.id, name=provider_name, email="provider@example.com")
    session.add(provider)
    session.flush()
    kid = Child(provider_id=provider.id, first_name=child[0], last_name=child[1])
    parent = Guardian(provider_id=provider.id, first_name=guardian[0], last_name=guardian[1], email=email,
                      phone=phone, preferred_locale=locale, notify_email=notify_email, notify_sms=notify_sms)
    session.add_all([kid, parent])
    session.flush()
    session.add(ChildGuardian(child_id=kid.id, guardian_id=parent.id))
    start = (now - timedelta(days=40)).date().replace(day=1)
    sheet = AttendanceSheet(child_id=kid.id, provider_id=provider.id, period_start=start,
                            period_end=start + timedelta(days=27), status="ready_for_parent",
                            submitted_at=now)
    session.add(sheet)
    session.flush()
    request, token = links.issue(session, sheet, parent, agency, now=now)
    return Family(agency, provider, kid, parent, sheet, request, token, links.signing_url(token))


def notify(session, family: Family) -> list[int]:
    """Queue the ready-to-sign messages as a submission does."""
    from careconnect_app.messaging import compose

    return [m.id for m in compose.queue_ready_to_sign(session, family.request, family.url)]


__all__ = ["use_database", "reconfigure", "make_family", "notify", "Family", "date"]
