"""Schema migrations carry existing rows forward (run on a real SQLite file, no fixtures)."""

from __future__ import annotations

import pytest
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlmodel import Session

from alembic import command
from careconnect_app.common import audit
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


MESSAGES = [
    "INSERT INTO outgoingmessage (id, channel, \"to\", subject, text, html, locale, kind, signing_request_id, sheet_id, "
    "status, attempts, next_attempt_at, claimed_by, backend, provider_message_id, last_error, created_at) VALUES "
    "(1, 'sms', '+15555550123', '', 'Sign: https://x.example/sign/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdE', '', "
    "'en', 'ready_to_sign', 1, 1, 'delivered', 1, '2026-11-01', '', 'file', 'f-1', '', '2026-11-01'), "
    "(2, 'sms', '+15555550123', '', 'CareConnect: your code is 482913. It expires in 10 min.', '', "
    "'en', 'verification_code', 1, 1, 'sent', 1, '2026-11-01', '', 'file', 'f-2', '', '2026-11-01')",
]


def test_0003_keeps_links_working_and_erases_stored_links_and_codes(tmp_path):
    cfg, engine = _old_database(tmp_path, "0001", ROWS.strip().split(";\n") + MESSAGES)
    command.upgrade(cfg, "0003")
    with engine.connect() as conn:
        tokens = conn.execute(text("SELECT signing_request_id, purpose, token_hash FROM linktoken ORDER BY id")).all()
        bodies = [row[0] for row in conn.execute(text("SELECT text FROM outgoingmessage ORDER BY id"))]
        columns = [row[1] for row in conn.execute(text("PRAGMA table_info(signingrequest)"))]
        in_person = conn.execute(text("SELECT allow_in_person_signing FROM agency")).scalar_one()
    engine.dispose()
    # Every link already sent still resolves: its hash moved to the token table.
    assert tokens == [(1, "sign", "h1"), (2, "sign", "h2"), (3, "sign", "h3")]
    assert "token_ciphertext" not in columns and "token_hash" not in columns
    assert bodies == ["Sign: https://x.example/sign/{{secret}}",
                      "CareConnect: your code is {{secret}}. It expires in 10 min."]
    assert in_person == 0  # off until the agency turns it on


def test_0003_stops_on_two_sheets_for_one_child_and_period(tmp_path):
    duplicate = ("INSERT INTO attendancesheet (id, child_id, provider_id, period_start, period_end, status, version, "
                 "created_at, updated_at) VALUES (2, 1, 1, '2026-10-01', '2026-10-31', 'draft', 1, '2026-11-01', "
                 "'2026-11-01')")
    cfg, engine = _old_database(tmp_path, "0001", ROWS.strip().split(";\n") + [duplicate])
    engine.dispose()
    with pytest.raises(RuntimeError, match=r"child 1 .*2 sheets"):
        command.upgrade(cfg, "0003")


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


EVENTS = """
INSERT INTO auditevent (id, created_at, event, actor, sheet_id, signing_request_id, user_id, ip, user_agent, channel,
  detail) VALUES
  (1, '2026-11-01 10:00:00.000000', 'submitted', 'provider', 1, NULL, NULL, '10.0.0.1', 'Firefox', '', '{"version": 2}'),
  (2, '2026-11-01 10:00:01.000000', 'portal_login', 'provider', NULL, NULL, NULL, '10.0.0.1', 'Firefox', '', ''),
  (3, '2026-11-02 09:00:00.250000', 'link_opened', 'parent', 1, 1, NULL, '198.51.100.7', 'Safari', '', ''),
  (4, '2026-11-02 09:05:00.000000', 'signed', 'parent', 1, 1, NULL, '198.51.100.7', 'Safari', 'sms', '{}');
"""


def test_0006_chains_the_events_written_before_it(tmp_path):
    cfg, engine = _old_database(tmp_path, "0008", (ROWS + EVENTS).strip().split(";\n"))
    command.upgrade(cfg, "0006")
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(text("SELECT id, prev_hash, hash FROM auditevent"))}
        heads = dict(conn.execute(text("SELECT chain, length FROM auditchainhead")).all())
    assert heads == {"sheet:1": 3, "global": 1}
    assert rows[1].prev_hash == "" and rows[3].prev_hash == rows[1].hash and rows[4].prev_hash == rows[3].hash
    assert rows[2].prev_hash == "" and all(len(r.hash) == 64 for r in rows.values())
    with Session(engine) as session:  # the hashes the migration wrote are the ones the app computes
        report = audit.check_all(session)
    assert report.ok and (report.chains, report.events) == (2, 4)
    command.downgrade(cfg, "0008")
    engine.dispose()
