"""Agency settings: the form's checks, the stored values and the audit event that keeps the old ones."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import Agency, AuditEvent
from careconnect_app.portal import agency_settings


def test_accepts_values_in_range():
    settings, errors = agency_settings.check(False, " 21 ", "weekly", "28")
    assert errors == {}
    assert settings == agency_settings.AgencySettings(requires_verification=False, allow_in_person_signing=False,
                                                      link_lifetime_days=21, period_type="weekly",
                                                      submission_deadline_day=28)


@pytest.mark.parametrize("lifetime, deadline, period, wrong", [
    ("0", "5", "monthly", {"link_lifetime_days"}),
    ("61", "5", "monthly", {"link_lifetime_days"}),
    ("ten", "5", "monthly", {"link_lifetime_days"}),
    ("14", "29", "monthly", {"deadline_day"}),
    ("14", "", "monthly", {"deadline_day"}),
    ("14", "5", "daily", {"period_type"}),
    ("", "0", "yearly", {"link_lifetime_days", "deadline_day", "period_type"}),
])
def test_refuses_each_wrong_field_with_its_reason(lifetime, deadline, period, wrong):
    settings, errors = agency_settings.check(True, lifetime, period, deadline)
    assert settings is None
    assert set(errors) == wrong
    assert all(key.startswith("settings.error.") for key in errors.values())


def test_save_stores_and_audits_the_previous_values(database):
    with session_scope() as session:
        agency = Agency(name="Valley", requires_verification=True, link_lifetime_days=14, period_type="monthly",
                        submission_deadline_day=5)
        session.add(agency)
        session.flush()
        agency_id = agency.id
    new, _errors = agency_settings.check(False, "30", "weekly", "10", allow_in_person_signing=True)
    with session_scope() as session:
        agency_settings.save(session, session.get(Agency, agency_id), new, user_id=None, ip="10.0.0.1",
                             user_agent="test")
    with session_scope() as session:
        stored = session.get(Agency, agency_id)
        assert agency_settings.current(stored) == new and stored.allow_in_person_signing
        event = session.exec(select(AuditEvent).where(AuditEvent.event == "agency_settings_changed")).one()
        assert event.actor == "agency" and event.ip == "10.0.0.1"
        detail = json.loads(event.detail)
        assert detail == {"agency_id": agency_id, "before": {
            "requires_verification": True, "allow_in_person_signing": False, "link_lifetime_days": 14, "period_type": "monthly",
            "submission_deadline_day": 5, "require_provider_2fa": False,
            "require_contact_change_approval": False}}
