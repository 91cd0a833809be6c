"""The rows a signing request is about: read in one query, once per session."""

from __future__ import annotations

from sqlalchemy import event

from careconnect_app.common.family import Family
from careconnect_app.db import get_engine, session_scope
from careconnect_app.models import AttendanceSheet, Child, Guardian, SigningRequest


def test_one_query_then_none_and_the_sessions_own_rows(make_request):
    request_id, _token = make_request()
    selects: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().lower().startswith("select"):
            selects.append(statement)

    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        event.listen(get_engine(), "before_cursor_execute", seen)
        try:
            family = Family.of(s, request)
            assert len(selects) == 1  # sheet, child, provider, agency and guardian together
            family.sheet.status = "changed in this step"
            again = Family.of(s, request)
            assert len(selects) == 1  # asked again in the same step: no round trip
        finally:
            event.remove(get_engine(), "before_cursor_execute", seen)
        # The session's own objects: what the step changed shows through, and a read by key agrees.
        assert again.sheet.status == "changed in this step"
        assert again.sheet is s.get(AttendanceSheet, request.sheet_id)
        assert again.child is s.get(Child, family.sheet.child_id)
        assert again.guardian is s.get(Guardian, request.guardian_id)
        assert again.agency.id == again.provider.agency_id
        s.rollback()


def test_a_new_session_reads_afresh(make_request):
    request_id, _token = make_request()
    with session_scope() as s:
        first = Family.of(s, s.get(SigningRequest, request_id))
        first.guardian.first_name = "Renamed"
    with session_scope() as s:
        assert Family.of(s, s.get(SigningRequest, request_id)).guardian.first_name == "Renamed"
