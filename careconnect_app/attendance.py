"""Attendance rules: day views, totals, validation, and the canonical document a parent signs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from careconnect_app.clock import iso
from careconnect_app.models import (
    Agency,
    AttendanceEntry,
    AttendanceSheet,
    Child,
    Guardian,
    Provider,
)
from careconnect_app.common.crypto import sha256_hex

DOCUMENT_SCHEMA = "careconnect.attendance.v1"
PARENT_CERTIFICATION_VERSION = "parent-cert-v1"
PROVIDER_CERTIFICATION_VERSION = "provider-cert-v1"


@dataclass
class Day:
    day: date
    absent: bool = False
    absence_reason: str = ""
    pairs: list[tuple[time, time]] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(minutes_between(a, b) for a, b in self.pairs)


def minutes_between(check_in: time, check_out: time) -> int:
    return (check_out.hour * 60 + check_out.minute) - (check_in.hour * 60 + check_in.minute)


def entries_for(session: Session, sheet_id: int) -> list[AttendanceEntry]:
    stmt = (
        select(AttendanceEntry)
        .where(AttendanceEntry.sheet_id == sheet_id)
        .order_by(AttendanceEntry.day, AttendanceEntry.check_in, AttendanceEntry.id)
    )
    return list(session.exec(stmt))


def build_days(entries: list[AttendanceEntry]) -> list[Day]:
    """Group entries by day, in date order."""
    days: dict[date, Day] = {}
    for e in sorted(entries, key=lambda e: (e.day, e.check_in or time.min)):
        d = days.setdefault(e.day, Day(day=e.day))
        if e.absent:
            d.absent = True
            d.absence_reason = e.absence_reason
        elif e.check_in and e.check_out:
            d.pairs.append((e.check_in, e.check_out))
    return list(days.values())


@dataclass
class Totals:
    minutes: int
    days_present: int
    days_absent: int


def totals(days: list[Day]) -> Totals:
    return Totals(
        minutes=sum(d.minutes for d in days if not d.absent),
        days_present=sum(1 for d in days if d.pairs and not d.absent),
        days_absent=sum(1 for d in days if d.absent),
    )


# --- validation (the provider's grid) --------------------------------------------------------


@dataclass
class EntryError:
    day: date
    key: str  # translation key under "portal."


def validate_day(
    day: date,
    pairs: list[tuple[time | None, time | None]],
    absent: bool,
    period_start: date,
    period_end: date,
) -> list[str]:
    """Error keys for one day of the grid (empty list: valid)."""
    errors: list[str] = []
    if not (period_start <= day <= period_end):
        errors.append("attendance.error.outside_period")
    if absent and any(a or b for a, b in pairs):
        errors.append("attendance.error.absent_with_times")
    complete: list[tuple[time, time]] = []
    for a, b in pairs:
        if a is None and b is None:
            continue
        if a is None or b is None:
            errors.append("attendance.error.incomplete_pair")
            continue
        if b <= a:
            errors.append("attendance.error.out_before_in")
            continue
        complete.append((a, b))
    complete.sort()
    for (a1, b1), (a2, b2) in zip(complete, complete[1:]):
        if a2 < b1:
            errors.append("attendance.error.overlap")
            break
    return errors


def validate_entries(sheet: AttendanceSheet, entries: list[AttendanceEntry]) -> list[EntryError]:
    """Validate a whole sheet before it can be submitted."""
    by_day: dict[date, list[AttendanceEntry]] = {}
    for e in entries:
        by_day.setdefault(e.day, []).append(e)
    errors: list[EntryError] = []
    for day, rows in sorted(by_day.items()):
        absent = any(r.absent for r in rows)
        pairs = [(r.check_in, r.check_out) for r in rows if not r.absent]
        errors += [EntryError(day, k) for k in validate_day(day, pairs, absent, sheet.period_start, sheet.period_end)]
    return errors


def period_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --- the canonical document -------------------------------------------------------------------


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
    days = build_days(entries_for(session, sheet.id))
    tot = totals(days)
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


def weekday_key(d: date) -> str:
    return f"weekday.{d.weekday()}"


def parse_time(value: str) -> time | None:
    """"8:05", "08:05", "8:05 PM" -> time; "" -> None; raises ValueError on garbage."""
    value = (value or "").strip().upper()
    if not value:
        return None
    for fmt in ("%H:%M", "%I:%M %p", "%I:%M%p", "%H%M"):
        try:
            return datetime.strptime(value, fmt).time()
        except ValueError:
            continue
    raise ValueError(value)
