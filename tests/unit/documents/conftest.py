"""A signed week of attendance, its signature and its audit trail: the evidence every document test renders."""

from __future__ import annotations

from datetime import datetime

import pytest

from careconnect_app.documents.evidence_types import AuditEntry, SignatureEvidence
from tests.unit.documents.support import HASH, LONG_UA, signature_png


@pytest.fixture(scope="module")
def document() -> dict:
    def day(d, pairs, minutes):
        return {"date": d, "recorded": True, "absent": False, "absence_reason": None,
                "pairs": [{"in": a, "out": b} for a, b in pairs], "minutes": minutes}

    def no_record(d):
        return {"date": d, "recorded": False, "absent": False, "absence_reason": None, "pairs": [], "minutes": 0}

    return {
        "schema": "careconnect.attendance.v2",
        "agency": {"name": "Valley Child Care Subsidy Program", "timezone": "America/Los_Angeles"},
        "provider": {"name": "Little Sprouts Family Child Care", "phone": "+15555550100",
                     "email": "hello@littlesprouts.example"},
        "child": {"name": "Mateo Garcia"},
        "guardian": {"name": "Ana Garcia"},
        "period": {"start": "2026-11-02", "end": "2026-11-08"},
        "days": [
            day("2026-11-02", [("08:00", "12:30"), ("13:00", "17:15")], 525),
            {"date": "2026-11-03", "recorded": True, "absent": True, "absence_reason": "Sick", "pairs": [],
             "minutes": 0},
            day("2026-11-04", [("07:45", "16:45")], 540),
            day("2026-11-05", [("08:00", "17:00")], 540),
            day("2026-11-06", [("08:15", "16:00")], 465),
            no_record("2026-11-07"),
            no_record("2026-11-08"),
        ],
        "totals": {"minutes": 2070, "days_present": 4, "days_absent": 1, "days_without_record": 2},
        "consent": {"version": "esign-consent-v1", "agreement": "I agree to sign electronically.",
                    "text": "By signing here you agree to use an electronic signature."},
        "certification": {"version": "parent-cert-v1",
                          "text": "I certify that the attendance shown is accurate."},
        "provider_certification": {"text": "I certify this record is complete.",
                                   "submitted_at": "2026-11-09T16:02:11Z"},
        "sheet_version": 1,
        "locale": "en",
    }


@pytest.fixture(scope="module")
def signature() -> SignatureEvidence:
    return SignatureEvidence(
        signer_name="Ana Garcia", signed_at=datetime(2026, 11, 9, 18, 15, 3), reference="CC-7F3K-9Q2M",
        document_hash=HASH, png=signature_png(), verification="sms", in_person=False,
        manifest_sha256="4" * 64, key_id="5" * 64, previous_event_hash="6" * 64,
        verify_url="https://sign.careconnect.example.org/verify",
    )


@pytest.fixture(scope="module")
def events() -> list[AuditEntry]:
    def at(minute):
        return datetime(2026, 11, 9, 18, minute, 0)

    return [
        AuditEntry(datetime(2026, 11, 9, 16, 2, 11), "submitted", "provider", "203.0.113.7", "Firefox", "",
                   '{"version": 1}'),
        AuditEntry(at(9), "notified", "system", None, None, "sms", '{"message_id": 3}'),
        AuditEntry(at(10), "link_opened", "parent", "198.51.100.23", LONG_UA, "", None),
        AuditEntry(at(10), "started", "parent", "198.51.100.23", LONG_UA, "", None),
        AuditEntry(at(11), "code_sent", "parent", "198.51.100.23", LONG_UA, "sms", '{"to": "(***) ***-0142"}'),
        AuditEntry(at(12), "code_failed", "parent", "198.51.100.23", LONG_UA, "sms", '{"attempt": 1}'),
        AuditEntry(at(13), "verified", "parent", "198.51.100.23", LONG_UA, "sms", '{"to": "(***) ***-0142"}'),
        AuditEntry(at(14), "reviewed", "parent", "198.51.100.23", LONG_UA, "",
                   f'{{"document_hash": "{HASH}", "locale": "en"}}'),
        AuditEntry(at(15), "signed", "parent", "198.51.100.23", LONG_UA, "sms",
                   f'{{"document_hash": "{HASH}", "reference": "CC-7F3K-9Q2M", "in_person": false}}'),
        AuditEntry(at(15), "copies_queued", "system", None, None, None,
                   '{"channels": ["email", "sms"], "recipients": ["provider", "agency"]}'),
        AuditEntry(at(16), "custom_thing", "agency", None, None, None, "free text"),
    ]
