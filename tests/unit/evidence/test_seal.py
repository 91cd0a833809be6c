"""Sealed PDFs carry the evidence files and a PAdES seal pyHanko validates; any byte changed breaks it."""

from __future__ import annotations

import io
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from fpdf import FPDF
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from careconnect_app.config import get_settings
from careconnect_app.evidence import keys, seal

FILES = seal.EvidenceFiles('{"schema":"x"}', '{"reference":"CC-7F3K-9Q2M"}', b"s" * 64, b"-----BEGIN PUBLIC KEY-----")


def _pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Attendance")
    return bytes(pdf.output())


def test_pyhankos_validator_finds_a_certifying_seal_over_the_whole_file():
    sealed = seal.seal(_pdf(), FILES, reason="Attendance record CC-7F3K-9Q2M", location="Valley")
    (signature,) = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    root = asn1_x509.Certificate.load(keys.seal_identity().certificate)
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE and status.docmdp_ok
    assert seal.embedded_files(sealed) == {
        seal.DOCUMENT_FILE: b'{"schema":"x"}', seal.MANIFEST_FILE: b'{"reference":"CC-7F3K-9Q2M"}',
        seal.SIGNATURE_FILE: b"s" * 64, seal.PUBLIC_KEY_FILE: b"-----BEGIN PUBLIC KEY-----"}
    check = seal.check_seal(sealed)
    assert check.ok and "CareConnect Sign evidence seal" in check.signer
    assert check.certificate_sha256 == keys.certificate_fingerprint(keys.seal_identity().certificate)


def test_any_changed_byte_or_added_revision_breaks_the_seal():
    sealed = seal.seal(_pdf(), FILES, reason="r")
    for position in range(0, len(sealed), max(1, len(sealed) // 40)):
        changed = bytearray(sealed)
        changed[position] ^= 0x20
        assert not seal.check_seal(bytes(changed)).ok, position
    # Inside the signature value: a hex letter's case (same value) and a byte of the zero padding.
    gap_start = sealed.index(b"/Contents <") + len(b"/Contents <")
    letter = next(i for i in range(gap_start, gap_start + 200) if sealed[i:i + 1] in b"ABCDEF")
    padding = sealed.index(b">", gap_start) - 3
    for position, new_byte in ((letter, sealed[letter:letter + 1].lower()), (padding, b"1")):
        changed = sealed[:position] + new_byte + sealed[position + 1:]
        assert not seal.check_seal(changed).ok, position
    appended = sealed + b"\n1 0 obj\n<< >>\nendobj\n"
    assert not seal.check_seal(appended).whole_file or not seal.check_seal(appended).ok
    assert not seal.check_seal(_pdf()).present and seal.embedded_files(b"garbage") == {}


def test_the_room_for_the_seal_is_measured_once_per_certificate_not_in_every_pdf(monkeypatch):
    dummies = []
    real_sign = seal._Signer.async_sign

    async def counting(self, *args, dry_run=False, **kwargs):
        dummies.append(dry_run)
        return await real_sign(self, *args, dry_run=dry_run, **kwargs)

    monkeypatch.setattr(seal._Signer, "async_sign", counting)
    monkeypatch.setattr(seal, "_rooms", {})
    first, second = seal.seal(_pdf(), FILES, reason="r"), seal.seal(_pdf(), FILES, reason="r")
    assert dummies == [True, False, False]  # one dummy, then each PDF signed once
    assert seal.check_seal(first).ok and seal.check_seal(second).ok
    room = seal._rooms[keys.seal_identity().certificate]
    gap_start = second.index(b"/Contents <") + len(b"/Contents <")
    assert second.index(b">", gap_start) - gap_start == room


def test_a_seal_from_another_deployment_is_not_trusted(tmp_path, monkeypatch):
    sealed = seal.seal(_pdf(), FILES, reason="r")
    original_certificate = Path(get_settings().seal_cert_file).read_bytes()
    other = keys.write_key_files(tmp_path / "other")
    monkeypatch.setenv("CARECONNECT_SEAL_CERT_FILE", other["CARECONNECT_SEAL_CERT_FILE"])
    monkeypatch.setenv("CARECONNECT_SEAL_KEY_FILE", other["CARECONNECT_SEAL_KEY_FILE"])
    get_settings.cache_clear()
    try:
        check = seal.check_seal(sealed)
        assert check.intact and not check.trusted and not check.ok
        # After a certificate renewal, the deployment still accepts the certificate it sealed with before.
        (tmp_path / "older.pem").write_bytes(original_certificate)
        monkeypatch.setenv("CARECONNECT_SEAL_TRUSTED_CERTS_FILE", str(tmp_path / "older.pem"))
        get_settings.cache_clear()
        assert seal.check_seal(sealed).ok
    finally:
        get_settings.cache_clear()
