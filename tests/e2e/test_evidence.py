"""Evidence anyone can verify, in Chromium: sign, download both sealed PDFs, check them on /verify and with the
command line, then change one byte, one attendance row, one audit event: each is "not verified".

Also: what was reviewed is what is signed (a language switch or a recall + resubmit between review and sign
fails the old attempt with a clear message), the copy's rows equal the review screen's, and the outbox
holds the guardian's receipt and the provider's and agency's certificates.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from sqlalchemy import text
from sqlmodel import select

from careconnect_app.models import AttendanceSheet, Provider
from careconnect_app.portal import accounts, submission
from careconnect_app.signing import evidence
from careconnect_app.statuses import Role
from tests.e2e.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

PASSWORD = "evidence-e2e-password"
SHOTS = Path(os.environ.get("E2E_SHOTS", "/tmp/cc-evidence-shots"))


def _review_rows(page) -> list[tuple[str, str, str]]:
    """(day, times, hours) of each row of the review table, as the parent reads them."""
    rows = []
    for row in page.locator("#attendance-days tbody tr").all():
        # A dash cell also holds "No record" for screen readers: the first line is what is seen.
        cells = [c.inner_text().strip().split("\n")[0] for c in row.locator("th, td").all()]
        rows.append((cells[0], cells[1], cells[2]))
    return rows


def _flat(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _pdf_text(pdf: bytes) -> str:
    return _flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def _pyhanko_says_sealed(pdf: bytes, env: dict) -> bool:
    """pyHanko's own validator, trusting the server's seal certificate; and the embedded manifest's signature.

    On a thread of its own: pyHanko runs asyncio, and Playwright's sync API holds this thread's loop.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_pyhanko_validation, pdf, env).result()


def _pyhanko_validation(pdf: bytes, env: dict) -> bool:
    cert = x509.load_pem_x509_certificate(Path(env["CARECONNECT_SEAL_CERT_FILE"]).read_bytes())
    root = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    files = {str(names[i]): names[i + 1]["/EF"]["/F"].data for i in range(0, len(names), 2)}
    public = serialization.load_pem_public_key(files["evidence-public-key.pem"])
    public.verify(files["evidence-manifest.sig"], files["evidence-manifest.json"])  # raises when invalid
    manifest = json.loads(files["evidence-manifest.json"])
    assert manifest["document"]["sha256"] == hashlib.sha256(files["attendance-document.json"]).hexdigest()
    return status.intact and status.valid and status.trusted and status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def _cli_verify(app_server, pdf: bytes, tmp_path: Path, name: str) -> tuple[int, str]:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run([sys.executable, "-m", "careconnect_app", "verify", str(path)], cwd=REPO_ROOT,
                         env={**os.environ, **app_server.env}, capture_output=True, text=True, timeout=120)
    return out.returncode, out.stdout + out.stderr


def _verify_page(page, pdf: bytes, tmp_path: Path, name: str) -> str:
    """Upload a PDF on /verify and return the verdict heading."""
    path = tmp_path / name
    path.write_bytes(pdf)
    page.goto("/verify")
    expect(page.locator("#main h1")).to_be_visible()
    page.locator("#verify-pdf input[type=file]").set_input_files(str(path))
    expect(page.get_by_text(name, exact=True)).to_be_visible()
    page.locator("#check-file").click()
    expect(page.locator("#checked-what")).to_contain_text(name, timeout=30_000)
    return page.locator("#verify-result").inner_text().strip()


def _certificate_from_portal(new_context, app_server, link) -> bytes:
    """The provider signs in on a desktop and downloads the completion certificate of the sheet."""
    with app_server.server_db() as s:
        provider = s.exec(select(Provider).where(Provider.email == link.provider_email)).one()
        accounts.create_user(s, email=link.provider_email, name="Staff", password=PASSWORD, role=Role.PROVIDER,
                             agency_id=provider.agency_id, provider_id=provider.id)
    page = new_context(viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False).new_page()
    page.goto("/portal/login")
    page.fill("#email", link.provider_email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/portal$"))
    page.goto(f"/portal/sheets/{link.sheet_id}")
    page.locator("#signed-heading").wait_for()
    with page.expect_download() as info:
        page.click("#download-certificate")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "portal-evidence-1280.png"), full_page=True)
    return Path(info.value.path()).read_bytes()


def test_signed_copies_are_verified_until_anything_changes(page, new_context, fresh_link, wizard, app_server,
                                                           tmp_path):
    link = fresh_link(verification=True)
    wizard.to_review(page, link, channel="email")
    shown = _review_rows(page)
    assert len(shown) == 7 and shown[-1][1:] == ("—", "—")  # the whole week, days without a record included
    totals = [page.locator(f"#{k}").inner_text() for k in ("total-hours", "days-present", "days-absent")]
    expect(page.locator("#no-record-note")).to_have_text("2 days of the period have no record: they show a dash (—).")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-390.png"), full_page=True)
    wizard.go_sign(page, link)
    wizard.sign_and_submit(page, link)
    page.screenshot(path=str(SHOTS / "done-390.png"), full_page=True)
    # The done screen says what really happens: the copy by email, the reference by text, the certificates.
    intro = page.locator("#main").inner_text()
    assert f"{link.email[0]}***@example.com" in intro and "is sent the completion certificate" not in intro
    assert "are sent the completion certificate by email" in intro
    with page.expect_download() as info:
        page.locator("#download-copy").click()
    copy = Path(info.value.path()).read_bytes()
    certificate = _certificate_from_portal(new_context, app_server, link)

    # The copy prints the review's rows, times and totals, in order.
    copy_text = _pdf_text(copy)
    position = 0
    for day, times, hours in shown:
        for part in (day, *times.split("\n"), hours):
            found = copy_text.find(_flat(part), position)
            assert found >= 0, (part, copy_text[position:position + 300])
            position = found
    assert all(_flat(total) in copy_text for total in totals), (totals, copy_text[-600:])

    for pdf in (copy, certificate):
        assert _pyhanko_says_sealed(pdf, app_server.env)
        assert _verify_page(page, pdf, tmp_path, "copy.pdf") == "Verified"
        code, out = _cli_verify(app_server, pdf, tmp_path, "cli.pdf")
        assert code == 0 and "VERIFIED:" in out and "NOT VERIFIED" not in out
    page.screenshot(path=str(SHOTS / "verify-verified-390.png"), full_page=True)

    changed = bytearray(copy)
    changed[len(changed) // 2] ^= 0x01
    assert _verify_page(page, bytes(changed), tmp_path, "changed.pdf") == "Not verified"
    code, out = _cli_verify(app_server, bytes(changed), tmp_path, "changed-cli.pdf")
    assert code == 1 and "NOT VERIFIED" in out
    page.screenshot(path=str(SHOTS / "verify-not-verified-390.png"), full_page=True)

    # The outbox holds the guardian's receipt (with the sealed copy) and the staff's certificates.
    receipt = app_server.wait_outbox("signed_notice", link.email)[0]
    assert receipt["attachments"][0]["filename"].endswith(".pdf")
    app_server.wait_outbox("signed_notice", link.phone)
    app_server.wait_outbox("completion_certificate", link.provider_email)
    app_server.wait_outbox("completion_certificate", "help@valley-subsidy.example")

    with app_server.server_db() as s:  # someone edits the attendance row after signing
        s.exec(text("UPDATE attendanceentry SET check_out = '18:30:00' WHERE sheet_id = :sheet AND absent = 0 "
                    "AND id = (SELECT MIN(id) FROM attendanceentry WHERE sheet_id = :sheet AND absent = 0)")
               .bindparams(sheet=link.sheet_id))
    assert _verify_page(page, copy, tmp_path, "edited-row.pdf") == "Not verified"
    expect(page.locator("#verify-checks li[data-state=bad]")).to_have_count(1)
    assert _cli_verify(app_server, copy, tmp_path, "edited-row-cli.pdf")[0] == 1


def test_a_deleted_audit_event_is_not_verified(page, fresh_link, wizard, app_server, tmp_path):
    link = fresh_link(verification=False)
    wizard.to_sign(page, link)
    wizard.sign_and_submit(page, link)
    with page.expect_download() as info:
        page.locator("#download-copy").click()
    copy = Path(info.value.path()).read_bytes()
    assert _verify_page(page, copy, tmp_path, "before.pdf") == "Verified"
    with app_server.server_db() as s:  # raw SQL, as someone with the database file would
        s.exec(text("DELETE FROM auditevent WHERE id = (SELECT MIN(id) + 1 FROM auditevent WHERE sheet_id = :sheet)")
               .bindparams(sheet=link.sheet_id))
    assert _verify_page(page, copy, tmp_path, "after.pdf") == "Not verified"
    expect(page.locator("#verify-checks li[data-state=bad]")).to_contain_text("audit trail is broken")
    out = subprocess.run([sys.executable, "-m", "careconnect_app", "audit", "verify"], cwd=REPO_ROOT,
                         env={**os.environ, **app_server.env}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and f"BROKEN sheet:{link.sheet_id}" in out.stdout


def test_reference_and_hash_in_spanish(page, fresh_link, wizard, app_server):
    link = fresh_link(verification=False, locale="es")
    wizard.to_sign(page, link)
    wizard.sign_and_submit(page, link)
    reference = page.locator("#reference").inner_text().strip()
    with app_server.server_db() as s:
        document_hash = evidence.signature_by_reference(s, reference).document_hash
    page.goto("/verify?lang=es")
    expect(page.locator("#main h1")).to_have_text("Comprobar una copia de asistencia firmada")
    page.fill("#reference", reference.lower())
    page.fill("#document_hash", document_hash)
    page.locator("#check-reference").click()
    expect(page.locator("#verify-result")).to_have_text("Verificado")
    expect(page.locator("#verify-summary")).to_contain_text(link.guardian)
    page.screenshot(path=str(SHOTS / "verify-reference-es-390.png"), full_page=True)
    page.fill("#reference", reference)
    page.fill("#document_hash", "0" * 64)
    page.locator("#check-reference").click()
    expect(page.locator("#verdict-body")).to_contain_text("Ninguna copia firmada tiene este número")


def test_switching_language_between_review_and_sign_fails_the_old_attempt(page, fresh_link, wizard, app_server):
    link = fresh_link(verification=False)
    wizard.to_sign(page, link)
    page.locator("#language-switch").click()
    wizard.expect_heading(page, "sign.title", "es")
    wizard.draw_mouse(page)
    wizard.check_boxes(page)
    page.locator("#submit-signature").click()
    wizard.expect_heading(page, "review.title", "es")
    expect(page.locator("#review-notice")).to_have_text(wizard.t("sign.error.language_changed", "es"))
    assert app_server.signature_count(link.request_id) == 0
    # A fresh review in Spanish, then the signature goes through.
    wizard.go_sign(page, link, "es")
    wizard.sign_and_submit(page, link, locale="es")
    assert app_server.signature_count(link.request_id) == 1


def test_recall_and_resubmit_between_review_and_sign_fails_the_old_attempt(page, fresh_link, wizard, app_server):
    link = fresh_link(verification=False)
    wizard.to_sign(page, link)
    with app_server.server_db() as s:
        sheet = s.get(AttendanceSheet, link.sheet_id)
        submission.recall_sheet(s, sheet)
        submission.submit_sheet(s, sheet)
    wizard.draw_mouse(page)
    wizard.check_boxes(page)
    page.locator("#submit-signature").click()
    wizard.expect_heading(page, "status.recalled.title")
    assert app_server.signature_count(link.request_id) == 0
