"""The evidence of a signed sheet: its signed copy and certificate only once signed, contacts masked."""

from __future__ import annotations

import threading

from careconnect_app.common import audit
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


def test_the_provider_and_agency_certificate_is_sealed_once_until_the_trail_changes(weekly_sheet, monkeypatch):
    """The worker attaches one certificate to two emails at the same moment: one seal, the same bytes;
    a new audit event is part of the certificate, so the next one is sealed afresh."""
    submit_and_sign(weekly_sheet)
    sealed = []
    real_seal = evidence.seal.seal
    monkeypatch.setattr(evidence.seal, "seal", lambda *a, **k: sealed.append(1) or real_seal(*a, **k))
    evidence._recent_pdfs.clear()
    results, start = [], threading.Barrier(2)

    def attach():
        start.wait()
        with session_scope() as s:
            results.append(evidence.completion_certificate_pdf(s, sheet_of(s, weekly_sheet), "en")[0])

    threads = [threading.Thread(target=attach) for _ in range(2)]
    [thread.start() for thread in threads]
    [thread.join(60) for thread in threads]
    assert len(results) == 2 and results[0] == results[1] and len(sealed) == 1
    with session_scope() as s:
        assert evidence.completion_certificate_pdf(s, sheet_of(s, weekly_sheet), "es")[0] != results[0]
        audit.record(s, "document_downloaded", actor="provider", sheet_id=weekly_sheet["sheet"])
    with session_scope() as s:
        again = evidence.completion_certificate_pdf(s, sheet_of(s, weekly_sheet), "en")[0]
    assert again != results[0] and len(sealed) == 3
