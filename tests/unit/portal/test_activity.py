"""The account and roster trail a portal user sees: their own provider's, or their agency's."""

from __future__ import annotations

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import PortalUser
from careconnect_app.portal import activity, child_changes, staff


def _user(s, email):
    return s.exec(select(PortalUser).where(PortalUser.email == email)).one()


def test_each_user_sees_the_changes_in_their_scope(world):
    with session_scope() as s:
        admin = _user(s, "admin@one.example")
        child_changes.edit_child(s, admin, world["B"]["child"], "Bea", "B", "")
        owner = _user(s, "a@prov.example")
        owner.is_owner = True
        staff.invite(s, owner, email="jo@prov.example", name="Jo", role_choice="", owner=False)
        staff.invite(s, admin, email="co@one.example", name="Co", role_choice=staff.ADMIN_CHOICE, owner=False)
        seen_by_a = [(a.event, a.subject, a.by) for a in activity.recent(s, owner)]
        seen_by_admin = [a.event for a in activity.recent(s, admin)]
        seen_by_b = [a.event for a in activity.recent(s, _user(s, "b@prov.example"))]
    assert seen_by_a == [("staff_invited", "Jo (jo@prov.example)", "A staff")]
    assert seen_by_admin == ["staff_invited", "staff_invited", "child_updated"]
    assert seen_by_b == ["child_updated"]
