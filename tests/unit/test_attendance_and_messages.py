"""Attendance rules, message templates and translations."""

from __future__ import annotations

import json
import re
import string
from datetime import date, time
from pathlib import Path

import pytest
from sqlmodel import select

from careconnect_app.common.formatting import format_minutes
from careconnect_app import i18n
from careconnect_app.db import session_scope
from careconnect_app.models import OutgoingMessage
from careconnect_app import attendance

ROOT = Path(__file__).resolve().parents[2]
P = date(2026, 11, 2), date(2026, 11, 8)


@pytest.mark.parametrize(
    ("day", "pairs", "absent", "expected"),
    [
        (date(2026, 11, 3), [(time(8), time(12))], False, []),
        (date(2026, 11, 9), [(time(8), time(12))], False, ["attendance.error.outside_period"]),
        (date(2026, 11, 3), [(time(12), time(8))], False, ["attendance.error.out_before_in"]),
        (date(2026, 11, 3), [(time(8), time(12)), (time(11), time(15))], False, ["attendance.error.overlap"]),
        (date(2026, 11, 3), [(time(8), time(12)), (time(12), time(15))], False, []),
        (date(2026, 11, 3), [(time(8), None)], False, ["attendance.error.incomplete_pair"]),
        (date(2026, 11, 3), [(time(8), time(9))], True, ["attendance.error.absent_with_times"]),
    ],
)
def test_validate_day(day, pairs, absent, expected):
    assert attendance.validate_day(day, pairs, absent, *P) == expected


def test_totals_and_formatting():
    days = [attendance.Day(date(2026, 11, 2), pairs=[(time(8), time(12, 30)), (time(13), time(17, 15))]),
            attendance.Day(date(2026, 11, 3), absent=True, absence_reason="Sick")]
    tot = attendance.totals(days)
    assert (tot.minutes, tot.days_present, tot.days_absent) == (525, 1, 1)
    assert format_minutes(525) == "8:45"
    assert attendance.parse_time("1:05 pm") == time(13, 5) and attendance.parse_time("") is None
    with pytest.raises(ValueError):
        attendance.parse_time("25:99")


def _placeholders(text):
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_locales_have_the_same_keys_and_placeholders():
    en, es = i18n.catalog("en"), i18n.catalog("es")
    assert set(en) == set(es)
    for key in en:
        if ".format." in key:  # date/time patterns legitimately differ (12 h vs 24 h clocks)
            continue
        assert _placeholders(en[key]) == _placeholders(es[key]), key


def test_parent_pages_have_no_untranslated_spanish_strings():
    en, es = i18n.area("en", "parent"), i18n.area("es", "parent")
    same = {k for k in en if en[k] == es[k] and not re.fullmatch(r"[\W\d_]*|\{.*\}.*", en[k])}
    # Only proper names may be the same in both languages.
    assert same <= {"app_name"} or same == set(), same


def test_ready_to_sign_goes_to_each_channel_in_the_guardians_language(make_request):
    make_request(locale="es")
    with session_scope() as s:
        messages = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "ready_to_sign")).all()
    by_channel = {m.channel: m for m in messages}
    assert set(by_channel) == {"email", "sms"}
    email, sms = by_channel["email"], by_channel["sms"]
    assert email.to == "ana@example.com" and sms.to == "+15555550123"
    assert "lista para su firma" in email.subject and email.locale == "es"
    assert "https://sign.example.org/sign/" in email.text and "https://sign.example.org/sign/" in email.html
    assert 'lang="es"' in email.html and "Revisar y firmar" in email.html
    assert "https://sign.example.org/sign/" in sms.text and len(sms.text) <= 306


def test_guardian_without_email_is_texted_only(make_request):
    make_request(email="")
    with session_scope() as s:
        channels = {m.channel for m in s.exec(select(OutgoingMessage)).all()}
    assert channels == {"sms"}


def test_migrations_match_the_models(fresh_db):
    """Alembic's autogenerate finds nothing to do after `upgrade head`: no forgotten migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from careconnect_app.db import get_engine

    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_demo_goes_through_submission_and_writes_the_outbox(fresh_db):
    from careconnect_app.__main__ import main

    assert main(["demo", "--json"]) == 0
    lines = [json.loads(x) for x in (fresh_db / "outbox.jsonl").read_text().splitlines()]
    assert {m["kind"] for m in lines} == {"ready_to_sign"}
    assert {m["locale"] for m in lines} == {"en", "es"}
    assert main(["demo"]) == 1  # refuses to seed a database that has data
