"""The provider's day grid: read a sheet as days of the period, validate and save one day at a time."""

from __future__ import annotations

from datetime import date, time

from sqlmodel import Session, select

from careconnect_app import attendance
from careconnect_app.clock import utcnow
from careconnect_app.models import AttendanceEntry, AttendanceSheet, Child
from careconnect_app.statuses import SheetStatus


def get_or_create_sheet(session: Session, child: Child, start: date, end: date) -> AttendanceSheet:
    stmt = select(AttendanceSheet).where(AttendanceSheet.child_id == child.id,
                                         AttendanceSheet.period_start == start, AttendanceSheet.period_end == end)
    sheet = session.exec(stmt).first()
    if sheet is None:
        sheet = AttendanceSheet(child_id=child.id, provider_id=child.provider_id, period_start=start, period_end=end)
        session.add(sheet)
        session.flush()
    return sheet


def _hhmm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def grid_days(session: Session, sheet: AttendanceSheet) -> list[dict]:
    """Every day of the period: {"iso", "absent", "reason", "pairs": [{"in","out"}]} (drafts too)."""
    by_day: dict[date, list[AttendanceEntry]] = {}
    for e in attendance.entries_for(session, sheet.id):
        by_day.setdefault(e.day, []).append(e)
    days = []
    for d in attendance.period_days(sheet.period_start, sheet.period_end):
        rows = by_day.get(d, [])
        absent = next((r for r in rows if r.absent), None)
        pairs = [{"in": _hhmm(r.check_in), "out": _hhmm(r.check_out)} for r in rows if not r.absent]
        days.append({"iso": d.isoformat(), "absent": absent is not None,
                     "reason": absent.absence_reason if absent else "", "pairs": pairs or [{"in": "", "out": ""}]})
    return days


def parse_pairs(pairs: list[dict]) -> tuple[list[tuple[time | None, time | None]], bool]:
    """Typed pairs from strings; the flag is False when a value is not a time."""
    out, ok = [], True
    for p in pairs:
        try:
            out.append((attendance.parse_time(str(p.get("in", ""))), attendance.parse_time(str(p.get("out", "")))))
        except ValueError:
            ok = False
    return out, ok


def day_errors(sheet: AttendanceSheet, day: date, pairs: list[dict], absent: bool) -> list[str]:
    typed, ok = parse_pairs(pairs)
    errors = attendance.validate_day(day, typed, absent, sheet.period_start, sheet.period_end)
    return errors if ok else errors + ["attendance.error.bad_time"]


def day_minutes(pairs: list[dict], absent: bool) -> int:
    if absent:
        return 0
    typed, _ = parse_pairs(pairs)
    return sum(attendance.minutes_between(a, b) for a, b in typed if a and b and b > a)


def save_day(session: Session, sheet: AttendanceSheet, day: date, pairs: list[dict], absent: bool, reason: str) -> None:
    """Replace one day's entries with what the grid shows (incomplete pairs kept as a draft)."""
    if sheet.locked or not (sheet.period_start <= day <= sheet.period_end):
        raise ValueError("sheet locked or day outside period")
    for e in session.exec(select(AttendanceEntry).where(AttendanceEntry.sheet_id == sheet.id,
                                                        AttendanceEntry.day == day)):
        session.delete(e)
    if absent:
        session.add(AttendanceEntry(sheet_id=sheet.id, day=day, absent=True, absence_reason=(reason or "").strip()[:200]))
    else:
        typed, _ = parse_pairs(pairs)
        for a, b in typed:
            if a or b:
                session.add(AttendanceEntry(sheet_id=sheet.id, day=day, check_in=a, check_out=b))
    if sheet.status == SheetStatus.RECALLED:
        sheet.status = SheetStatus.DRAFT
    sheet.updated_at = utcnow()
    session.add(sheet)
    session.flush()


def has_record(day: dict) -> bool:
    """Whether a grid day has anything entered: an absence or at least one time."""
    return bool(day["absent"] or any(p["in"] or p["out"] for p in day["pairs"]))


def missing_days(days: list[dict]) -> list[str]:
    """ISO dates of the grid days with neither times nor an absence (the parent would see "—")."""
    return [d["iso"] for d in days if not has_record(d)]


def copy_source(days: list[dict], index: int) -> int:
    """The index of the nearest earlier day with a record ("same as previous day"), or -1."""
    return next((i for i in range(min(index, len(days)) - 1, -1, -1) if has_record(days[i])), -1)
