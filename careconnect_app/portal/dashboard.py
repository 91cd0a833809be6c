"""What the portal shows: periods, sheet statuses, the dashboard, the day grid, the CSV export.

Callers pass the provider ids the user may see (portal.accounts.provider_ids); nothing here
widens them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from careconnect_app.clock import utcnow
from careconnect_app.models import (
    AttendanceEntry,
    AttendanceSheet,
    Child,
    Guardian,
    Signature,
    SigningRequest,
)
from careconnect_app import attendance
from careconnect_app.portal import roster

STATUSES = ("not_started", "draft", "ready", "opened", "verified", "problem", "expired", "signed")
OPEN_REQUEST_STATUSES = ("pending", "disputed")


# --- periods -----------------------------------------------------------------------------------


def period_containing(day: date, period_type: str) -> tuple[date, date]:
    """Monday-Sunday weeks, or calendar months."""
    if period_type == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    next_month = (start + timedelta(days=32)).replace(day=1)
    return start, next_month - timedelta(days=1)


def recent_periods(today: date, period_type: str, count: int = 8) -> list[tuple[date, date]]:
    """The current period and the ones before it, newest first."""
    periods = []
    day = today
    for _ in range(count):
        start, end = period_containing(day, period_type)
        periods.append((start, end))
        day = start - timedelta(days=1)
    return periods


def default_period(today: date, period_type: str) -> tuple[date, date]:
    """The period providers usually submit now: the one that just ended."""
    return recent_periods(today, period_type, 2)[1]


def due_date(period_end: date, deadline_day: int) -> date:
    """Sheets are due on the agency's deadline day of the month after the period ends."""
    first_next = (period_end.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_next.replace(day=max(1, min(28, deadline_day)))


# --- statuses ----------------------------------------------------------------------------------


def open_requests(requests: list[SigningRequest]) -> list[SigningRequest]:
    return [r for r in requests if r.status in OPEN_REQUEST_STATUSES]


def sheet_status(sheet: AttendanceSheet | None, requests: list[SigningRequest], now: datetime | None = None) -> str:
    """One dashboard status from the sheet and its signing requests."""
    if sheet is None:
        return "not_started"
    if sheet.status == "signed":
        return "signed"
    if sheet.status != "ready_for_parent":
        return "draft"  # draft, or recalled for correction
    now = now or utcnow()
    current = [r for r in open_requests(requests) if r.sheet_version == sheet.version]
    if any(r.status == "disputed" for r in current):
        return "problem"
    live = [r for r in current if r.expires_at > now]
    if not live:
        return "expired"
    if any(r.verified_at for r in live):
        return "verified"
    if any(r.opened_at for r in live):
        return "opened"
    return "ready"


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
    rows, counts = [], {s: 0 for s in STATUSES}
    for child in children:
        if needle and needle not in child.full_name.lower():
            continue
        sheet = sheets.get(child.id)
        requests = reqs.get(sheet.id, []) if sheet else []
        st = sheet_status(sheet, requests, now)
        counts[st] += 1
        if status and st != status:
            continue
        minutes = 0
        if sheet is not None:
            minutes = attendance.totals(attendance.build_days(attendance.entries_for(session, sheet.id))).minutes
        disputed = [r for r in requests if r.status == "disputed" and sheet and r.sheet_version == sheet.version]
        rows.append(DashboardRow(
            child_id=child.id, child_name=child.full_name,
            provider_name=(provider_names or {}).get(child.provider_id, ""),
            sheet_id=sheet.id if sheet else 0, status=st,
            guardians=", ".join(g.full_name for g in guardians.get(child.id, [])),
            total_minutes=minutes, signed_at=sheet.signed_at if sheet else None,
            problem=disputed[-1].dispute_text if disputed else "",
            recalled=bool(sheet and sheet.status == "recalled"),
        ))
    return rows, counts


def get_or_create_sheet(session: Session, child: Child, start: date, end: date) -> AttendanceSheet:
    stmt = select(AttendanceSheet).where(AttendanceSheet.child_id == child.id,
                                         AttendanceSheet.period_start == start, AttendanceSheet.period_end == end)
    sheet = session.exec(stmt).first()
    if sheet is None:
        sheet = AttendanceSheet(child_id=child.id, provider_id=child.provider_id, period_start=start, period_end=end)
        session.add(sheet)
        session.flush()
    return sheet


# --- the day grid ------------------------------------------------------------------------------


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
    if sheet.status == "recalled":
        sheet.status = "draft"
    sheet.updated_at = utcnow()
    session.add(sheet)
    session.flush()


# --- CSV export --------------------------------------------------------------------------------

CSV_HEADER = ["child", "guardian", "period_start", "period_end", "total_hours", "days_present", "days_absent",
              "signed_at_utc", "reference", "document_sha256"]


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
        select(Signature, AttendanceSheet, Child, Guardian)
        .join(AttendanceSheet, AttendanceSheet.id == Signature.sheet_id)
        .join(Child, Child.id == AttendanceSheet.child_id)
        .join(Guardian, Guardian.id == Signature.guardian_id)
        .where(AttendanceSheet.provider_id.in_(provider_ids),  # type: ignore[attr-defined]
               AttendanceSheet.period_start == start, AttendanceSheet.period_end == end,
               AttendanceSheet.status == "signed")
        .order_by(Child.last_name, Child.first_name, Signature.id)
    )
    import json

    for sig, sheet, child, guardian in session.exec(stmt):
        totals = json.loads(sig.document_json).get("totals", {})
        writer.writerow([
            _csv_safe(child.full_name), _csv_safe(sig.signer_name or guardian.full_name),
            sheet.period_start.isoformat(), sheet.period_end.isoformat(),
            f"{int(totals.get('minutes', 0)) / 60:.2f}", totals.get("days_present", 0), totals.get("days_absent", 0),
            sig.signed_at.strftime("%Y-%m-%dT%H:%M:%SZ"), sig.reference, sig.document_hash,
        ])
    return buf.getvalue()
