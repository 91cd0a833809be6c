"""A child's record after it was added: edit, deactivate, reactivate, unlink a guardian; audited; frozen
while a sheet waits for the parent."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import AttendanceSheet, AuditEvent, Child, ChildGuardian, PortalUser
from careconnect_app.portal import child_changes, grid, roster, submission


def _user(s, email):
    return s.exec(select(PortalUser).where(PortalUser.email == email)).one()


def test_edit_records_what_changed(world):
    child_id = world["A"]["child"]
    with session_scope() as s:
        done = child_changes.edit_child(s, _user(s, "a@prov.example"), child_id, "Kiddo", "A", "2022-03-04",
                                        ip="10.0.0.1")
        assert not done.errors
        child = s.get(Child, child_id)
        assert (child.first_name, child.date_of_birth) == ("Kiddo", date(2022, 3, 4))
        event = s.exec(select(AuditEvent).where(AuditEvent.event == "child_updated")).one()
        detail = json.loads(event.detail)
        assert detail["before"] == {"first_name": "Kid", "date_of_birth": ""}
        assert detail["after"] == {"first_name": "Kiddo", "date_of_birth": "2022-03-04"}
        assert event.ip == "10.0.0.1" and detail["provider_id"] == world["A"]["provider"]
        bad = child_changes.edit_child(s, _user(s, "a@prov.example"), child_id, "", "A", "3000-01-01")
        assert bad.errors == {"first_name": "roster.error.required", "date_of_birth": "roster.error.date"}


def test_other_providers_children_are_not_found(world):
    with session_scope() as s:
        user = _user(s, "a@prov.example")
        assert child_changes.edit_child(s, user, world["B"]["child"], "X", "Y", "").child is None
        assert child_changes.set_active(s, user, world["B"]["child"], False).child is None
        assert s.get(Child, world["B"]["child"]).active
        # The agency admin may change any child of the agency.
        admin = _user(s, "admin@one.example")
        assert not child_changes.set_active(s, admin, world["B"]["child"], False).errors
        assert not s.get(Child, world["B"]["child"]).active


def test_deactivated_children_leave_the_roster_and_come_back(world):
    child_id = world["A"]["child"]
    with session_scope() as s:
        user = _user(s, "a@prov.example")
        child_changes.set_active(s, user, child_id, False)
        assert child_id not in [c.id for c in roster.children_of(s, [world["A"]["provider"]])]
        child_changes.set_active(s, user, child_id, True)
        assert child_id in [c.id for c in roster.children_of(s, [world["A"]["provider"]])]
        assert [e.event for e in s.exec(select(AuditEvent).order_by(AuditEvent.id))] == [
            "child_deactivated", "child_reactivated"]


def test_frozen_while_a_sheet_waits_for_the_parent_and_unlink_refused_with_an_open_link(world):
    child_id, guardian_id = world["A"]["child"], world["A"]["guardian"]
    with session_scope() as s:
        user = _user(s, "a@prov.example")
        s.add(ChildGuardian(child_id=child_id, guardian_id=guardian_id))
        sheet = s.get(AttendanceSheet, world["A"]["sheet"])
        grid.save_day(s, sheet, sheet.period_start, [{"in": "08:00", "out": "12:00"}], False, "")
        submission.submit_sheet(s, sheet)
        assert child_changes.edit_child(s, user, child_id, "New", "Name", "").errors == {
            "form": "roster.error.sheet_waiting"}
        assert child_changes.set_active(s, user, child_id, False).errors == {"form": "roster.error.sheet_waiting"}
        assert child_changes.unlink_guardian(s, user, child_id, guardian_id).errors == {
            "form": "roster.error.guardian_has_link"}
        submission.recall_sheet(s, sheet)
        assert not child_changes.unlink_guardian(s, user, child_id, guardian_id, ip="10.0.0.3").errors
        assert submission.guardians_of(s, child_id) == []
        event = s.exec(select(AuditEvent).where(AuditEvent.event == "guardian_unlinked")).one()
        assert json.loads(event.detail)["guardian_id"] == guardian_id


def test_unlinking_a_guardian_of_another_child_does_nothing(world):
    with session_scope() as s:
        user = _user(s, "a@prov.example")
        assert child_changes.unlink_guardian(s, user, world["A"]["child"], world["A"]["guardian"]).child is None
