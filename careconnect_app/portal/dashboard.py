"""What the portal's dashboard shows: the periods offered, sheet statuses, one row per child.

Callers pass the provider ids the user may see (portal.accounts.provider_ids); nothing here
widens them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from careconnect_app import attendance
from careconnect_app.clock import utcnow
from careconnect_app.models import (
    AttendanceSheet,
    Child,
    SigningRequest,
)
from careconnect_app.portal import roster
from careconnect_app.statuses import OPEN_REQUEST_STATUSES, PortalStatus, RequestStatus, SheetStatus

# --- periods -----------------------------------------------------------------------------------

PERIODS_OFFERED = 12


def period_value(start: date, end: date) -> str:
    """A period as the dashboard's period list names it: "start|end"."""
    return f"{start.isoformat()}|{end.isoformat()}"


def offered_periods(today: date, period_type: str) -> list[tuple[date, date]]:
    return attendance.recent_periods(today, period_type, PERIODS_OFFERED)


def chosen_period(value: str, period_type: str, today: date) -> tuple[date, date] | None:
    """The period a "start|end" value names, when the dashboard offers it (a client may send any text)."""
    try:
        start_text, end_text = value.split("|")
        start, end = date.fromisoformat(start_text), date.fromisoformat(end_text)
    except ValueError:
        return None
    return (start, end) if (start, end) in offered_periods(today, period_type) else None


# --- statuses ----------------------------------------------------------------------------------


def open_requests(requests: list[SigningRequest]) -> list[SigningRequest]:
    return [r for r in requests if r.status in OPEN_REQUEST_STATUSES]


def sheet_status(sheet: AttendanceSheet | None, requests: list[SigningRequest], now: datetime | None = None) -> str:
    """One dashboard status from the sheet and its signing requests."""
    if sheet is None:
        return PortalStatus.NOT_STARTED
    if sheet.status == SheetStatus.SIGNED:
        return PortalStatus.SIGNED
    if sheet.status != SheetStatus.READY_FOR_PARENT:
        return PortalStatus.DRAFT  # draft, or recalled for correction
    now = now or utcnow()
    current = [r for r in open_requests(requests) if r.sheet_version == sheet.version]
    if any(r.status == RequestStatus.DISPUTED for r in current):
        return PortalStatus.PROBLEM
    live = [r for r in current if r.expires_at > now]
    if not live:
        return PortalStatus.EXPIRED
    if any(r.verified_at for r in live):
        return PortalStatus.VERIFIED
    if any(r.opened_at for r in live):
        return PortalStatus.OPENED
    return PortalStatus.READY


def requests_by_sheet(session: Session, sheet_ids: list[int]) -> dict[int, list[SigningRequest]]:
    if not sheet_ids:
        return {}
    stmt = select(SigningRequest).where(SigningRequest.sheet_id.in_(sheet_ids)).order_by(SigningRequest.id)  # type: ignore[attr-defined]
    out: dict[int, list[SigningRequest]] = {}
    for r in session.exec(stmt):
        out.setdefault(r.sheet_id, []).append(r)
    return out


# --- dashboard ---------------------------------------------------------------------------------


@dataclass
class DashboardRow:
    child_id: int
    child_name: str
    provider_name: str
    sheet_id: int  # 0 when no sheet exists for the period yet
    status: str
    guardians: str
    total_minutes: int
    signed_at: datetime | None
    problem: str
    recalled: bool
    missing_days: int = 0  # days of the period with neither times nor an absence


def is_overdue(status: str, due: date, today: date) -> bool:
    """Past the agency's deadline and not signed yet."""
    return today > due and status != PortalStatus.SIGNED


def dashboard(
    session: Session,
    provider_ids: list[int],
    start: date,
    end: date,
    *,
    status: str = "",
    search: str = "",
    provider_names: dict[int, str] | None = None,
) -> tuple[list[DashboardRow], dict[str, int]]:
    """One row per active child (and per sheet of the period), filtered; counts before the status filter."""
    children = roster.children_of(session, provider_ids)
    child_ids = [c.id for c in children]
    sheets = {}
    if child_ids:
        stmt = select(AttendanceSheet).where(
            AttendanceSheet.child_id.in_(child_ids),  # type: ignore[attr-defined]
            AttendanceSheet.period_start == start, AttendanceSheet.period_end == end,
        )
        sheets = {s.child_id: s for s in session.exec(stmt)}
    reqs = requests_by_sheet(session, [s.id for s in sheets.values()])
    guardians = roster.guardians_by_child(session, child_ids)
    now = utcnow()
    needle = " ".join(search.lower().split())
    rows, counts = [], {s: 0 for s in PortalStatus}
    for child in children:
        if needle and needle not in child.full_name.lower():
            continue
        sheet = sheets.get(child.id)
        requests = reqs.get(sheet.id, []) if sheet else []
        st = sheet_status(sheet, requests, now)
        counts[st] += 1
        if status and st != status:
            continue
        minutes, missing = 0, 0
        if sheet is not None:
            entries = attendance.entries_for(session, sheet.id)
            minutes = attendance.totals(attendance.build_days(entries)).minutes
            missing = len(set(attendance.period_days(start, end)) - {e.day for e in entries})
        disputed = [r for r in requests if r.status == RequestStatus.DISPUTED and sheet and r.sheet_version == sheet.version]
        rows.append(DashboardRow(
            child_id=child.id, child_name=child.full_name,
            provider_name=(provider_names or {}).get(child.provider_id, ""),
            sheet_id=sheet.id if sheet else 0, status=st,
            guardians=", ".join(g.full_name for g in guardians.get(child.id, [])),
            total_minutes=minutes, signed_at=sheet.signed_at if sheet else None,
            problem=disputed[-1].dispute_text if disputed else "",
            recalled=bool(sheet and sheet.status == SheetStatus.RECALLED), missing_days=missing,
        ))
    return rows, counts




def overdue_periods(session: Session, provider_ids: list[int], periods: list[tuple[date, date]], deadline_day: int,
                    today: date) -> list[tuple[date, date, int]]:
    """The periods past the agency's deadline that still have unsigned sheets, with how many."""
    past = [(s, e) for s, e in periods if today > attendance.due_date(e, deadline_day)]
    if not past or not provider_ids:
        return []
    stmt = (select(AttendanceSheet.period_start, AttendanceSheet.period_end)
            .join(Child, Child.id == AttendanceSheet.child_id)
            .where(AttendanceSheet.provider_id.in_(provider_ids),  # type: ignore[attr-defined]
                   AttendanceSheet.status != SheetStatus.SIGNED, Child.active == True))  # noqa: E712
    counts: dict[tuple[date, date], int] = {}
    for start, end in session.exec(stmt):
        counts[(start, end)] = counts.get((start, end), 0) + 1
    return [(s, e, counts[(s, e)]) for s, e in past if counts.get((s, e))]
