"""The provider's dashboard: each sheet's status follows the signing; rows, counts and search."""

from __future__ import annotations

from datetime import timedelta

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.portal import dashboard, submission
from careconnect_app.signing import parent_steps
from tests.fakes.data import scribble
from tests.fakes.sheets import END, START, latest_request, sheet_of


def _status(family):
    with session_scope() as s:
        sheet = sheet_of(s, family)
        reqs = dashboard.requests_by_sheet(s, [sheet.id]).get(sheet.id, [])
        return dashboard.sheet_status(sheet, reqs)


def test_statuses_follow_the_signing(weekly_sheet):
    family = weekly_sheet
    assert _status(family) == "draft"
    with session_scope() as s:
        submission.submit_sheet(s, sheet_of(s, family))
    assert _status(family) == "ready"
    with session_scope() as s:
        r = latest_request(s, family)
        r.opened_at = utcnow()
        s.add(r)
    assert _status(family) == "opened"
    with session_scope() as s:
        r = latest_request(s, family)
        r.expires_at = utcnow() - timedelta(minutes=1)
        s.add(r)
    assert _status(family) == "expired"
    with session_scope() as s:
        r = latest_request(s, family)
        r.expires_at = utcnow() + timedelta(days=3)
        s.add(r)
        assert parent_steps.report_problem(s, r, "Wednesday he was here", ip="", user_agent="") == ""
    assert _status(family) == "problem"
    with session_scope() as s:
        submission.recall_sheet(s, sheet_of(s, family))
    assert _status(family) == "draft"
    with session_scope() as s:
        submission.submit_sheet(s, sheet_of(s, family))
    with session_scope() as s:
        outcome = parent_steps.sign(s, latest_request(s, family).id, strokes=scribble(), certified=True,
                                    consented=True, ip="1.2.3.4", user_agent="pytest", locale="en",
                                    verification_channel="")
        assert outcome.ok, outcome.error
    assert _status(family) == "signed"


def test_dashboard_rows_counts_and_search(weekly_sheet):
    family = weekly_sheet
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


def test_overdue_is_past_the_deadline_and_not_signed():
    from datetime import date

    from careconnect_app.portal.dashboard import is_overdue

    due = date(2026, 12, 5)
    assert is_overdue("ready", due, date(2026, 12, 6)) and is_overdue("not_started", due, date(2026, 12, 6))
    assert not is_overdue("ready", due, date(2026, 12, 5))
    assert not is_overdue("signed", due, date(2027, 1, 1))
