"""Corrections of a sheet built from live taps: every change of a tapped day is on the sheet's audit trail.

A sheet is "live" once a tap was recorded on it. From then on, a change to one of its days, from
the board (with the provider's reason) or from the grid, is recorded as a correction with the
day's times before and after, so the parent and the agency can see what the taps said.
"""

from __future__ import annotations

from datetime import date, time

from sqlmodel import Session, select

from careconnect_app.common import audit
from careconnect_app.models import AttendanceEntry, AttendanceSheet, AttendanceTap
from careconnect_app.statuses import Actor, AttendanceEvent, TapOutcome

NOTHING = "—"  # a day with no entries, as the audit trail writes it


def _hhmm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else "?"


def day_summary(entries: list[AttendanceEntry]) -> str:
    """One day's entries as the audit trail writes them: "08:02–12:15, 13:00–?", "absent (Sick)" or "—"."""
    parts = []
    for entry in sorted(entries, key=lambda e: (e.absent, e.check_in or e.check_out or time.min)):
        if entry.absent:
            parts.append(f"absent ({entry.absence_reason})" if entry.absence_reason else "absent")
        else:
            parts.append(f"{_hhmm(entry.check_in)}–{_hhmm(entry.check_out)}")
    return ", ".join(parts) or NOTHING


def day_entries(session: Session, sheet_id: int, day: date) -> list[AttendanceEntry]:
    stmt = select(AttendanceEntry).where(AttendanceEntry.sheet_id == sheet_id, AttendanceEntry.day == day)
    return list(session.exec(stmt.order_by(AttendanceEntry.id)))


def is_live(session: Session, sheet_id: int) -> bool:
    """Whether a tap was recorded on this sheet (its days came from the board)."""
    stmt = select(AttendanceTap.id).where(AttendanceTap.sheet_id == sheet_id,
                                          AttendanceTap.outcome == TapOutcome.RECORDED)
    return session.exec(stmt).first() is not None


def record_correction(session: Session, sheet: AttendanceSheet, day: date, before: str, after: str, *,
                      via: str, reason: str = "", user_id: int | None = None, actor: str = Actor.PROVIDER,
                      ip: str = "", user_agent: str = "", only_if_live: bool = True) -> bool:
    """Audit one changed day (nothing when it reads the same, or, with `only_if_live`, when the sheet
    was typed in the grid from the start); True when a correction was recorded."""
    if before == after or (only_if_live and not is_live(session, sheet.id)):
        return False
    detail = {"day": day.isoformat(), "before": before, "after": after, "via": via}
    if reason:
        detail["reason"] = reason
    audit.record(session, AttendanceEvent.CORRECTED, actor=actor, sheet_id=sheet.id, user_id=user_id, ip=ip,
                 user_agent=user_agent, detail=detail)
    return True
