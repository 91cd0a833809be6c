"""Is this copy genuine? The one set of rules behind the /verify page and `python -m careconnect_app verify`.

A PDF is checked on its own first (its seal; the manifest inside it, signed with the deployment's
key; the document inside it against the manifest's hash), then against what the database holds:
the signature row, the attendance as it is now, and the sheet's audit chain. A reference number
with the document hash printed on a copy runs the database checks only. Every answer names no
more than the copy itself shows, and wrong guesses of a reference are rate-limited per address.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from careconnect_app.clock import iso
from careconnect_app.common import audit, rate_limit
from careconnect_app.common.crypto import same, sha256_hex
from careconnect_app.evidence import manifest, seal
from careconnect_app.models import AttendanceSheet, Guardian, Signature
from careconnect_app.signing import canonical, evidence
from careconnect_app.statuses import SheetStatus

MAX_PDF_BYTES = 5 * 1024 * 1024  # our copies are ~100 KB; anything far larger is not one of them
LOOKUP_LIMIT = 10  # wrong reference/hash pairs per address ...
FILE_LIMIT = 30  # ... and files checked per address ...
WINDOW = timedelta(minutes=10)  # ... in this window
_REFERENCE = re.compile(r"^CC-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")

# Each check, in the order the page lists them. A check that could not run is None (not checked).
CHECKS = ("seal", "manifest", "document", "record", "attendance", "audit")


@dataclass(frozen=True)
class Summary:
    """What was signed, when and by what method: only what the signed copy itself prints."""

    reference: str
    agency: str
    provider: str
    child: str
    signer: str
    period_start: str
    period_end: str
    sheet_version: int
    signed_at: datetime | None
    timezone: str
    channel: str  # "email", "sms" or "" (no code)
    in_person: bool
    document_hash: str


@dataclass
class Report:
    """The verdict, each check's outcome, and the summary (None when nothing authentic was found)."""

    results: dict[str, bool | None] = field(default_factory=lambda: dict.fromkeys(CHECKS))
    summary: Summary | None = None
    problem: str = ""  # why nothing could be checked: a key of the verify page's texts

    @property
    def verified(self) -> bool:
        """Every check that applies passed (the seal applies to files only)."""
        applicable = [ok for name, ok in self.results.items() if not (name == "seal" and ok is None)]
        return not self.problem and all(ok is True for ok in applicable)


# --- entry points -------------------------------------------------------------------------------------


def verify_pdf(session: Session, pdf: bytes, *, ip: str = "") -> Report:
    """Check an uploaded PDF (a signed copy or a completion certificate)."""
    if ip and _over_limit(session, f"verify-file:{ip}", FILE_LIMIT):
        return Report(problem="rate_limited")
    if ip:
        rate_limit.hit(session, f"verify-file:{ip}")
    if len(pdf) > MAX_PDF_BYTES:
        return Report(problem="too_large")
    if not pdf.startswith(b"%PDF-"):
        return Report(problem="not_pdf")
    report = Report()
    report.results["seal"] = seal.check_seal(pdf).ok
    files = seal.embedded_files(pdf)
    manifest_json = files.get(seal.MANIFEST_FILE, b"").decode("utf-8", "replace")
    document_json = files.get(seal.DOCUMENT_FILE, b"").decode("utf-8", "replace")
    if not manifest_json or not document_json:
        return Report(results={**report.results}, problem="no_evidence")
    signed = manifest.signature_valid(manifest_json, files.get(seal.SIGNATURE_FILE, b""))
    report.results["manifest"] = signed
    data = _json(manifest_json)
    report.results["document"] = signed and sha256_hex(document_json) == (data.get("document") or {}).get("sha256")
    stored = evidence.signature_by_reference(session, str(data.get("reference") or ""))
    _check_stored(session, stored, report, manifest_json=manifest_json, document_json=document_json)
    if signed:
        report.summary = _summary(_json(document_json), data)
    return report


def verify_reference(session: Session, reference: str, document_hash: str, *, ip: str = "") -> Report:
    """Check a reference number and the document hash printed on a copy (no file)."""
    reference = normalise_reference(reference)
    document_hash = (document_hash or "").strip().lower()
    if not _REFERENCE.match(reference):
        return Report(problem="bad_reference")
    if not _HASH.match(document_hash):
        return Report(problem="bad_hash")
    key = f"verify-miss:{ip}"
    if ip and _over_limit(session, key, LOOKUP_LIMIT):
        return Report(problem="rate_limited")
    stored = evidence.signature_by_reference(session, reference)
    if stored is None or not same(stored.document_hash, document_hash):
        if ip:
            rate_limit.hit(session, key)  # only misses count: a copy's owner checks as often as they like
        return Report(problem="not_found")
    report = Report()
    report.results["manifest"] = manifest.signature_valid(stored.manifest_json, stored.manifest_signature)
    report.results["document"] = sha256_hex(stored.document_json) == stored.document_hash
    _check_stored(session, stored, report, manifest_json=stored.manifest_json, document_json=stored.document_json)
    if report.results["manifest"]:
        report.summary = _summary(evidence.stored_document(stored), evidence.stored_manifest(stored))
    return report


def normalise_reference(value: str) -> str:
    """" cc-7f3k-9q2m " -> "CC-7F3K-9Q2M" (as read aloud or typed on a phone)."""
    return re.sub(r"\s+", "", value or "").upper()


# --- the database checks ------------------------------------------------------------------------------


def _check_stored(session: Session, stored: Signature | None, report: Report, *, manifest_json: str,
                  document_json: str) -> None:
    """The signature row, the attendance as it is now and the audit chain, against the signed evidence."""
    if stored is None:
        report.results.update(record=False, attendance=False, audit=False)
        return
    report.results["record"] = _record_matches(stored, manifest_json, document_json)
    report.results["attendance"] = _attendance_unchanged(session, stored)
    report.results["audit"] = _chain_unbroken(session, stored)


def _record_matches(stored: Signature, manifest_json: str, document_json: str) -> bool:
    """The stored signature is the one the manifest describes, field by field."""
    data = _json(manifest_json)
    signer, how = data.get("signer") or {}, data.get("verification") or {}
    mark, client = data.get("mark") or {}, data.get("client") or {}
    return all((
        bool(stored.manifest_json) and stored.manifest_json == manifest_json,
        stored.document_json == document_json,
        sha256_hex(stored.document_json) == stored.document_hash == (data.get("document") or {}).get("sha256"),
        stored.reference == data.get("reference"),
        stored.signer_name == signer.get("name") and stored.guardian_id == signer.get("guardian_id"),
        stored.verification_channel == how.get("channel") and stored.in_person == how.get("in_person"),
        sha256_hex(stored.strokes_json) == mark.get("strokes_sha256"),
        sha256_hex(stored.png) == mark.get("png_sha256"),
        iso(stored.signed_at) == data.get("signed_at"),
        stored.ip == client.get("ip") and stored.user_agent == client.get("user_agent"),
    ))


def _attendance_unchanged(session: Session, stored: Signature) -> bool:
    """The sheet's rows in the database still say what was signed (an edit after signing shows here)."""
    sheet = session.get(AttendanceSheet, stored.sheet_id)
    guardian = session.get(Guardian, stored.guardian_id)
    if sheet is None or guardian is None or sheet.status != SheetStatus.SIGNED:
        return False
    signed = evidence.stored_document(stored)
    texts = canonical.ShownTexts("", "", "", "")  # texts are not part of the comparison
    now = canonical.canonical_document(session, sheet, guardian, locale=signed.get("locale", "en"), texts=texts)
    return canonical.attendance_part(now) == canonical.attendance_part(signed)


def _chain_unbroken(session: Session, stored: Signature) -> bool:
    """The sheet's audit chain adds up, and its "signed" event follows the event the manifest names."""
    if audit.check_sheet(session, stored.sheet_id) is not None:
        return False
    anchor = (_json(stored.manifest_json).get("audit") or {}).get("previous_event_sha256")
    manifest_hash = sha256_hex(stored.manifest_json)
    for event in audit.events_of_request(session, stored.signing_request_id, "signed"):
        if event.prev_hash == anchor and _json(event.detail).get("manifest_sha256") == manifest_hash:
            return True
    return False


# --- helpers -----------------------------------------------------------------------------------------


def _summary(document: dict, data: dict) -> Summary:
    period, how = document.get("period") or {}, data.get("verification") or {}
    try:
        signed_at = datetime.fromisoformat(str(data.get("signed_at", "")).replace("Z", "+00:00"))
    except ValueError:
        signed_at = None
    return Summary(
        reference=str(data.get("reference") or ""),
        agency=str((document.get("agency") or {}).get("name") or ""),
        provider=str((document.get("provider") or {}).get("name") or ""),
        child=str((document.get("child") or {}).get("name") or ""),
        signer=str((data.get("signer") or {}).get("name") or ""),
        period_start=str(period.get("start") or ""),
        period_end=str(period.get("end") or ""),
        sheet_version=int(document.get("sheet_version") or 0),
        signed_at=signed_at,
        timezone=str((document.get("agency") or {}).get("timezone") or "UTC"),
        channel=str(how.get("channel") or ""),
        in_person=bool(how.get("in_person")),
        document_hash=str((data.get("document") or {}).get("sha256") or ""),
    )


def _json(text: str) -> dict:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _over_limit(session: Session, key: str, limit: int) -> bool:
    return rate_limit.count(session, key, WINDOW) >= limit
