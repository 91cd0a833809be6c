"""Schema migrations carry existing rows forward (run on a real SQLite file, no fixtures)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from careconnect_app.config import PROJECT_ROOT

ROWS = """
INSERT INTO agency (id, name, requires_verification, link_lifetime_days, period_type, submission_deadline_day,
  timezone, reminder_first_after_days, reminder_every_days, reminder_max_count, quiet_hours_start, quiet_hours_end,
  contact_phone, contact_email, created_at) VALUES (1, 'A', 1, 14, 'monthly', 5, 'UTC', 2, 3, 4, 20, 8, '', '', '2026-11-01');
INSERT INTO provider (id, agency_id, name, email, phone, address, created_at) VALUES (1, 1, 'P', '', '', '', '2026-11-01');
INSERT INTO child (id, provider_id, first_name, last_name, active, created_at) VALUES (1, 1, 'C', 'D', 1, '2026-11-01');
INSERT INTO guardian (id, provider_id, first_name, last_name, email, phone, preferred_locale, notify_email, notify_sms,
  sms_opted_out, email_undeliverable, email_undeliverable_reason, created_at)
  VALUES (1, 1, 'G', 'H', '', '', 'en', 1, 1, 0, 0, '', '2026-11-01'), (2, 1, 'I', 'H', '', '', 'en', 1, 1, 0, 0, '', '2026-11-01');
INSERT INTO attendancesheet (id, child_id, provider_id, period_start, period_end, status, version, created_at, updated_at)
  VALUES (1, 1, 1, '2026-10-01', '2026-10-31', 'signed', 2, '2026-11-01', '2026-11-01');
INSERT INTO signingrequest (id, sheet_id, guardian_id, token_hash, token_ciphertext, public_id, sheet_version,
  requires_verification, created_at, expires_at, status, dispute_text, in_person, failed_code_attempts,
  reminder_count, reference) VALUES
  (1, 1, 1, 'h1', '', 'p1', 2, 1, '2026-11-01', '2026-11-15', 'signed', '', 0, 0, 0, 'CC-1'),
  (2, 1, 2, 'h2', '', 'p2', 2, 1, '2026-11-01', '2026-11-15', 'superseded', '', 0, 0, 0, ''),
  (3, 1, 1, 'h3', '', 'p3', 1, 1, '2026-10-20', '2026-11-03', 'superseded', '', 0, 0, 0, '');
"""


def _old_database(tmp_path, revision: str, rows: list[str]):
    """(alembic config, engine) of a SQLite file at `revision`, holding `rows`."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, revision)
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in rows:
            conn.execute(text(statement))
    return cfg, engine


def test_0002_tells_closed_requests_from_replaced_ones(tmp_path):
    cfg, engine = _old_database(tmp_path, "0001", ROWS.strip().split(";\n"))
    command.upgrade(cfg, "0002")
    with engine.connect() as conn:
        statuses = dict(conn.execute(text("SELECT id, status FROM signingrequest")).all())
    engine.dispose()
    # Request 2 lost to request 1's signature on the same version; request 3 was replaced earlier.
    assert statuses == {1: "signed", 2: "closed", 3: "superseded"}


def test_0008_makes_existing_provider_logins_owners(tmp_path):
    agency_and_provider = ROWS.strip().split(";\n")[:2]
    cfg, engine = _old_database(tmp_path, "0002", agency_and_provider + [
        "INSERT INTO portaluser (id, email, name, password_hash, role, agency_id, provider_id, active, failed_logins, "
        "created_at) VALUES (1, 'p@x.org', '', 'h', 'provider', 1, 1, 1, 0, '2026-11-01'), "
        "(2, 'a@x.org', '', 'h', 'agency_admin', 1, NULL, 1, 0, '2026-11-01')"])
    command.upgrade(cfg, "0008")
    with engine.connect() as conn:
        owners = dict(conn.execute(text("SELECT id, is_owner FROM portaluser")).all())
        tables = {row[0] for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    engine.dispose()
    assert owners == {1: 1, 2: 0}
    assert "staffinvite" in tables
