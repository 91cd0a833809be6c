"""Who sees what in the portal: a provider its own records, an agency admin its own agency's."""

from __future__ import annotations

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import PortalUser
from careconnect_app.portal import access


def _user(s, email):
    return s.exec(select(PortalUser).where(PortalUser.email == email)).one()


def test_provider_sees_only_own_records(world):
    with session_scope() as s:
        a = _user(s, "a@prov.example")
        assert access.provider_ids(s, a) == [world["A"]["provider"]]
        assert access.sheet_for(s, a, world["A"]["sheet"]) is not None
        assert access.sheet_for(s, a, str(world["A"]["sheet"])) is not None  # ids from URLs are strings
        assert access.sheet_for(s, a, world["B"]["sheet"]) is None
        assert access.sheet_for(s, a, world["C"]["sheet"]) is None
        assert access.child_for(s, a, world["B"]["child"]) is None
        assert access.guardian_for(s, a, world["B"]["guardian"]) is None
        assert access.sheet_for(s, a, "1 or 1=1") is None
        assert access.sheet_for(s, a, -1) is None
        assert access.agency_for_admin(s, a) is None


def test_agency_admin_sees_own_agency_only(world):
    with session_scope() as s:
        admin = _user(s, "admin@one.example")
        assert sorted(access.provider_ids(s, admin)) == sorted([world["A"]["provider"], world["B"]["provider"]])
        assert access.sheet_for(s, admin, world["A"]["sheet"]) is not None
        assert access.sheet_for(s, admin, world["B"]["sheet"]) is not None
        assert access.sheet_for(s, admin, world["C"]["sheet"]) is None
        assert access.child_for(s, admin, world["C"]["child"]) is None
        assert access.agency_for_admin(s, admin).name == "Agency One"


def test_provider_moved_to_other_agency_loses_access(world):
    """A provider login whose provider is not in the user's agency sees nothing."""
    with session_scope() as s:
        a = _user(s, "a@prov.example")
        a.provider_id = world["C"]["provider"]
        s.add(a)
        s.flush()
        assert access.provider_ids(s, a) == []
        assert access.sheet_for(s, a, world["C"]["sheet"]) is None
