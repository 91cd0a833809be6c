"""Today's board: every active child of the provider, where they are now, today's times, and the
correction of a mistaken tap (with a reason, on the sheet's audit trail).

Provider staff only: an agency administrator has no board (it records a provider's own day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func
from sqlmodel import Session, select

from careconnect_app import attendance
from careconnect_app.clock import utcnow
from careconnect_app.common.formatting import local_today
from careconnect_app.models import Agency, AttendanceEntry, AttendanceSheet, AttendanceTap, Child, PortalUser, Provider
from careconnect_app.portal import access, corrections, taps
from careconnect_app.statuses import Presence, Role, TapOutcome

MIN_REASON = 3  # a correction says why in a few words at least
NOT_ON_SHEET = (TapOutcome.LOCKED, TapOutcome.TOO_OLD, TapOutcome.INACTIVE)


@dataclass(frozen=True)
class BoardEntry:
    entry_id: int
    check_in: time | None
    check_out: time | None
    absent: bool
    reason: str


@dataclass(frozen=True)
class BoardChild:
    child_id: int
    name: str
    presence: Presence
    entries: list[BoardEntry]
    sheet_id: int | None  # today's period sheet, once there is one
    locked: bool  # that sheet was submitted: no more taps on its days
    held: int  # taps of today kept but not on the sheet (submitted sheet, child off the roster)


@dataclass(frozen=True)
class Board:
    day: date  # today on the agency's calendar
    timezone: str  # the agency's (the device shows its waiting taps on the same clock)
    children: list[BoardChild]


def presence(entries: list[AttendanceEntry] | list[BoardEntry]) -> Presence:
    if any(not e.absent and e.check_in is not None and e.check_out is None for e in entries):
        return Presence.IN
    return Presence.ABSENT if any(e.absent for e in entries) else Presence.OUT


def board(session: Session, user: PortalUser | None, now: datetime | None = None) -> Board | None:
    """The provider's children for today (None for anyone but provider staff)."""
    if user is None or user.role != Role.PROVIDER or not access.provider_ids(session, user):
        return None
    provider = session.get(Provider, user.provider_id)
    agency = session.get(Agency, provider.agency_id)
    day = local_today(agency.timezone, now)
    start, end = attendance.period_containing(day, agency.period_type)
    children = list(session.exec(select(Child).where(Child.provider_id == provider.id, Child.active)
                                 .order_by(Child.first_name, Child.last_name, Child.id)))
    ids = [c.id for c in children]
    sheets = {s.child_id: s for s in session.exec(select(AttendanceSheet).where(
        AttendanceSheet.child_id.in_(ids), AttendanceSheet.period_start == start,  # type: ignore[attr-defined]
        AttendanceSheet.period_end == end))}
    by_sheet: dict[int, list[BoardEntry]] = {}
    if sheets:
        stmt = select(AttendanceEntry).where(AttendanceEntry.sheet_id.in_([s.id for s in sheets.values()]),  # type: ignore[attr-defined]
                                             AttendanceEntry.day == day)
        for e in sorted(session.exec(stmt), key=lambda e: (e.absent, e.check_in or e.check_out or time.min, e.id)):
            by_sheet.setdefault(e.sheet_id, []).append(
                BoardEntry(e.id, e.check_in, e.check_out, e.absent, e.absence_reason))
    held = dict(session.exec(select(AttendanceTap.child_id, func.count()).where(
        AttendanceTap.provider_id == provider.id, AttendanceTap.day == day,
        AttendanceTap.outcome.in_(NOT_ON_SHEET)).group_by(AttendanceTap.child_id)).all())  # type: ignore[attr-defined]
    cards = []
    for child in children:
        sheet = sheets.get(child.id)
        entries = by_sheet.get(sheet.id, []) if sheet else []
        cards.append(BoardChild(child.id, child.full_name, presence(entries), entries, sheet.id if sheet else None,
                                bool(sheet and sheet.locked), held.get(child.id, 0)))
    return Board(day, agency.timezone, cards)


# --- correcting a mistaken tap ------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """What the correction dialog sends: new times ("HH:MM" or "") or removal, and why."""

    entry_id: int
    check_in: str
    check_out: str
    remove: bool
    reason: str


@dataclass(frozen=True)
class EntryToCorrect:
    entry_id: int
    child_name: str
    day: date
    check_in: time | None
    check_out: time | None
    absent: bool
    reason: str


def entry_to_correct(session: Session, user: PortalUser | None, entry_id: object) -> EntryToCorrect | None:
    """One entry of the caller's own children, for the correction dialog (None: not theirs or gone)."""
    found = _own_entry(session, user, entry_id)
    if found is None:
        return None
    entry, sheet = found
    child = session.get(Child, sheet.child_id)
    return EntryToCorrect(entry.id, child.full_name if child else "", entry.day, entry.check_in, entry.check_out,
                          entry.absent, entry.absence_reason)


def _own_entry(session: Session, user: PortalUser | None,
               entry_id: object) -> tuple[AttendanceEntry, AttendanceSheet] | None:
    if user is None or user.role != Role.PROVIDER:
        return None
    number = access.as_id(entry_id)
    entry = session.get(AttendanceEntry, number) if number else None
    sheet = access.sheet_for(session, user, entry.sheet_id) if entry else None
    return (entry, sheet) if sheet is not None else None


def _typed(original: time | None, typed: str) -> time | None:
    """A time from the dialog; the tapped time (to the second) when its hour and minute are unchanged."""
    value = attendance.parse_time(typed)
    if value is not None and original is not None and original.strftime("%H:%M") == value.strftime("%H:%M"):
        return original
    return value


def correct_entry(session: Session, user: PortalUser | None, form: Correction, *, ip: str = "",
                  user_agent: str = "", now: datetime | None = None) -> str:
    """Change or remove one entry with a reason, audited as a correction; "" when done, else the
    translation key (under "portal.") of why not."""
    found = _own_entry(session, user, form.entry_id)
    if found is None:
        return "error.not_found"
    entry, sheet = found
    reason = " ".join(form.reason.split())[:taps.MAX_REASON]
    if len(reason) < MIN_REASON:
        return "today.error.reason"
    same_day = corrections.day_entries(session, sheet.id, entry.day)
    check_in = check_out = None
    if not form.remove and not entry.absent:
        try:
            check_in, check_out = _typed(entry.check_in, form.check_in), _typed(entry.check_out, form.check_out)
        except ValueError:
            return "attendance.error.bad_time"
        if check_in is None and check_out is None:
            return "today.error.no_times"
        pairs = [(e.check_in, e.check_out) for e in same_day if e.id != entry.id and not e.absent]
        errors = [key for key in attendance.validate_day(entry.day, [*pairs, (check_in, check_out)], False,
                                                         sheet.period_start, sheet.period_end)
                  if key != "attendance.error.incomplete_pair"]  # a child still in has no check-out yet
        if errors:
            return errors[0]
    if not taps.open_for_changes(session, sheet, now or utcnow()):
        return "today.error.locked"
    before = corrections.day_summary(same_day)
    if form.remove or entry.absent:
        session.delete(entry)
    else:
        entry.check_in, entry.check_out = check_in, check_out
        session.add(entry)
    session.flush()
    after = corrections.day_summary(corrections.day_entries(session, sheet.id, entry.day))
    corrections.record_correction(session, sheet, entry.day, before, after, via="board", reason=reason,
                                  user_id=user.id, ip=ip, user_agent=user_agent, only_if_live=False)
    return ""
