"""Taps from today's board (check in, check out, absent): each recorded once, on the period's sheet.

A tap reaches the server through the portal's event channel with the idempotency key the device
made for it (a UUID), the device's clock at the tap and when sending, and whether it waited on the
device while offline. The live portal session of the provider who sends it authenticates it; a
tap whose answer was lost is sent again, and the unique key makes that harmless.

Time: a tap that arrives at once counts at the server's clock. A tap that waited on the device
counts at the device's time of the tap measured on the server's clock (arrival minus how long the
device says it waited), so a phone whose clock is wrong still records the right time; the device's
own time and the arrival are kept beside it. Times are read on the agency's clock and calendar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select, update

from careconnect_app import attendance
from careconnect_app.clock import iso, utcnow
from careconnect_app.common import audit
from careconnect_app.common.formatting import zone
from careconnect_app.models import Agency, AttendanceEntry, AttendanceSheet, AttendanceTap, Child, PortalUser, Provider
from careconnect_app.portal import access, corrections, grid
from careconnect_app.statuses import Actor, AttendanceEvent, Role, SheetStatus, TapAction, TapOutcome

MAX_BATCH = 50  # taps per event from one device
MAX_AGE = timedelta(days=35)  # a tap older than this is kept but not put on a sheet
LATE_AFTER = timedelta(minutes=2)  # a tap arriving later than this waited on the device
MAX_REASON = 200
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MAX_WAIT = timedelta(days=400)
_MAX_MS = 2**53  # JavaScript's largest exact integer
_OPEN = (SheetStatus.DRAFT, SheetStatus.RECALLED)


@dataclass(frozen=True)
class TapInput:
    """One tap as the device sent it (checked by `parse_tap`)."""

    key: str
    child_id: int
    action: TapAction
    device_tapped_ms: int  # the device's clock at the tap (ms since 1970)
    device_sent_ms: int  # the device's clock when it sent the tap
    queued: bool  # the device kept it while offline
    reason: str = ""  # why the child is absent


@dataclass(frozen=True)
class TapResult:
    key: str
    outcome: TapOutcome


@dataclass(frozen=True)
class TapTiming:
    tapped_at: datetime  # the time the tap counts for (UTC)
    device_tapped_at: datetime  # what the device's clock said
    offline: bool


def _ms(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if 0 < value < _MAX_MS else None


def parse_tap(raw: object) -> TapInput | None:
    """A tap from the browser (any client may send anything): None when it is not a well-formed tap."""
    if not isinstance(raw, dict):
        return None
    key = str(raw.get("key", ""))[:64].strip().lower()
    action = raw.get("action")
    tapped, sent = _ms(raw.get("tapped_at")), _ms(raw.get("sent_at"))
    child_id = access.as_id(raw.get("child_id"))
    if not (_UUID.fullmatch(key) and action in tuple(TapAction) and child_id and tapped and sent):
        return None
    reason = " ".join(str(raw.get("reason") or "")[:1000].split())[:MAX_REASON] if action == TapAction.ABSENT else ""
    return TapInput(key, child_id, TapAction(action), tapped, sent, raw.get("offline") is True, reason)


def parse_batch(raw: object) -> list[TapInput]:
    """The well-formed taps of a batch (at most MAX_BATCH, each key once)."""
    if not isinstance(raw, list):
        return []
    taps: dict[str, TapInput] = {}
    for item in raw[:MAX_BATCH]:
        tap = parse_tap(item)
        if tap is not None:
            taps.setdefault(tap.key, tap)
    return list(taps.values())


def timing(tap: TapInput, received_at: datetime) -> TapTiming:
    """When the tap counts: the arrival, or for a tap that waited, the arrival minus the wait."""
    waited = min(timedelta(milliseconds=max(0, tap.device_sent_ms - tap.device_tapped_ms)), _MAX_WAIT)
    offline = tap.queued or waited > LATE_AFTER
    device = datetime.fromtimestamp(tap.device_tapped_ms / 1000, timezone.utc)
    return TapTiming(received_at - waited if offline else received_at, device, offline)


def record_taps(session: Session, user: PortalUser | None, taps: list[TapInput], *, ip: str = "",
                user_agent: str = "", now: datetime | None = None) -> list[TapResult]:
    """Record each tap once (provider staff only, their own provider's children)."""
    now = now or utcnow()
    own = set(access.provider_ids(session, user)) if user is not None and user.role == Role.PROVIDER else set()
    return [TapResult(tap.key, _record(session, user, own, tap, ip, user_agent, now)) for tap in taps]


def _record(session: Session, user: PortalUser | None, own: set[int], tap: TapInput, ip: str, user_agent: str,
            now: datetime) -> TapOutcome:
    if session.exec(select(AttendanceTap.id).where(AttendanceTap.idempotency_key == tap.key)).first() is not None:
        return TapOutcome.DUPLICATE
    child = session.get(Child, tap.child_id)
    if user is None or child is None or child.provider_id not in own:
        return TapOutcome.REFUSED
    try:
        with session.begin_nested():  # the tap, its entry and its audit event, or none of them
            return _keep(session, user, child, tap, ip, user_agent, now)
    except IntegrityError:  # the same key, sent at the same moment from another tab
        return TapOutcome.DUPLICATE


def _keep(session: Session, user: PortalUser, child: Child, tap: TapInput, ip: str, user_agent: str,
          now: datetime) -> TapOutcome:
    provider = session.get(Provider, child.provider_id)
    agency = session.get(Agency, provider.agency_id)
    when = timing(tap, now)
    local = when.tapped_at.astimezone(zone(agency.timezone))
    row = AttendanceTap(idempotency_key=tap.key, child_id=child.id, provider_id=child.provider_id, user_id=user.id,
                        action=tap.action, outcome=TapOutcome.RECORDED, tapped_at=when.tapped_at, day=local.date(),
                        local_time=local.time().replace(microsecond=0, tzinfo=None),
                        device_tapped_at=when.device_tapped_at, received_at=now, offline=when.offline,
                        absence_reason=tap.reason)
    session.add(row)
    session.flush()  # the unique key decides before anything else is written
    row.outcome = _place(session, row, child, agency, now)
    session.add(row)
    detail = {"action": row.action, "day": row.day.isoformat(), "time": row.local_time.isoformat(),
              "offline": row.offline, "tap": row.idempotency_key}
    if row.offline:
        detail["device_time"] = iso(row.device_tapped_at)
    if row.absence_reason:
        detail["reason"] = row.absence_reason
    if row.outcome != TapOutcome.RECORDED:
        detail["outcome"] = row.outcome
    event = AttendanceEvent.TAPPED if row.outcome == TapOutcome.RECORDED else AttendanceEvent.TAP_NOT_RECORDED
    audit.record(session, event, actor=Actor.PROVIDER, sheet_id=row.sheet_id, user_id=user.id, ip=ip,
                 user_agent=user_agent, detail=detail, at=now)
    return row.outcome


def _place(session: Session, row: AttendanceTap, child: Child, agency: Agency, now: datetime) -> TapOutcome:
    """Put the tap on the sheet of its day's period (made as a draft when needed), when it may go there."""
    if not child.active:
        return TapOutcome.INACTIVE
    if now - row.tapped_at > MAX_AGE:
        return TapOutcome.TOO_OLD
    sheet = grid.get_or_create_sheet(session, child, *attendance.period_containing(row.day, agency.period_type))
    row.sheet_id = sheet.id
    if not open_for_changes(session, sheet, now):
        return TapOutcome.LOCKED
    _apply(session, sheet.id, row)
    return TapOutcome.RECORDED


def open_for_changes(session: Session, sheet: AttendanceSheet, now: datetime) -> bool:
    """Claim the sheet for a change while it is a draft (a recalled sheet becomes one again).

    One conditional UPDATE: a submit racing the change either comes after it or finds it refused.
    """
    claimed = session.exec(
        update(AttendanceSheet).where(AttendanceSheet.id == sheet.id,
                                      AttendanceSheet.status.in_(_OPEN))  # type: ignore[attr-defined]
        .values(status=SheetStatus.DRAFT, updated_at=now)
    ).rowcount == 1
    if not claimed:
        session.refresh(sheet)  # someone else moved it: show its real status
    return claimed


def _apply(session: Session, sheet_id: int, row: AttendanceTap) -> None:
    """The tap as the day's entries: a new pair, the end of the open pair, or the day's absence."""
    entries = corrections.day_entries(session, sheet_id, row.day)
    at = row.local_time
    if row.action == TapAction.CHECK_IN:
        session.add(AttendanceEntry(sheet_id=sheet_id, day=row.day, check_in=at))
    elif row.action == TapAction.CHECK_OUT:
        open_pairs = [e for e in entries if open_pair(e) and e.check_in <= at]
        if open_pairs:
            latest = max(open_pairs, key=lambda e: e.check_in or time.min)
            latest.check_out = at
            session.add(latest)
        else:  # out without an in (tapped on two phones, say): kept, and the grid asks to fix it
            session.add(AttendanceEntry(sheet_id=sheet_id, day=row.day, check_out=at))
    else:
        absence = next((e for e in entries if e.absent), None)
        if absence is None:
            absence = AttendanceEntry(sheet_id=sheet_id, day=row.day, absent=True)
        absence.absence_reason = row.absence_reason
        session.add(absence)
    session.flush()


def open_pair(entry: AttendanceEntry) -> bool:
    """A check-in still waiting for its check-out."""
    return not entry.absent and entry.check_in is not None and entry.check_out is None
