"""Demo data: seeded through the real submission, on an empty database only."""

from __future__ import annotations

import json

from careconnect_app.__main__ import main


def test_demo_goes_through_submission_and_writes_the_outbox(database):
    assert main(["demo", "--json"]) == 0
    lines = [json.loads(x) for x in database.outbox.read_text().splitlines()]
    assert {m["kind"] for m in lines} == {"ready_to_sign"}
    assert {m["locale"] for m in lines} == {"en", "es"}
    assert main(["demo"]) == 1  # refuses to seed a database that has data


def test_demo_periods_are_the_agencies_previous_ones_on_their_own_calendar(database, monkeypatch):
    """At 7 PM on Nov 30 in California it is already Dec 1 in UTC: the dashboard's default period
    (the previous one, in the agency's zone) is October, and that is where the demo's sheets go."""
    from datetime import UTC, date, datetime

    from sqlmodel import select

    from careconnect_app import demo
    from careconnect_app.db import session_scope
    from careconnect_app.models import Agency, AttendanceSheet, Child, Provider

    monkeypatch.setattr(demo, "utcnow", lambda: datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    with session_scope() as s:
        demo.seed(s)
    with session_scope() as s:
        periods = {(agency.period_type, sheet.period_start, sheet.period_end)
                   for sheet, agency in s.exec(select(AttendanceSheet, Agency)
                                               .join(Child, Child.id == AttendanceSheet.child_id)
                                               .join(Provider, Provider.id == Child.provider_id)
                                               .join(Agency, Agency.id == Provider.agency_id))}
    assert periods == {("monthly", date(2026, 10, 1), date(2026, 10, 31)),
                       ("weekly", date(2026, 11, 23), date(2026, 11, 29))}
