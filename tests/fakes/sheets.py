"""A provider's week through the portal: a filled draft sheet, then submitted, then signed by the parent."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from careconnect_app.db import session_scope
from careconnect_app.models import (
    Agency,
    AttendanceSheet,
    Child,
    ChildGuardian,
    Guardian,
    Provider,
    SigningRequest,
)
from careconnect_app.portal import grid, submission
from careconnect_app.signing import parent_steps
from tests.fakes.data import review, scribble

START, END = date(2026, 11, 16), date(2026, 11, 22)


def weekly_draft() -> dict[str, int]:
    """Two providers; provider 1 has a child with a guardian and a filled draft sheet. Returns their ids."""
    with session_scope() as s:
        agency = Agency(name="Harbor", requires_verification=False, period_type="weekly", link_lifetime_days=30)
        s.add(agency)
        s.flush()
        p1, p2 = Provider(agency_id=agency.id, name="Sunrise"), Provider(agency_id=agency.id, name="Other")
        s.add(p1)
        s.add(p2)
        s.flush()
        child = Child(provider_id=p1.id, first_name="=Liam", last_name="Nguyen")
        other = Child(provider_id=p2.id, first_name="Zoe", last_name="Other")
        guardian = Guardian(provider_id=p1.id, first_name="Thao", last_name="Nguyen", email="thao@example.com",
                            notify_sms=False)
        for row in (child, other, guardian):
            s.add(row)
        s.flush()
        s.add(ChildGuardian(child_id=child.id, guardian_id=guardian.id))
        sheet = AttendanceSheet(child_id=child.id, provider_id=p1.id, period_start=START, period_end=END)
        s.add(sheet)
        s.flush()
        grid.save_day(s, sheet, START, [{"in": "08:00", "out": "16:30"}], False, "")
        grid.save_day(s, sheet, START + timedelta(days=1),
                      [{"in": "07:45", "out": "11:30"}, {"in": "13:00", "out": "17:15"}], False, "")
        grid.save_day(s, sheet, START + timedelta(days=2), [], True, "Sick")
        return {"p1": p1.id, "p2": p2.id, "child": child.id, "sheet": sheet.id, "guardian": guardian.id}


def sheet_of(s: Session, family: dict[str, int]) -> AttendanceSheet:
    return s.get(AttendanceSheet, family["sheet"])


def latest_request(s: Session, family: dict[str, int]) -> SigningRequest:
    return s.exec(select(SigningRequest).where(SigningRequest.sheet_id == family["sheet"])
                  .order_by(SigningRequest.id.desc())).first()


def submit_and_sign(family: dict[str, int]) -> str:
    """The provider submits the sheet and the parent signs it; returns the signature's reference."""
    with session_scope() as s:
        submission.submit_sheet(s, sheet_of(s, family))
    with session_scope() as s:
        request_id = latest_request(s, family).id
        reviewed = review(s, request_id)
    with session_scope() as s:
        outcome = parent_steps.sign(s, request_id, strokes=scribble(), certified=True, consented=True,
                                    reviewed_hash=reviewed, ip="1.2.3.4", user_agent="pytest", locale="en",
                                    verification_channel="")
        assert outcome.ok
        return outcome.reference
