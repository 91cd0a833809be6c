"""What each dashboard event does in the database, as plain functions run off the event loop
(`PortalState._as_user`): read the period's rows, start a sheet, submit many, resend, export.

Dates are the agency's: "today", the default period and the deadline follow its time zone. Only
provider staff change sheets; for an agency admin the changing functions answer READ_ONLY.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from careconnect_app import attendance
from careconnect_app.common.formatting import format_date, format_local_datetime, format_minutes, local_today
from careconnect_app.models import Agency, AttendanceSheet, Child
from careconnect_app.pages.portal.base_state import Caller, portal_text
from careconnect_app.portal import access, dashboard, export, grid, resend, submission
from careconnect_app.statuses import PortalStatus

ALL = "all"
READ_ONLY = "error.read_only"
# Sheets whose parents may be sent their link again from the dashboard.
RESENDABLE = (PortalStatus.READY, PortalStatus.OPENED, PortalStatus.VERIFIED, PortalStatus.EXPIRED)


def agency_today(session: Session, caller: Caller) -> tuple[Agency | None, date]:
    agency = session.get(Agency, caller.user.agency_id)
    return agency, local_today(agency.timezone if agency else "UTC")


def chosen_period(session: Session, caller: Caller, value: str) -> tuple[date, date] | None:
    agency, today = agency_today(session, caller)
    return dashboard.chosen_period(value, agency.period_type if agency else "monthly", today)


def _due(agency: Agency | None, bounds: tuple[date, date], today: date, locale: str) -> dict[str, Any]:
    """The period's deadline as the filters show it, and whether it has passed."""
    if agency is None:
        return {"due_label": "", "_due": None}
    due = attendance.due_date(bounds[1], agency.submission_deadline_day)
    key = "dashboard.due_passed" if today > due else "dashboard.due"
    return {"due_label": portal_text(locale, key, date=format_date(due, locale)), "_due": due}


def _overdue_periods(session: Session, agency: Agency | None, provider_ids: list[int], bounds: tuple[date, date],
                     today: date, locale: str) -> list[dict[str, str]]:
    """Other periods past their deadline with sheets not signed yet (a button each)."""
    if agency is None:
        return []
    periods = [p for p in dashboard.offered_periods(today, agency.period_type) if p != bounds]
    return [{"value": dashboard.period_value(s, e),
             "label": portal_text(locale, "dashboard.overdue_period", count=count,
                                  period=portal_text(locale, "period.label", start=format_date(s, locale),
                                                     end=format_date(e, locale)))}
            for s, e, count in dashboard.overdue_periods(session, provider_ids, periods,
                                                        agency.submission_deadline_day, today)]


def read_dashboard(session: Session, caller: Caller, period: str, status_filter: str, search: str,
                   locale: str) -> dict[str, Any]:
    """The dashboard's vars: the chosen period's sheets of the caller's providers (by default the last period)."""
    agency, today = agency_today(session, caller)
    period_type = agency.period_type if agency else "monthly"
    periods = [{"value": dashboard.period_value(s, e),
                "label": portal_text(locale, "period.label", start=format_date(s, locale), end=format_date(e, locale))}
               for s, e in dashboard.offered_periods(today, period_type)]
    bounds = dashboard.chosen_period(period, period_type, today) or attendance.default_period(today, period_type)
    due = _due(agency, bounds, today, locale)
    providers = access.providers_for(session, caller.user)
    names = {p.id: p.name for p in providers} if access.is_admin(caller.user) else None
    rows, counts = dashboard.dashboard(
        session, [p.id for p in providers], *bounds,
        status="" if status_filter == ALL else status_filter, search=search, provider_names=names,
    )
    tz = agency.timezone if agency else "UTC"
    views = [row_view(r, locale, tz, overdue=bool(due["_due"]) and dashboard.is_overdue(r.status, due["_due"], today),
                      may_edit=access.may_edit_sheets(caller.user)) for r in rows]
    return {
        "period": dashboard.period_value(*bounds), "periods": periods, "due_label": due["due_label"],
        "rows": views, "overdue_count": sum(1 for v in views if v["overdue"]),
        "overdue_periods": _overdue_periods(session, agency, [p.id for p in providers], bounds, today, locale),
        "counts": [{"status": s, "label": portal_text(locale, f"status.{s}"), "count": str(counts[s])}
                   for s in PortalStatus],
    }


def row_view(row: dashboard.DashboardRow, locale: str, tz: str, *, overdue: bool, may_edit: bool) -> dict[str, str]:
    draft = row.status == PortalStatus.DRAFT
    return {
        "child_id": str(row.child_id), "child": row.child_name, "provider": row.provider_name,
        "sheet_id": str(row.sheet_id), "status": row.status,
        "status_label": portal_text(locale, f"status.{row.status}"),
        "guardians": row.guardians or portal_text(locale, "dashboard.no_guardian"),
        "hours": format_minutes(row.total_minutes) if row.sheet_id else "—",
        "signed": format_local_datetime(row.signed_at, tz, locale) if row.signed_at else "—",
        "problem": row.problem, "recalled": portal_text(locale, "dashboard.recalled") if row.recalled else "",
        "overdue": "1" if overdue else "",
        "missing": portal_text(locale, "dashboard.missing_days", count=row.missing_days)
        if draft and row.sheet_id and row.missing_days else "",
        "submittable": "1" if draft and may_edit else "",
        "resendable": "1" if row.status in RESENDABLE and may_edit else "",
        "startable": "1" if may_edit else "",
    }


def _child_name(session: Session, sheet: AttendanceSheet) -> str:
    child = session.get(Child, sheet.child_id)
    return child.full_name if child else ""


def start_sheet(session: Session, caller: Caller, child_id: str, period: str) -> int | str | None:
    """The id of the child's sheet for the period, created as a draft when there is none yet."""
    if not access.may_edit_sheets(caller.user):
        return READ_ONLY
    child = access.child_for(session, caller.user, child_id)
    bounds = chosen_period(session, caller, period)
    if child is None or bounds is None:
        return None
    return grid.get_or_create_sheet(session, child, *bounds).id


def submit_sheets(session: Session, caller: Caller, sheet_ids: list[str],
                  confirmed_missing: bool) -> tuple[int, list[tuple[str, str]], list[int]]:
    """Submit each sheet in its own transaction: (how many, [(child, reason key)], message ids).

    A sheet with days lacking any record is left alone unless the provider confirmed them.
    """
    if not access.may_edit_sheets(caller.user):
        return 0, [("", READ_ONLY)], []
    done, errors, message_ids = 0, [], []
    for sheet_id in sheet_ids:
        sheet = access.sheet_for(session, caller.user, sheet_id)
        if sheet is None:
            errors.append(("", "error.not_found"))
            continue
        name = _child_name(session, sheet)
        if not confirmed_missing and grid.missing_days(grid.grid_days(session, sheet)):
            errors.append((name, "dashboard.error.missing"))
            continue
        try:
            issued = submission.submit_sheet(session, sheet, user_id=caller.user.id, ip=caller.ip,
                                             user_agent=caller.user_agent)
        except submission.SubmissionError as exc:
            session.rollback()
            errors.append((name, exc.key))
            continue
        session.commit()
        done += 1
        message_ids += [m for link in issued for m in link.message_ids]
    return done, errors, message_ids


def resend_sheet(session: Session, caller: Caller, sheet_id: str) -> tuple[str, list[int], set[str]] | str | None:
    """(child, message ids, reason keys of links not sent), or None when the sheet is not the caller's."""
    if not access.may_edit_sheets(caller.user):
        return READ_ONLY
    sheet = access.sheet_for(session, caller.user, sheet_id)
    if sheet is None:
        return None
    message_ids, reasons = resend.resend_open_links(session, sheet, user_id=caller.user.id, ip=caller.ip,
                                                    user_agent=caller.user_agent)
    return _child_name(session, sheet), message_ids, reasons


def signed_csv(session: Session, caller: Caller, period: str) -> tuple[str, date] | None:
    bounds = chosen_period(session, caller, period)
    if bounds is None:
        return None
    return export.signed_sheets_csv(session, access.provider_ids(session, caller.user), *bounds), bounds[0]
