"""Finding 2: a provider editing a guardian's contact while a request is open cannot redirect codes unnoticed."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import AuditEvent, ContactChange, Guardian, OutgoingMessage, PortalUser
from careconnect_app.portal import accounts, contact_changes, roster_changes
from careconnect_app.portal.roster_changes import GuardianContact
from careconnect_app.signing import verification
from tests.fakes.data import make_family


@pytest.fixture
def open_family(database):
    """A family with a pending signing request, the provider's staff login and an agency admin."""
    with session_scope() as s:
        family = make_family(s, email="ana@example.com", phone="+15555550123")
        staff = accounts.create_user(s, email="staff@sprouts.example", name="Staff", password="password-staff-1",
                                     role="provider", agency_id=family.agency.id, provider_id=family.provider.id)
        admin = accounts.create_user(s, email="admin@valley.example", name="Admin", password="password-admin-1",
                                     role="agency_admin", agency_id=family.agency.id)
        return {"guardian": family.guardian.id, "child": family.child.id, "sheet": family.sheet.id,
                "request": family.request.id, "agency": family.agency.id, "staff": staff.id, "admin": admin.id}


def _edit(ids, email="mallory@evil.example", phone="+15555550999", who="staff"):
    contact = GuardianContact("Ana", "García", email, phone, "en", True, True)
    with session_scope() as s:
        return roster_changes.save_guardian(s, s.get(PortalUser, ids[who]), ids["child"], ids["guardian"], contact,
                                            ip="10.0.0.5")


def _require_approval(ids):
    with session_scope() as s:
        from careconnect_app.models import Agency

        agency = s.get(Agency, ids["agency"])
        agency.require_contact_change_approval = True
        s.add(agency)


def test_change_during_an_open_request_tells_the_old_contact_and_goes_on_the_sheet_trail(open_family):
    ids = open_family
    saved = _edit(ids)
    assert saved.guardian_id and not saved.contact_pending and len(saved.message_ids) == 2
    with session_scope() as s:
        told = {m.to: m for m in s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "contact_changed"))}
        assert set(told) == {"ana@example.com", "+15555550123"}  # the OLD contacts
        assert "m***@evil.example" in told["ana@example.com"].text and "mallory" not in told["ana@example.com"].text
        assert "(***) ***-0999" in told["+15555550123"].text
        event = s.exec(select(AuditEvent).where(AuditEvent.event == "contact_changed")).one()
        assert event.sheet_id == ids["sheet"] and event.signing_request_id == ids["request"]
        detail = json.loads(event.detail)
        assert detail["email"] == "a***@example.com → m***@evil.example"
        assert detail["sms"] == "(***) ***-0123 → (***) ***-0999"
        assert s.get(Guardian, ids["guardian"]).email == "mallory@evil.example"


def test_with_approval_required_codes_keep_going_to_the_old_contact(open_family):
    ids = open_family
    _require_approval(ids)
    saved = _edit(ids)
    assert saved.contact_pending
    with session_scope() as s:
        guardian = s.get(Guardian, ids["guardian"])
        assert (guardian.email, guardian.phone) == ("ana@example.com", "+15555550123")
        assert verification.destination(guardian, "email") == "ana@example.com"
        assert s.exec(select(AuditEvent).where(AuditEvent.event == "contact_change_requested")).one().sheet_id == ids["sheet"]
        change = s.exec(select(ContactChange)).one()
        assert change.status == "pending" and change.new_email == "mallory@evil.example"
        sms = s.exec(select(OutgoingMessage).where(OutgoingMessage.to == "+15555550123")).one()
        assert "approve" in sms.text


def test_admin_approves_or_denies_and_it_is_audited(open_family):
    ids = open_family
    _require_approval(ids)
    _edit(ids)
    with session_scope() as s:
        staff, admin = s.get(PortalUser, ids["staff"]), s.get(PortalUser, ids["admin"])
        assert contact_changes.pending_for(s, staff) == []  # provider staff cannot see or decide
        pending = contact_changes.pending_for(s, admin)
        assert len(pending) == 1 and pending[0].changes[0] == ("email", "a***@example.com", "m***@evil.example")
        assert contact_changes.decide(s, staff, pending[0].id, True) == "portal.approvals.error.missing"
    with session_scope() as s:
        assert contact_changes.decide(s, s.get(PortalUser, ids["admin"]), pending[0].id, True, ip="10.9.0.1") == ""
    with session_scope() as s:
        assert s.get(Guardian, ids["guardian"]).email == "mallory@evil.example"
        assert contact_changes.decide(s, s.get(PortalUser, ids["admin"]), pending[0].id, False) == \
            "portal.approvals.error.decided"
        on_sheet = s.exec(select(AuditEvent).where(AuditEvent.event == "contact_change_approved",
                                                   AuditEvent.sheet_id == ids["sheet"])).one()
        assert on_sheet.actor == "agency" and on_sheet.ip == "10.9.0.1"


def test_denied_change_leaves_the_contact_of_record(open_family):
    ids = open_family
    _require_approval(ids)
    _edit(ids)
    with session_scope() as s:
        admin = s.get(PortalUser, ids["admin"])
        assert contact_changes.decide(s, admin, contact_changes.pending_for(s, admin)[0].id, False) == ""
    with session_scope() as s:
        assert s.get(Guardian, ids["guardian"]).email == "ana@example.com"
        assert s.exec(select(AuditEvent).where(AuditEvent.event == "contact_change_denied")).all()


def test_another_agencys_admin_cannot_decide(open_family):
    ids = open_family
    _require_approval(ids)
    _edit(ids)
    with session_scope() as s:
        from careconnect_app.models import Agency

        other = Agency(name="Other")
        s.add(other)
        s.flush()
        stranger = accounts.create_user(s, email="admin@other.example", name="X", password="password-other-1",
                                        role="agency_admin", agency_id=other.id)
        change = s.exec(select(ContactChange)).one()
        assert contact_changes.pending_for(s, stranger) == []
        assert contact_changes.decide(s, stranger, change.id, True) == "portal.approvals.error.missing"


def test_no_open_request_is_a_plain_edit(open_family):
    ids = open_family
    with session_scope() as s:
        from careconnect_app.models import SigningRequest

        request = s.get(SigningRequest, ids["request"])
        request.status = "signed"
        s.add(request)
    saved = _edit(ids)
    assert saved.message_ids == [] and not saved.contact_pending
    with session_scope() as s:
        assert not s.exec(select(AuditEvent).where(AuditEvent.event == "contact_changed")).all()


def test_unchanged_contacts_send_nothing(open_family):
    ids = open_family
    assert _edit(ids, email="ana@example.com", phone="+15555550123").message_ids == []
