"""The evidence of a signed sheet: its signed copy and certificate only once signed, contacts masked."""

from __future__ import annotations

from careconnect_app.db import session_scope
from careconnect_app.models import Guardian
from careconnect_app.signing import evidence
from tests.fakes.sheets import sheet_of, submit_and_sign


def test_certificates_need_a_signed_sheet(weekly_sheet):
    with session_scope() as s:
        assert evidence.signed_attendance_pdf(s, sheet_of(s, weekly_sheet)) is None
    reference = submit_and_sign(weekly_sheet)
    with session_scope() as s:
        sheet = sheet_of(s, weekly_sheet)
        pdf, ref = evidence.signed_attendance_pdf(s, sheet)
        cert, ref2 = evidence.completion_certificate_pdf(s, sheet, "es")
        contacts = evidence.masked_contacts(s.get(Guardian, weekly_sheet["guardian"]))
    assert pdf.startswith(b"%PDF") and cert.startswith(b"%PDF")
    assert ref == ref2 == reference
    assert contacts == ["t***@example.com"]
