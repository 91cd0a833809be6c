"""The rows a signing request is about: read in one query, once per session."""

from __future__ import annotations

from careconnect_app.common.family import Family
from careconnect_app.db import session_scope
from careconnect_app.models import AttendanceSheet, Child, Guardian, SigningRequest
from tests.support.sql import statements_sent


def test_one_query_then_none_and_the_sessions_own_rows(make_request):
    request_id, _token = make_request()

    def selects(sent: list[str]) -> int:
        return sum(1 for statement in sent if statement.lower().startswith("select"))

    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        with statements_sent() as sent:
            family = Family.of(s, request)
            assert selects(sent) == 1  # sheet, child, provider, agency and guardian together
            family.sheet.status = "changed in this step"
            again = Family.of(s, request)
            assert selects(sent) == 1  # asked again in the same step: no round trip
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
