"""A provider's day at the door: an agency in Los Angeles, a provider with three children and a
guardian each, its staff login, another provider's child, and taps as the board sends them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from careconnect_app.db import session_scope
from careconnect_app.models import Agency, Child, ChildGuardian, Guardian, PortalUser, Provider
from careconnect_app.portal import accounts, taps
from careconnect_app.portal.taps import TapInput
from careconnect_app.statuses import TapAction

# Monday 2026-11-16, 08:00 in Los Angeles (PST, UTC-8).
MORNING = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Door:
    agency: int
    provider: int
    children: list[int]  # Mateo, Olivia, Sofía
    other_child: int  # another provider's
    staff: int  # the provider's login
    admin: int  # the agency administrator


def door(period_type: str = "weekly") -> Door:
    with session_scope() as s:
        agency = Agency(name="Valley", timezone="America/Los_Angeles", period_type=period_type,
                        requires_verification=False)
        s.add(agency)
        s.flush()
        provider, other = Provider(agency_id=agency.id, name="Little Sprouts"), Provider(agency_id=agency.id, name="B")
        s.add_all([provider, other])
        s.flush()
        kids = [Child(provider_id=provider.id, first_name=f, last_name=last)
                for f, last in (("Mateo", "García"), ("Olivia", "Johnson"), ("Sofía", "Hernández"))]
        foreign = Child(provider_id=other.id, first_name="Zoe", last_name="Other")
        s.add_all([*kids, foreign])
        s.flush()
        for kid in kids:
            parent = Guardian(provider_id=provider.id, first_name="Pat", last_name=kid.last_name,
                              email=f"pat.{kid.id}@example.com", notify_sms=False)
            s.add(parent)
            s.flush()
            s.add(ChildGuardian(child_id=kid.id, guardian_id=parent.id))
        staff = accounts.create_user(s, email="door@sprouts.example", name="Door", password="door-password-1",
                                     role="provider", agency_id=agency.id, provider_id=provider.id)
        admin = accounts.create_user(s, email="admin@valley.example", name="Admin", password="admin-password-1",
                                     role="agency_admin", agency_id=agency.id)
        return Door(agency.id, provider.id, [k.id for k in kids], foreign.id, staff.id, admin.id)


def user(session, user_id: int) -> PortalUser:
    return session.get(PortalUser, user_id)


def tap(child_id: int, action: TapAction, at: datetime, *, sent: datetime | None = None, queued: bool = False,
        reason: str = "", key: str | None = None) -> TapInput:
    """A tap made at `at` on the device's clock and sent at `sent` (at once by default)."""
    sent = sent or at
    return TapInput(key or str(uuid.uuid4()), child_id, action, int(at.timestamp() * 1000),
                    int(sent.timestamp() * 1000), queued, reason)


def send(d: Door, *inputs: TapInput, now: datetime = MORNING) -> list[str]:
    """The staff login's phone sends `inputs` at `now`; the outcomes."""
    with session_scope() as s:
        return [r.outcome for r in taps.record_taps(s, user(s, d.staff), list(inputs), ip="10.0.0.5",
                                                    user_agent="phone", now=now)]


def in_and_out(d: Door, child_id: int, stay: timedelta) -> None:
    """The child checks in at MORNING and out `stay` later, each tap sent at once."""
    send(d, tap(child_id, TapAction.CHECK_IN, MORNING))
    send(d, tap(child_id, TapAction.CHECK_OUT, MORNING + stay), now=MORNING + stay)
