"""CSV export of a period's signed sheets, from the signed documents (what the parents saw).

Each row also says whether the signature was provider-assisted (in person on the provider's
device) and whether the guardian has since said it was not them: an agency paying from this file
must see both.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from sqlmodel import Session, select

from careconnect_app.models import AttendanceSheet, Child, Guardian, Signature, SigningRequest
from careconnect_app.statuses import SheetStatus

CSV_HEADER = ["child", "guardian", "period_start", "period_end", "total_hours", "days_present", "days_absent",
              "signed_at_utc", "reference", "document_sha256", "provider_assisted", "signature_disputed_at_utc"]
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _csv_safe(value: str) -> str:
    """Stop spreadsheet formula injection from names typed into the roster."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def signed_sheets_csv(session: Session, provider_ids: list[int], start: date, end: date) -> str:
    """One line per signed sheet of the period, from the signed document (what the parent saw)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    if not provider_ids:
        return buf.getvalue()
    stmt = (
        select(Signature, AttendanceSheet, Child, Guardian, SigningRequest)
        .join(AttendanceSheet, AttendanceSheet.id == Signature.sheet_id)
        .join(SigningRequest, SigningRequest.id == Signature.signing_request_id)
        .join(Child, Child.id == AttendanceSheet.child_id)
        .join(Guardian, Guardian.id == Signature.guardian_id)
        .where(AttendanceSheet.provider_id.in_(provider_ids),  # type: ignore[attr-defined]
               AttendanceSheet.period_start == start, AttendanceSheet.period_end == end,
               AttendanceSheet.status == SheetStatus.SIGNED)
        .order_by(Child.last_name, Child.first_name, Signature.id)
    )

    for sig, sheet, child, guardian, request in session.exec(stmt):
        totals = json.loads(sig.document_json).get("totals", {})
        disputed = request.signature_disputed_at
        writer.writerow([
            _csv_safe(child.full_name), _csv_safe(sig.signer_name or guardian.full_name),
            sheet.period_start.isoformat(), sheet.period_end.isoformat(),
            f"{int(totals.get('minutes', 0)) / 60:.2f}", totals.get("days_present", 0), totals.get("days_absent", 0),
            sig.signed_at.strftime(UTC_FORMAT), sig.reference, sig.document_hash,
            "yes" if sig.in_person else "no", disputed.strftime(UTC_FORMAT) if disputed else "",
        ])
    return buf.getvalue()
