"""Two agencies' providers, children, sheets and portal logins, to check who may see what."""

from __future__ import annotations

from datetime import date

import pytest

from careconnect_app.db import session_scope
from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, Provider
from careconnect_app.portal import accounts


@pytest.fixture
def world(database):
    """Agency 1 with providers A and B; agency 2 with provider C; a child and sheet each; logins."""
    with session_scope() as s:
        ag1, ag2 = Agency(name="Agency One"), Agency(name="Agency Two")
        s.add(ag1)
        s.add(ag2)
        s.flush()
        pa, pb, pc = (Provider(agency_id=ag1.id, name="A"), Provider(agency_id=ag1.id, name="B"),
                      Provider(agency_id=ag2.id, name="C"))
        for p in (pa, pb, pc):
            s.add(p)
        s.flush()
        ids = {}
        for p in (pa, pb, pc):
            child = Child(provider_id=p.id, first_name="Kid", last_name=p.name)
            guardian = Guardian(provider_id=p.id, first_name="Pat", last_name=p.name, email=f"pat{p.name}@x.org")
            s.add(child)
            s.add(guardian)
            s.flush()
            sheet = AttendanceSheet(child_id=child.id, provider_id=p.id, period_start=date(2026, 11, 2),
                                    period_end=date(2026, 11, 8))
            s.add(sheet)
            s.flush()
            ids[p.name] = {"provider": p.id, "child": child.id, "guardian": guardian.id, "sheet": sheet.id}
        accounts.create_user(s, email="a@prov.example", name="A staff", password="password-a-123",
                             role="provider", agency_id=ag1.id, provider_id=pa.id)
        accounts.create_user(s, email="b@prov.example", name="B staff", password="password-b-123",
                             role="provider", agency_id=ag1.id, provider_id=pb.id)
        accounts.create_user(s, email="admin@one.example", name="Admin", password="password-admin-1",
                             role="agency_admin", agency_id=ag1.id)
    return ids
