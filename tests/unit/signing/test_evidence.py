"""The evidence of a signed sheet: its signed copy and certificate only once signed, contacts masked."""

from __future__ import annotations

import json

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import Guardian, Signature
from careconnect_app.signing import evidence
from careconnect_app.signing.strokes import render_png
from tests.fakes.sheets import sheet_of, submit_and_sign


def test_certificates_need_a_signed_sheet(weekly_sheet):
    with session_scope() as s:
        assert evidence.signed_attendance_pdf(s, sheet_of(s, weekly_sheet), "en") is None
    reference = submit_and_sign(weekly_sheet)
    with session_scope() as s:
        sheet = sheet_of(s, weekly_sheet)
        pdf, ref = evidence.signed_attendance_pdf(s, sheet, "en")
        cert, ref2 = evidence.completion_certificate_pdf(s, sheet, "es")
        contacts = evidence.masked_contacts(s.get(Guardian, weekly_sheet["guardian"]))
    assert pdf.startswith(b"%PDF") and cert.startswith(b"%PDF")
    assert ref == ref2 == reference
    assert contacts == ["t***@example.com"]


def test_signature_image_is_drawn_from_the_strokes_after_signing_and_kept(weekly_sheet):
    submit_and_sign(weekly_sheet)
    with session_scope() as s:
        assert s.exec(select(Signature)).one().png == b""  # signing did not spend time drawing it
        assert evidence.render_pending_images(s) == 1
    with session_scope() as s:
        signature = s.exec(select(Signature)).one()
        assert signature.png == render_png(json.loads(signature.strokes_json))  # the strokes, drawn
        assert signature.png.startswith(b"\x89PNG")
        assert evidence.render_pending_images(s) == 0


def test_a_pdf_asked_for_before_the_worker_drew_the_image_draws_it(weekly_sheet):
    submit_and_sign(weekly_sheet)
    with session_scope() as s:
        pdf, _ = evidence.signed_attendance_pdf(s, sheet_of(s, weekly_sheet), "en")
    assert pdf.startswith(b"%PDF")
    with session_scope() as s:
        assert s.exec(select(Signature)).one().png.startswith(b"\x89PNG")
