"""Roster validation: names, email syntax, mobile numbers to E.164, channels and language."""

from __future__ import annotations

from datetime import date

from careconnect_app.db import session_scope
from careconnect_app.models import Agency, Provider
from careconnect_app.portal import roster


def _guardian(**over):
    values = dict(first_name="Ana", last_name="García", email="ana@example.com", phone="", preferred_locale="es",
                  notify_email=True, notify_sms=False)
    values.update(over)
    return roster.check_guardian(**values)


def test_phone_normalised_to_e164():
    assert roster.normalise_phone("(555) 201-0123") == "+15552010123"
    assert roster.normalise_phone("555.201.0123") == "+15552010123"
    assert roster.normalise_phone("+1 555 201 0123") == "+15552010123"
    assert roster.normalise_phone("+52 55 1234 5678") == "+525512345678"
    assert roster.normalise_phone("12") is None
    assert roster.normalise_phone("call me") is None
    assert roster.normalise_phone("") is None


def test_email_validated_and_normalised():
    assert roster.normalise_email("  Ana@Example.COM ") == "Ana@example.com"
    assert roster.normalise_email("not-an-email") is None
    assert roster.normalise_email("a@b") is None
    assert roster.normalise_email("two@@example.com") is None


def test_valid_guardian_is_clean():
    checked = _guardian(phone="(555) 201-0123", notify_sms=True)
    assert checked.ok, checked.errors
    assert checked.values["phone"] == "+15552010123"
    assert checked.values["email"] == "ana@example.com"
    assert checked.values["preferred_locale"] == "es"


def test_guardian_errors_are_per_field():
    checked = _guardian(first_name="  ", email="nope", phone="12", notify_sms=True)
    assert checked.errors == {"first_name": "roster.error.required", "email": "roster.error.email",
                              "phone": "roster.error.phone"}


def test_guardian_needs_a_contact_and_a_channel():
    assert _guardian(email="", phone="").errors["email"] == "roster.error.contact_needed"
    assert _guardian(notify_email=False, notify_sms=False).errors["channels"] == "roster.error.channel_needed"
    assert _guardian(notify_sms=True).errors["phone"] == "roster.error.phone_for_channel"
    assert _guardian(email="", phone="5552010123", notify_email=True).errors["email"] == "roster.error.email_for_channel"
    assert _guardian(preferred_locale="fr").errors["preferred_locale"] == "roster.error.locale"


def test_child_validation():
    ok = roster.check_child("Mateo", "García", "2022-03-10", today=date(2026, 11, 28))
    assert ok.ok and ok.values["date_of_birth"] == date(2022, 3, 10)
    assert roster.check_child("", "X").errors == {"first_name": "roster.error.required"}
    assert roster.check_child("A", "B", "2030-01-01", today=date(2026, 11, 28)).errors == {
        "date_of_birth": "roster.error.date"}
    assert roster.check_child("A", "B", "31/02/2020").errors == {"date_of_birth": "roster.error.date"}
    assert roster.check_child("A" * 81, "B").errors == {"first_name": "roster.error.too_long"}
    assert roster.check_child("  Mary   Ann ", "B").values["first_name"] == "Mary Ann"


def test_saving_links_guardian_to_child_and_provider(database):
    with session_scope() as s:
        agency = Agency(name="Ag")
        s.add(agency)
        s.flush()
        provider = Provider(agency_id=agency.id, name="P")
        s.add(provider)
        s.flush()
        child = roster.add_child(s, provider.id, roster.check_child("Mateo", "García"))
        guardian = roster.add_guardian(s, child, _guardian(phone="5552010123", notify_sms=True))
        assert guardian.provider_id == provider.id
        assert [g.id for g in roster.guardians_by_child(s, [child.id])[child.id]] == [guardian.id]
        guardian.email_undeliverable = True
        roster.update_guardian(s, guardian, _guardian(email="new@example.com"))
        assert guardian.email == "new@example.com" and not guardian.email_undeliverable
