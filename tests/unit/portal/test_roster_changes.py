"""Roster changes from the portal: only the user's own provider's records, checked, audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import Agency, AuditEvent, Child, Guardian, PortalUser, Provider
from careconnect_app.portal import roster_changes
from careconnect_app.portal.roster_changes import GuardianContact


@pytest.fixture
def two_providers(database):
    """Agency with providers A and B; a provider-staff login of A and an agency admin."""
    with session_scope() as s:
        agency = Agency(name="Ag")
        s.add(agency)
        s.flush()
        a, b = Provider(agency_id=agency.id, name="A"), Provider(agency_id=agency.id, name="B")
        s.add_all([a, b])
        s.flush()
        staff = PortalUser(email="staff@a.org", password_hash="x", role="provider", agency_id=agency.id,
                           provider_id=a.id)
        admin = PortalUser(email="admin@ag.org", password_hash="x", role="agency_admin", agency_id=agency.id)
        s.add_all([staff, admin])
        s.flush()
        return {"a": a.id, "b": b.id, "staff": staff.id, "admin": admin.id}


def _user(s, ids, who):
    return s.get(PortalUser, ids[who])


def test_staff_add_a_child_to_their_own_provider_whatever_they_send(two_providers):
    ids = two_providers
    with session_scope() as s:
        child, errors = roster_changes.add_child(s, _user(s, ids, "staff"), "Mateo", "García", "",
                                                 str(ids["b"]), ip="10.0.0.1")
        assert errors == {} and child.provider_id == ids["a"]
        assert s.exec(select(AuditEvent.event)).all() == ["child_added"]


def test_admin_chooses_a_provider_of_the_agency_and_must_choose_one(two_providers):
    ids = two_providers
    with session_scope() as s:
        child, _errors = roster_changes.add_child(s, _user(s, ids, "admin"), "Eva", "Lee", "", str(ids["b"]))
        assert child.provider_id == ids["b"]
        child, errors = roster_changes.add_child(s, _user(s, ids, "admin"), "", "Lee", "", "999")
        assert child is None and errors == {"first_name": "roster.error.required", "provider": "roster.error.provider"}


def test_guardian_added_edited_and_refused(two_providers):
    ids = two_providers
    contact = GuardianContact("Rosa", "García", "rosa@example.com", "", "es", True, False)
    with session_scope() as s:
        staff = _user(s, ids, "staff")
        child, _ = roster_changes.add_child(s, staff, "Mateo", "García", "")
        saved = roster_changes.save_guardian(s, staff, child.id, "", contact)
        assert (saved.guardian_name, saved.child_name) == ("Rosa García", "Mateo García")
        edited = roster_changes.save_guardian(s, staff, child.id, saved.guardian_id,
                                              GuardianContact("Rosa", "Ruiz", "rosa@example.com"))
        assert (edited.guardian_id, edited.guardian_name) == (saved.guardian_id, "Rosa Ruiz")
        assert s.get(Guardian, saved.guardian_id).last_name == "Ruiz"
        bad = roster_changes.save_guardian(s, staff, child.id, "", GuardianContact("Rosa", "R", "not-an-email"))
        assert bad.guardian_id == 0 and bad.errors == {"email": "roster.error.email"}
        other = Child(provider_id=ids["b"], first_name="Kid", last_name="B")
        outsider = Guardian(provider_id=ids["b"], first_name="Pat", last_name="B", email="pat@b.org")
        s.add_all([other, outsider])
        s.flush()
        assert roster_changes.save_guardian(s, staff, other.id, "", contact).no_child
        assert roster_changes.save_guardian(s, staff, child.id, outsider.id, contact).not_allowed
        events = s.exec(select(AuditEvent.event).order_by(AuditEvent.id)).all()
        assert events == ["child_added", "guardian_added", "guardian_updated"]
