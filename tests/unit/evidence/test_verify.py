"""A signed copy is verified until anything about it changes: the file, the attendance rows, the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.evidence import verify
from careconnect_app.models import AttendanceEntry, AuditEvent
from careconnect_app.signing import evidence
from tests.fakes.sheets import sheet_of, submit_and_sign


@pytest.fixture
def signed(weekly_sheet):
    """A signed sheet: (family ids, reference, sealed signed copy, sealed certificate)."""
    reference = submit_and_sign(weekly_sheet)
    with session_scope() as s:
        sheet = sheet_of(s, weekly_sheet)
        copy, _ = evidence.signed_attendance_pdf(s, sheet)
        certificate, _ = evidence.completion_certificate_pdf(s, sheet, "es")
    return weekly_sheet, reference, copy, certificate


def _check(pdf: bytes) -> verify.Report:
    with session_scope() as s:
        return verify.verify_pdf(s, pdf)


def _document_hash(reference: str) -> str:
    with session_scope() as s:
        return evidence.signature_by_reference(s, reference).document_hash


def test_both_pdfs_are_verified_and_summarised(signed):
    _, reference, copy, certificate = signed
    for pdf in (copy, certificate):
        report = _check(pdf)
        assert report.verified, report.results
        assert report.summary.reference == reference and report.summary.child == "=Liam Nguyen"
        assert report.summary.signer == "Thao Nguyen" and report.summary.agency == "Harbor"


def test_one_changed_byte_anywhere_is_not_verified(signed):
    _, _, copy, _ = signed
    for position in (200, len(copy) // 2, len(copy) - 40):
        changed = bytearray(copy)
        changed[position] ^= 0x01
        report = _check(bytes(changed))
        assert not report.verified
        assert report.results["seal"] is not True


def test_an_edited_attendance_row_is_not_verified(signed, database):
    _, _, copy, _ = signed
    with session_scope() as s:
        entry = s.exec(select(AttendanceEntry).where(AttendanceEntry.absent == False)).first()  # noqa: E712
        s.exec(text("UPDATE attendanceentry SET check_out = '18:00:00' WHERE id = :id").bindparams(id=entry.id))
    report = _check(copy)
    assert not report.verified
    assert report.results["attendance"] is False and report.results["seal"] is True


def _tamper(database, statement: str) -> None:
    """What someone with database access would do; on PostgreSQL they must first drop the trigger."""
    with session_scope() as s:
        if database.kind == "postgres":
            s.exec(text("ALTER TABLE auditevent DISABLE TRIGGER auditevent_append_only"))
        s.exec(text(statement))


def test_an_edited_audit_event_is_not_verified(signed, database):
    _, _, copy, _ = signed
    with session_scope() as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        first = events[0].id
    _tamper(database, f"UPDATE auditevent SET ip = '10.9.9.9' WHERE id = {first}")
    assert _check(copy).results["audit"] is False
    assert not _check(copy).verified


def test_a_deleted_audit_event_is_not_verified(signed, database):
    _, _, copy, _ = signed
    with session_scope() as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        middle = events[len(events) // 2].id
    _tamper(database, f"DELETE FROM auditevent WHERE id = {middle}")
    report = _check(copy)
    assert report.results["audit"] is False and not report.verified


def test_reference_and_hash(signed):
    _, reference, _, _ = signed
    good = _document_hash(reference)
    with session_scope() as s:
        report = verify.verify_reference(s, reference.lower(), good.upper(), ip="203.0.113.9")
    assert report.verified and report.results["seal"] is None
    with session_scope() as s:
        assert verify.verify_reference(s, reference, "0" * 64, ip="203.0.113.9").problem == "not_found"
        assert verify.verify_reference(s, "CC-1", good).problem == "bad_reference"
        assert verify.verify_reference(s, reference, "xyz").problem == "bad_hash"


def test_wrong_guesses_are_rate_limited_per_address(signed):
    _, reference, _, _ = signed
    good = _document_hash(reference)
    for _ in range(verify.LOOKUP_LIMIT):
        with session_scope() as s:
            assert verify.verify_reference(s, reference, "1" * 64, ip="203.0.113.50").problem == "not_found"
    with session_scope() as s:
        assert verify.verify_reference(s, reference, good, ip="203.0.113.50").problem == "rate_limited"
        assert verify.verify_reference(s, reference, good, ip="203.0.113.51").verified
