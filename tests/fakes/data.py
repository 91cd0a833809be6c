"""Test data: settings for the test database, families with a pending signing request, signatures.

The database itself comes from the `database` fixture (tests/conftest.py); everything here
writes through `session_scope()` or a session the caller passes in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from careconnect_app import config
from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import (
    Agency,
    AttendanceEntry,
    AttendanceSheet,
    Child,
    ChildGuardian,
    Guardian,
    Provider,
    SigningRequest,
)

BASE_URL = "https://sign.careconnect.example.org"
SENT = datetime(2026, 2, 2, 18, 0, tzinfo=UTC)  # 10:00 in Los Angeles (PST, UTC-8)
# The settings every database test starts from (the `database` fixture in tests/conftest.py).
BASE_ENV = {
    "CARECONNECT_ENV": "dev",
    "CARECONNECT_SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
    "CARECONNECT_BASE_URL": BASE_URL,
    "CARECONNECT_DEMO_ON_EMPTY": "0",
    "CARECONNECT_RUN_WORKER": "0",
    "CARECONNECT_EMAIL_BACKEND": "file",
    "CARECONNECT_SMS_BACKEND": "file",
}


def reconfigure(monkeypatch, **env: str) -> None:
    """Change settings mid-test (e.g. point at a fake that started later)."""
    from careconnect_app.messaging import backends

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config.get_settings.cache_clear()
    backends.reset_backends()


@dataclass
class Family:
    agency: Agency
    provider: Provider
    child: Child
    guardian: Guardian
    sheet: AttendanceSheet
    request: SigningRequest
    token: str
    url: str


def make_family(session, *, email: str = "parent@example.com", phone: str = "+15555550123",
                locale: str = "en", notify_email: bool = True, notify_sms: bool = True,
                agency: Agency | None = None, now: datetime | None = None, child=("Mateo", "García"),
                guardian=("Ana", "García"), provider_name: str = "Little Sprouts Learning Center",
                **agency_fields) -> Family:
    """Agency, provider, child, guardian, a submitted sheet and a pending request (not notified)."""
    from careconnect_app.signing import links

    now = now or utcnow()
    if agency is None:
        agency = Agency(name="Valley Child Care Subsidy Program", **agency_fields)
        session.add(agency)
        session.flush()
    provider = Provider(agency_id=agency.id, name=provider_name, email="provider@example.com")
    session.add(provider)
    session.flush()
    kid = Child(provider_id=provider.id, first_name=child[0], last_name=child[1])
    parent = Guardian(provider_id=provider.id, first_name=guardian[0], last_name=guardian[1], email=email,
                      phone=phone, preferred_locale=locale, notify_email=notify_email, notify_sms=notify_sms)
    session.add_all([kid, parent])
    session.flush()
    session.add(ChildGuardian(child_id=kid.id, guardian_id=parent.id))
    start = (now - timedelta(days=40)).date().replace(day=1)
    sheet = AttendanceSheet(child_id=kid.id, provider_id=provider.id, period_start=start,
                            period_end=start + timedelta(days=27), status="ready_for_parent",
                            submitted_at=now)
    session.add(sheet)
    session.flush()
    request, token = links.issue(session, sheet, parent, agency, now=now)
    return Family(agency, provider, kid, parent, sheet, request, token, links.signing_url(token))


def notify(session, family: Family) -> list[int]:
    """Queue the ready-to-sign messages as a submission does."""
    from careconnect_app.messaging import compose

    return [m.id for m in compose.queue_ready_to_sign(session, family.request)]




def submitted_request(*, requires_verification=True, locale="en", email="ana@example.com", phone="+15555550123",
                      link_lifetime_days=14, guardians=1):
    """Agency -> provider -> child + guardian(s) -> a week of attendance submitted through the portal.

    Returns (request_id, token), or a list of them when there are several guardians.
    """
    from careconnect_app.portal import submission

    with session_scope() as s:
        agency = Agency(name="Test Agency", requires_verification=requires_verification,
                        link_lifetime_days=link_lifetime_days)
        s.add(agency)
        s.flush()
        provider = Provider(agency_id=agency.id, name="Test Provider", email="provider@example.com",
                            phone="+15555550100")
        s.add(provider)
        s.flush()
        child = Child(provider_id=provider.id, first_name="Mateo", last_name="García")
        s.add(child)
        s.flush()
        for n in range(guardians):
            g = Guardian(provider_id=provider.id, first_name="Ana" if n == 0 else f"G{n}", last_name="García",
                         email=email if n == 0 else f"g{n}@example.com", phone=phone if n == 0 else "",
                         preferred_locale=locale, notify_email=bool(email), notify_sms=bool(phone))
            s.add(g)
            s.flush()
            s.add(ChildGuardian(child_id=child.id, guardian_id=g.id))
        sheet = AttendanceSheet(child_id=child.id, provider_id=provider.id,
                                period_start=date(2026, 11, 2), period_end=date(2026, 11, 8))
        s.add(sheet)
        s.flush()
        s.add(AttendanceEntry(sheet_id=sheet.id, day=date(2026, 11, 2), check_in=time(8), check_out=time(12, 30)))
        s.add(AttendanceEntry(sheet_id=sheet.id, day=date(2026, 11, 2), check_in=time(13), check_out=time(17, 15)))
        s.add(AttendanceEntry(sheet_id=sheet.id, day=date(2026, 11, 3), absent=True, absence_reason="Sick"))
        s.add(AttendanceEntry(sheet_id=sheet.id, day=date(2026, 11, 4), check_in=time(7, 45), check_out=time(16)))
        s.flush()
        issued = submission.submit_sheet(s, sheet)
        links = [(i.request.id, i.url.rsplit("/", 1)[-1]) for i in issued]
    return links if guardians > 1 else links[0]


def cursive_strokes():
    """A realistic signature payload (two curvy strokes) in the pad's format."""
    first = [[round(0.05 + i * 0.012, 4), round(0.5 + 0.25 * math.sin(i / 3.0), 4), i * 16] for i in range(50)]
    second = [[round(0.7 + i * 0.01, 4), round(0.45 + 0.2 * math.cos(i / 2.0), 4), i * 16] for i in range(20)]
    return {"strokes": [first, second], "width": 354, "height": 200}


def scribble():
    """A cursive-like single stroke, wide as a phone's pad."""
    pts = []
    for i in range(160):
        u = i / 159
        a = u * 7 * 2 * math.pi
        pts.append([round(0.1 + 0.8 * u + 0.025 * math.cos(a), 4), round(0.55 + 0.18 * math.sin(a), 4), i * 12])
    return {"strokes": [pts], "width": 358, "height": 200}


def review(session, request_id: int, locale: str = "en") -> str:
    """The parent's review step on the page as it reads now: returns the document hash it recorded."""
    from careconnect_app.models import SigningRequest
    from careconnect_app.signing import canonical, parent_steps

    request = session.get(SigningRequest, request_id)
    shown = canonical.document_hash(canonical.document_for(session, request, locale))
    return parent_steps.mark_reviewed(session, request, shown_hash=shown, ip="198.51.100.7",
                                      user_agent="Mozilla/5.0 (iPhone)", locale=locale)
