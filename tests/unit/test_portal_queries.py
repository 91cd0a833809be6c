"""Dashboard statuses, the day grid, resend cooldown, certificates and the CSV export."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, time, timedelta

import pytest

from careconnect_app.portal import resend
from careconnect_app.portal import grid
from careconnect_app.portal import export
from careconnect_app import attendance
from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import (
    Agency,
    AttendanceEntry,
    AttendanceSheet,
    Child,
    ChildGuardian,
    Guardian,
    Provider,
    SigningRequest,
)
from careconnect_app.signing import evidence, links, parent_steps
from careconnect_app.portal import dashboard, submission

START, END = date(2026, 11, 16), date(2026, 11, 22)


def _scribble():
    pts = []
    for i in range(160):
        u = i / 159
        a = u * 7 * 2 * math.pi
        pts.append([round(0.1 + 0.8 * u + 0.025 * math.cos(a), 4), round(0.55 + 0.18 * math.sin(a), 4), i * 12])
    return {"strokes": [pts], "width": 358, "height": 200}


@pytest.fixture
def family(fresh_db):
    """Two providers; provider 1 has a child with a guardian and a filled draft sheet."""
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


def _sheet(s, family):
    return s.get(AttendanceSheet, family["sheet"])


def test_periods():
    assert attendance.period_containing(date(2026, 11, 28), "weekly") == (date(2026, 11, 23), date(2026, 11, 29))
    assert attendance.period_containing(date(2026, 2, 10), "monthly") == (date(2026, 2, 1), date(2026, 2, 28))
    assert attendance.period_containing(date(2026, 12, 31), "monthly") == (date(2026, 12, 1), date(2026, 12, 31))
    assert attendance.default_period(date(2026, 11, 28), "weekly") == (START, END)
    assert attendance.default_period(date(2026, 1, 5), "monthly") == (date(2025, 12, 1), date(2025, 12, 31))


def test_day_errors_and_hours(family):
    with session_scope() as s:
        sheet = _sheet(s, family)
        mon = START
        assert grid.day_errors(sheet, mon, [{"in": "09:00", "out": "08:00"}], False) == [
            "attendance.error.out_before_in"]
        assert grid.day_errors(sheet, mon, [{"in": "08:00", "out": "12:00"},
                                                      {"in": "11:00", "out": "13:00"}], False) == [
            "attendance.error.overlap"]
        assert grid.day_errors(sheet, mon, [{"in": "08:00", "out": ""}], False) == [
            "attendance.error.incomplete_pair"]
        assert grid.day_errors(sheet, date(2026, 11, 30), [{"in": "08:00", "out": "09:00"}], False) == [
            "attendance.error.outside_period"]
        assert "attendance.error.bad_time" in grid.day_errors(sheet, mon, [{"in": "8 o'clock", "out": ""}],
                                                                        False)
        assert grid.day_minutes([{"in": "07:45", "out": "11:30"}, {"in": "13:00", "out": "17:15"}],
                                          False) == 480
        assert grid.day_minutes([{"in": "07:45", "out": "11:30"}], True) == 0


def test_grid_round_trip_keeps_drafts(family):
    with session_scope() as s:
        sheet = _sheet(s, family)
        grid.save_day(s, sheet, START + timedelta(days=3), [{"in": "08:00", "out": ""}], False, "")
        days = grid.grid_days(s, sheet)
    assert len(days) == 7
    assert days[0]["pairs"] == [{"in": "08:00", "out": "16:30"}]
    assert len(days[1]["pairs"]) == 2
    assert days[2]["absent"] and days[2]["reason"] == "Sick"
    assert days[3]["pairs"] == [{"in": "08:00", "out": ""}]  # an unfinished pair survives a reload
    assert days[4]["pairs"] == [{"in": "", "out": ""}]


def test_locked_sheet_cannot_be_edited(family):
    with session_scope() as s:
        sheet = _sheet(s, family)
        submission.submit_sheet(s, sheet)
        with pytest.raises(ValueError):
            grid.save_day(s, sheet, START, [{"in": "08:00", "out": "09:00"}], False, "")


def _status(family):
    with session_scope() as s:
        sheet = _sheet(s, family)
        reqs = dashboard.requests_by_sheet(s, [sheet.id]).get(sheet.id, [])
        return dashboard.sheet_status(sheet, reqs)


def _request(s, family) -> SigningRequest:
    from sqlmodel import select

    return s.exec(select(SigningRequest).where(SigningRequest.sheet_id == family["sheet"])
                  .order_by(SigningRequest.id.desc())).first()


def test_statuses_follow_the_signing(family):
    assert _status(family) == "draft"
    with session_scope() as s:
        submission.submit_sheet(s, _sheet(s, family))
    assert _status(family) == "ready"
    with session_scope() as s:
        r = _request(s, family)
        r.opened_at = utcnow()
        s.add(r)
    assert _status(family) == "opened"
    with session_scope() as s:
        r = _request(s, family)
        r.expires_at = utcnow() - timedelta(minutes=1)
        s.add(r)
    assert _status(family) == "expired"
    with session_scope() as s:
        r = _request(s, family)
        r.expires_at = utcnow() + timedelta(days=3)
        s.add(r)
        assert parent_steps.report_problem(s, r, "Wednesday he was here", ip="", user_agent="") == ""
    assert _status(family) == "problem"
    with session_scope() as s:
        submission.recall_sheet(s, _sheet(s, family))
    assert _status(family) == "draft"
    with session_scope() as s:
        submission.submit_sheet(s, _sheet(s, family))
    with session_scope() as s:
        outcome = parent_steps.sign(s, _request(s, family).id, strokes=_scribble(), certified=True, consented=True,
                               ip="1.2.3.4", user_agent="pytest", locale="en", verification_channel="")
        assert outcome.ok, outcome.error
    assert _status(family) == "signed"


def test_dashboard_rows_counts_and_search(family):
    with session_scope() as s:
        rows, counts = dashboard.dashboard(s, [family["p1"]], START, END)
        assert [r.child_name for r in rows] == ["=Liam Nguyen"]
        assert rows[0].status == "draft" and rows[0].total_minutes == 510 + 480
        assert counts["draft"] == 1 and counts["not_started"] == 0
        rows, counts = dashboard.dashboard(s, [family["p1"], family["p2"]], START, END)
        assert counts["not_started"] == 1
        assert [r.child_name for r in dashboard.dashboard(s, [family["p1"], family["p2"]], START, END,
                                                               search="zoe")[0]] == ["Zoe Other"]
        assert dashboard.dashboard(s, [family["p1"], family["p2"]], START, END, status="draft")[0][0].sheet_id
        assert dashboard.dashboard(s, [], START, END)[0] == []


def test_resend_cooldown_then_same_link(family):
    with session_scope() as s:
        submission.submit_sheet(s, _sheet(s, family))
    with session_scope() as s:
        with pytest.raises(submission.SubmissionError, match="too_soon"):
            resend.resend_link(s, _request(s, family))
    later = utcnow() + timedelta(minutes=11)
    with session_scope() as s:
        request = _request(s, family)
        ids = resend.resend_link(s, request, now=later)
        assert ids and request.status == "pending"
    with session_scope() as s:
        with pytest.raises(submission.SubmissionError, match="too_soon"):
            resend.resend_link(s, _request(s, family), now=later + timedelta(minutes=2))


def test_resend_of_expired_link_issues_a_fresh_one(family):
    with session_scope() as s:
        submission.submit_sheet(s, _sheet(s, family))
    with session_scope() as s:
        r = _request(s, family)
        r.expires_at = utcnow() - timedelta(days=1)
        r.last_notified_at = utcnow() - timedelta(days=2)
        s.add(r)
        old_id = r.id
    with session_scope() as s:
        ids = resend.resend_link(s, s.get(SigningRequest, old_id))
        assert ids
    with session_scope() as s:
        assert s.get(SigningRequest, old_id).status == "superseded"
        fresh = _request(s, family)
        assert fresh.id != old_id and links.status_of(fresh) == links.LinkStatus.OK


def _sign(family) -> str:
    with session_scope() as s:
        submission.submit_sheet(s, _sheet(s, family))
    with session_scope() as s:
        outcome = parent_steps.sign(s, _request(s, family).id, strokes=_scribble(), certified=True, consented=True,
                               ip="1.2.3.4", user_agent="pytest", locale="en", verification_channel="")
        assert outcome.ok
        return outcome.reference


def test_certificates_need_a_signed_sheet(family):
    with session_scope() as s:
        assert evidence.signed_attendance_pdf(s, _sheet(s, family), "en") is None
    reference = _sign(family)
    with session_scope() as s:
        sheet = _sheet(s, family)
        pdf, ref = evidence.signed_attendance_pdf(s, sheet, "en")
        cert, ref2 = evidence.completion_certificate_pdf(s, sheet, "es")
        contacts = evidence.masked_contacts(s.get(Guardian, family["guardian"]))
    assert pdf.startswith(b"%PDF") and cert.startswith(b"%PDF")
    assert ref == ref2 == reference
    assert contacts == ["t***@example.com"]


def test_csv_export_of_signed_sheets(family):
    reference = _sign(family)
    with session_scope() as s:
        text = export.signed_sheets_csv(s, [family["p1"]], START, END)
        signature = evidence.signature_of_sheet(s, _sheet(s, family))
        other = export.signed_sheets_csv(s, [family["p2"]], START, END)
        wrong_period = export.signed_sheets_csv(s, [family["p1"]], END + timedelta(days=1),
                                                        END + timedelta(days=7))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == export.CSV_HEADER
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["child"] == "'=Liam Nguyen"  # formula injection neutralised
    assert row["guardian"] == "Thao Nguyen"
    assert (row["period_start"], row["period_end"]) == ("2026-11-16", "2026-11-22")
    assert row["total_hours"] == "16.50"
    assert (row["days_present"], row["days_absent"]) == ("2", "1")
    assert row["reference"] == reference
    assert row["document_sha256"] == signature.document_hash and len(row["document_sha256"]) == 64
    assert row["signed_at_utc"].endswith("Z")
    assert len(list(csv.reader(io.StringIO(other)))) == 1  # another provider: header only
    assert len(list(csv.reader(io.StringIO(wrong_period)))) == 1
    assert json.loads(signature.document_json)["totals"]["minutes"] == 990


def test_portal_translations_have_the_same_keys():
    from careconnect_app.i18n import TRANSLATIONS_DIR

    en = json.loads((TRANSLATIONS_DIR / "en" / "portal.json").read_text(encoding="utf-8"))
    es = json.loads((TRANSLATIONS_DIR / "es" / "portal.json").read_text(encoding="utf-8"))
    assert set(en) == set(es)
    assert all(v.strip() for v in es.values())
    for key in ("outside_period", "absent_with_times", "incomplete_pair", "out_before_in", "overlap"):
        assert f"attendance.error.{key}" in en


def test_due_date():
    assert attendance.due_date(date(2026, 11, 30), 5) == date(2026, 12, 5)
    assert attendance.due_date(date(2026, 12, 31), 5) == date(2027, 1, 5)
    assert attendance.due_date(date(2026, 11, 22), 31) == date(2026, 12, 28)
