"""The attendance rows exactly as the review step and the signed copy both show them.

One function makes the rows of both from the canonical document, so the copy cannot drift from
the screen: every day of the period, the same 12-hour times, "—" where nothing was recorded.
Plain Python without fpdf2 (the review page imports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from careconnect_app.attendance import period_days
from careconnect_app.common.formatting import format_day, format_minutes, format_time_range
from careconnect_app.i18n import t

DASH = "—"  # what a day without any record, and an empty value, show
MAX_PERIOD_DAYS = 62  # a corrupt period must not produce thousands of empty rows


@dataclass(frozen=True)
class DayRow:
    """One row of the attendance table in one language."""

    label: str  # "Mon Nov 2"
    times: str  # "8:00 AM – 12:30 PM", one line per pair; "Absent: Sick"; "—"
    hours: str  # "8:45", or "—" on a day absent or without a record
    absent: bool
    recorded: bool


@dataclass(frozen=True)
class Totals:
    hours: str  # "34:30"
    days_present: int
    days_absent: int
    days_without_record: int


def _parse(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _listed(document: dict) -> list[tuple[date, dict | None]]:
    """Every day of the period plus any recorded day outside it, with its record (None: nothing recorded).

    Documents signed before every day was listed (schema v1) only held the recorded days; the
    period's other days are filled in the same way, as days without a record.
    """
    recorded = {d: day for day in document.get("days") or []
                if (d := _parse(day.get("date"))) and day.get("recorded", True)}
    period = document.get("period") or {}
    start, end = _parse(period.get("start")), _parse(period.get("end"))
    dates = set(recorded) | {d for day in document.get("days") or [] if (d := _parse(day.get("date")))}
    if start and end and 0 <= (end - start).days < MAX_PERIOD_DAYS:
        dates.update(period_days(start, end))
    return [(d, recorded.get(d)) for d in sorted(dates)]


def day_rows(document: dict, locale: str) -> list[DayRow]:
    """The table's rows in `locale`, oldest day first."""
    rows = []
    for day, record in _listed(document):
        label = format_day(day, locale)
        if record is None:
            rows.append(DayRow(label, DASH, DASH, absent=False, recorded=False))
        elif record.get("absent"):
            reason = (record.get("absence_reason") or "").strip()
            times = t("parent.review.absent_reason", locale, reason=reason) if reason else t("parent.review.absent",
                                                                                            locale)
            rows.append(DayRow(label, times, DASH, absent=True, recorded=True))
        else:
            pairs = [format_time_range(p.get("in", ""), p.get("out", ""), locale) for p in record.get("pairs") or []]
            rows.append(DayRow(label, "\n".join(pairs) or DASH, format_minutes(int(record.get("minutes") or 0)),
                               absent=False, recorded=True))
    return rows


def totals(document: dict) -> Totals:
    """The totals the parent saw (the document's own; counted from the days for older documents)."""
    stored = document.get("totals") or {}
    listed = _listed(document)
    present = [r for _, r in listed if r and not r.get("absent") and r.get("pairs")]
    return Totals(
        hours=format_minutes(int(stored.get("minutes", sum(int(r.get("minutes") or 0) for r in present)))),
        days_present=int(stored.get("days_present", len(present))),
        days_absent=int(stored.get("days_absent", sum(1 for _, r in listed if r and r.get("absent")))),
        days_without_record=int(stored.get("days_without_record", sum(1 for _, r in listed if r is None))),
    )


def no_record_note(count: int, locale: str) -> str:
    """"2 days of the period have no record: they show a dash (—)." ("" when every day has one)."""
    return t("parent.review.no_record_note", locale, count=count) if count else ""
