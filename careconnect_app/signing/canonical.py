"""The canonical document a parent signs: exactly what the review step shows, as JSON, and its hash."""

from __future__ import annotations

import json

from sqlmodel import Session

from careconnect_app import attendance
from careconnect_app.clock import iso
from careconnect_app.common.crypto import sha256_hex
from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, Provider

DOCUMENT_SCHEMA = "careconnect.attendance.v1"


PARENT_CERTIFICATION_VERSION = "parent-cert-v1"


PROVIDER_CERTIFICATION_VERSION = "provider-cert-v1"


def canonical_document(
    session: Session,
    sheet: AttendanceSheet,
    guardian: Guardian,
    *,
    locale: str,
    certification_text: str,
    provider_certification_text: str = "",
) -> dict:
    """Exactly what the parent is shown and signs, as plain JSON-ready data."""
    child = session.get(Child, sheet.child_id)
    provider = session.get(Provider, sheet.provider_id)
    agency = session.get(Agency, provider.agency_id) if provider else None
    days = attendance.build_days(attendance.entries_for(session, sheet.id))
    tot = attendance.totals(days)
    return {
        "schema": DOCUMENT_SCHEMA,
        "agency": {"name": agency.name if agency else ""},
        "provider": {
            "name": provider.name if provider else "",
            "phone": provider.phone if provider else "",
            "email": provider.email if provider else "",
        },
        "child": {"name": child.full_name if child else ""},
        "guardian": {"name": guardian.full_name},
        "period": {"start": sheet.period_start.isoformat(), "end": sheet.period_end.isoformat()},
        "days": [
            {
                "date": d.day.isoformat(),
                "absent": d.absent,
                "absence_reason": d.absence_reason or None,
                "pairs": [{"in": a.strftime("%H:%M"), "out": b.strftime("%H:%M")} for a, b in d.pairs],
                "minutes": 0 if d.absent else d.minutes,
            }
            for d in days
        ],
        "totals": {"minutes": tot.minutes, "days_present": tot.days_present, "days_absent": tot.days_absent},
        "certification": {"version": PARENT_CERTIFICATION_VERSION, "text": certification_text},
        "provider_certification": {
            "version": PROVIDER_CERTIFICATION_VERSION,
            "text": provider_certification_text,
            "submitted_at": iso(sheet.submitted_at),
        },
        "sheet_id": sheet.id,
        "sheet_version": sheet.version,
        "locale": locale,
    }


def canonical_json(document: dict) -> str:
    """Stable serialisation: sorted keys, no spaces, UTF-8 text (what the hash covers)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def document_hash(document: dict) -> str:
    return sha256_hex(canonical_json(document))
