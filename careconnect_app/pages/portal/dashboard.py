"""/portal: sheets of a period by status, counts, filters, search, select-all submit, CSV export."""

from __future__ import annotations

from datetime import date

import reflex as rx

from careconnect_app.portal import resend
from careconnect_app.statuses import PORTAL_STATUS_TONE, PortalStatus

from careconnect_app.portal import grid
from careconnect_app.portal import access
from careconnect_app.portal import export
from careconnect_app.clock import utcnow
from careconnect_app.components.portal_layout import labelled, notice, page_heading, portal_frame, section
from careconnect_app.db import session_scope
from careconnect_app.models import Agency, AttendanceSheet
from careconnect_app.pages.portal.base_state import PortalState
from careconnect_app.portal import accounts, dashboard, submission
from careconnect_app import attendance
from careconnect_app.messaging import outbox
from careconnect_app.common.formatting import format_date, format_minutes

ALL = "all"
# Sheets whose parents may be sent their link again from the dashboard.
RESENDABLE = (PortalStatus.READY, PortalStatus.OPENED, PortalStatus.VERIFIED, PortalStatus.EXPIRED)


class DashboardState(PortalState):
    periods: list[dict[str, str]] = []
    period: str = ""
    status_filter: str = ALL
    search: str = ""
    rows: list[dict[str, str]] = []
    counts: list[dict[str, str]] = []
    selected: list[str] = []
    certify: bool = False
    bulk_info: str = ""
    bulk_errors: list[str] = []
    error: str = ""
    info: str = ""
    due_label: str = ""

    _period_type: str = "monthly"

    # --- helpers ------------------------------------------------------------------------------
    def _period_bounds(self) -> tuple[date, date] | None:
        try:
            start_s, end_s = self.period.split("|")
            start, end = date.fromisoformat(start_s), date.fromisoformat(end_s)
        except ValueError:
            return None
        allowed = attendance.recent_periods(utcnow().date(), self._period_type, 12)
        return (start, end) if (start, end) in allowed else None

    def _refresh(self, session, user) -> None:
        agency = session.get(Agency, user.agency_id)
        self._period_type = agency.period_type if agency else "monthly"
        today = utcnow().date()
        periods = attendance.recent_periods(today, self._period_type, 12)
        self.periods = [
            {"value": f"{s.isoformat()}|{e.isoformat()}",
             "label": self._t("period.label", start=format_date(s, self.locale), end=format_date(e, self.locale))}
            for s, e in periods
        ]
        if self._period_bounds() is None:
            s, e = attendance.default_period(today, self._period_type)
            self.period = f"{s.isoformat()}|{e.isoformat()}"
        start, end = self._period_bounds()
        if agency is not None:
            due = attendance.due_date(end, agency.submission_deadline_day)
            self.due_label = self._t("dashboard.due", date=format_date(due, self.locale))
        providers = access.providers_for(session, user)
        names = {p.id: p.name for p in providers} if access.is_admin(user) else None
        rows, counts = dashboard.dashboard(
            session, [p.id for p in providers], start, end,
            status="" if self.status_filter == ALL else self.status_filter, search=self.search,
            provider_names=names,
        )
        self.rows = [
            {
                "child_id": str(r.child_id), "child": r.child_name, "provider": r.provider_name,
                "sheet_id": str(r.sheet_id), "status": r.status, "status_label": self._t(f"status.{r.status}"),
                "guardians": r.guardians or self._t("dashboard.no_guardian"),
                "hours": format_minutes(r.total_minutes) if r.sheet_id else "—",
                "signed": format_date(r.signed_at, self.locale) if r.signed_at else "—",
                "problem": r.problem, "recalled": self._t("dashboard.recalled") if r.recalled else "",
                "submittable": "1" if r.status == PortalStatus.DRAFT else "",
                "resendable": "1" if r.status in RESENDABLE else "",
            }
            for r in rows
        ]
        self.counts = [{"status": s, "label": self._t(f"status.{s}"), "count": str(counts[s])}
                       for s in PortalStatus]
        visible = {r["sheet_id"] for r in self.rows if r["submittable"]}
        self.selected = [s for s in self.selected if s in visible]

    def _reload(self):
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                self.rows, self.counts, self.selected = [], [], []
                return self._to_login()
            self._refresh(session, user)

    # --- events -------------------------------------------------------------------------------
    @rx.event
    def load(self):
        """Open the dashboard (signed-in users only)."""
        self.bulk_info, self.bulk_errors, self.error, self.info = "", [], "", ""
        return self._reload()

    @rx.event
    def toggle_language(self):
        self._switch_locale()
        return self._reload()

    @rx.event
    def set_period(self, value: str):
        self.period = str(value)[:32]
        self.selected = []
        return self._reload()

    @rx.event
    def set_status_filter(self, value: str):
        self.status_filter = value if value in tuple(PortalStatus) else ALL
        return self._reload()

    @rx.event
    def set_search(self, value: str):
        self.search = str(value)[:80]
        return self._reload()

    @rx.event
    def show_status(self, value: str):
        """Click a count to filter by that status (click again for all)."""
        self.status_filter = ALL if value == self.status_filter else (value if value in tuple(PortalStatus) else ALL)
        return self._reload()

    @rx.event
    def toggle_row(self, sheet_id: str, checked: bool):
        sheet_id = str(sheet_id)
        if checked and sheet_id not in self.selected:
            self.selected = self.selected + [sheet_id]
        elif not checked:
            self.selected = [s for s in self.selected if s != sheet_id]

    @rx.event
    def toggle_all(self, checked: bool):
        self.selected = [r["sheet_id"] for r in self.rows if r["submittable"]] if checked else []

    @rx.event
    def set_certify(self, value: bool):
        self.certify = bool(value)

    @rx.event
    def start_sheet(self, child_id: str):
        """Record attendance: open (or create) the child's draft for the selected period."""
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                return self._to_login()
            child = access.child_for(session, user, child_id)
            bounds = self._period_bounds()
            if child is None or bounds is None:
                self.error = self._t("error.not_found")
                return
            sheet = grid.get_or_create_sheet(session, child, *bounds)
            sheet_id = sheet.id
        return rx.redirect(f"/portal/sheets/{sheet_id}")

    @rx.event
    def submit_selected(self):
        """Certify and submit every selected draft; each one is checked and submitted on its own."""
        self.bulk_info, self.bulk_errors = "", []
        if not self.certify:
            self.bulk_errors = [self._t("submit.error.certify")]
            return
        ip, user_agent = self._client()
        done, errors, message_ids = 0, [], []
        for sheet_id in list(self.selected):
            with session_scope() as session:
                user = self._require(session)
                if user is None:
                    return self._to_login()
                sheet = access.sheet_for(session, user, sheet_id)
                if sheet is None:
                    errors.append(self._t("error.not_found"))
                    continue
                name = _child_name(session, sheet)
                try:
                    issued = submission.submit_sheet(session, sheet, user_id=user.id, ip=ip, user_agent=user_agent)
                except submission.SubmissionError as exc:
                    session.rollback()
                    errors.append(f"{name}: {self._t(exc.key)}")
                    continue
                done += 1
                message_ids += [m for link in issued for m in link.message_ids]
        outbox.deliver_now(message_ids)
        self.selected = []
        self.certify = False
        self.bulk_info = self._t("dashboard.submitted_many", count=done) if done else ""
        self.bulk_errors = errors
        return self._reload()

    @rx.event
    def resend(self, sheet_id: str):
        """Send the parents' links of one sheet again (10-minute cooldown per link, in the database)."""
        self.info, self.error = "", ""
        ip, user_agent = self._client()
        ids: list[int] = []
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                return self._to_login()
            sheet = access.sheet_for(session, user, sheet_id)
            if sheet is None:
                self.error = self._t("error.not_found")
                return
            name = _child_name(session, sheet)
            requests = [r for r in dashboard.requests_by_sheet(session, [sheet.id]).get(sheet.id, [])
                        if r.status == "pending" and r.sheet_version == sheet.version and not r.in_person]
            errors = []
            for request in requests:
                try:
                    ids += resend.resend_link(session, request, user_id=user.id, ip=ip, user_agent=user_agent)
                except submission.SubmissionError as exc:
                    errors.append(self._t(exc.key, minutes=resend.RESEND_COOLDOWN_MINUTES))
            if not requests:
                errors.append(self._t("resend.error.not_open"))
        outbox.deliver_now(ids)
        if ids:
            self.info = self._t("dashboard.resent", child=name)
        if errors:
            self.error = f"{name}: " + " ".join(sorted(set(errors)))
        return self._reload()

    @rx.event
    def export_csv(self):
        """CSV of the period's signed sheets (only the user's providers)."""
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                return self._to_login()
            bounds = self._period_bounds()
            if bounds is None:
                return
            text = export.signed_sheets_csv(session, access.provider_ids(session, user), *bounds)
        return rx.download(data=text.encode("utf-8"), filename=f"signed-sheets-{bounds[0].isoformat()}.csv")

    @rx.var
    def all_selected(self) -> bool:
        selectable = [r["sheet_id"] for r in self.rows if r["submittable"]]
        return bool(selectable) and all(s in self.selected for s in selectable)

    @rx.var
    def selectable_count(self) -> int:
        return len([r for r in self.rows if r["submittable"]])


def _child_name(session, sheet: AttendanceSheet) -> str:
    from careconnect_app.models import Child

    child = session.get(Child, sheet.child_id)
    return child.full_name if child else ""


S, T = DashboardState, DashboardState.tr



def status_badge(status, label) -> rx.Component:
    return rx.match(
        status,
        *[(s, rx.badge(label, color_scheme=tone, size="2", variant="soft", high_contrast=True)) for s, tone in PORTAL_STATUS_TONE.items()],
        rx.badge(label, size="2", high_contrast=True),
    )


def _count(item: dict) -> rx.Component:
    return rx.button(
        rx.vstack(
            rx.text(item["count"], size="6", weight="bold"),
            rx.text(item["label"], size="1"),
            spacing="0",
            align="center",
        ),
        on_click=S.show_status(item["status"]),
        variant=rx.cond(S.status_filter == item["status"], "solid", "surface"),
        color_scheme="gray",
        height="auto",
        padding_y="8px",
        min_width="6.5rem",
        aria_pressed=rx.cond(S.status_filter == item["status"], "true", "false"),
        id="count-" + item["status"],
    )


def _td(label, *children, **props) -> rx.Component:
    return rx.el.td(*children, custom_attrs={"data-label": label}, **props)


def _row(row: dict) -> rx.Component:
    return rx.el.tr(
        _td("", rx.cond(
            row["submittable"] == "1",
            rx.checkbox(checked=S.selected.contains(row["sheet_id"]),
                        on_change=lambda v: S.toggle_row(row["sheet_id"], v),
                        aria_label=T["dashboard.select_one"] + " " + row["child"],
                        id="select-" + row["sheet_id"], size="3"),
        )),
        _td(T["col.child"], rx.vstack(
            rx.text(row["child"], weight="medium"),
            rx.cond(row["provider"] != "", rx.text(row["provider"], size="1", color_scheme="gray")),
            spacing="0", align="end" if False else "start",
        )),
        _td(T["col.status"], rx.vstack(
            status_badge(row["status"], row["status_label"]),
            rx.cond(row["recalled"] != "", rx.text(row["recalled"], size="1", color_scheme="gray")),
            rx.cond(row["problem"] != "", rx.text("“", row["problem"], "”", size="1", color_scheme="red")),
            spacing="1",
        )),
        _td(T["col.guardians"], rx.text(row["guardians"], size="2")),
        _td(T["col.hours"], rx.text(row["hours"], size="2")),
        _td(T["col.signed"], rx.text(row["signed"], size="2")),
        _td("", rx.hstack(rx.cond(
            row["resendable"] == "1",
            rx.button(T["resend.button"], on_click=S.resend(row["sheet_id"]), size="2", variant="soft",
                      id="resend-sheet-" + row["sheet_id"], min_height="40px",
                      aria_label=T["resend.button"] + " " + row["child"]),
        ), rx.cond(
            row["sheet_id"] == "0",
            rx.button(T["dashboard.record"], on_click=S.start_sheet(row["child_id"]), size="2", variant="soft",
                      id="record-" + row["child_id"], min_height="40px"),
            rx.link(rx.button(T["dashboard.open"], size="2", variant="outline", min_height="40px", tab_index=-1),
                    href="/portal/sheets/" + row["sheet_id"], id="open-" + row["child_id"]),
        ), spacing="2", justify="end", wrap="wrap")),
        custom_attrs={"data-child": row["child"]},
    )


def dashboard_page() -> rx.Component:
    filters = rx.grid(
        labelled(T["dashboard.period"], rx.el.select(
            rx.foreach(S.periods, lambda p: rx.el.option(p["label"], value=p["value"])),
            value=S.period, on_change=S.set_period, id="period",
            style={"minHeight": "40px", "padding": "6px", "borderRadius": "6px", "width": "100%"},
        ), html_for="period"),
        labelled(T["dashboard.status"], rx.el.select(
            rx.el.option(T["dashboard.all"], value=ALL),
            rx.foreach(S.counts, lambda c: rx.el.option(c["label"], value=c["status"])),
            value=S.status_filter, on_change=S.set_status_filter, id="status-filter",
            style={"minHeight": "40px", "padding": "6px", "borderRadius": "6px", "width": "100%"},
        ), html_for="status-filter"),
        labelled(T["dashboard.search"], rx.input(
            id="search", type="search", value=S.search, on_change=S.set_search.debounce(300),
            placeholder=T["dashboard.search_hint"], width="100%", size="2",
        ), html_for="search"),
        columns=rx.breakpoints(initial="1", sm="3"),
        spacing="3",
        width="100%",
    )
    filters = rx.vstack(filters, rx.text(S.due_label, size="2", color_scheme="gray", id="due-label"), spacing="2",
                        width="100%")
    table = rx.box(
        rx.el.table(
            rx.el.thead(rx.el.tr(
                rx.el.th(rx.checkbox(checked=S.all_selected, on_change=S.toggle_all, id="select-all",
                                     aria_label=T["dashboard.select_all"], size="3",
                                     disabled=S.selectable_count == 0), scope="col"),
                rx.el.th(T["col.child"], scope="col"),
                rx.el.th(T["col.status"], scope="col"),
                rx.el.th(T["col.guardians"], scope="col"),
                rx.el.th(T["col.hours"], scope="col"),
                rx.el.th(T["col.signed"], scope="col"),
                rx.el.th(rx.el.span(T["col.actions"], class_name="cc-sr-only"), scope="col"),
            )),
            rx.el.tbody(rx.foreach(S.rows, _row)),
            class_name="pt-table",
            id="sheets-table",
        ),
        rx.cond(S.rows.length() == 0, rx.text(T["dashboard.empty"], color_scheme="gray", padding="1rem")),
        width="100%",
    )
    bulk = rx.vstack(
        rx.hstack(
            rx.checkbox(T["dashboard.select_all_label"], checked=S.all_selected, on_change=S.toggle_all,
                        id="select-all-mobile", size="3", disabled=S.selectable_count == 0),
            rx.text(T["dashboard.selected"], ": ", S.selected.length(), size="2", color_scheme="gray"),
            spacing="4", align="center", wrap="wrap",
        ),
        rx.el.label(
            rx.checkbox(checked=S.certify, on_change=S.set_certify, id="bulk-certify", size="3",
                        custom_attrs={"aria-labelledby": "bulk-certify-text"}),
            rx.text(T["submit.certify"], size="2", id="bulk-certify-text"),
            style={"display": "flex", "gap": "10px", "alignItems": "flex-start", "cursor": "pointer"},
        ),
        rx.hstack(
            rx.button(T["dashboard.submit_selected"], on_click=S.submit_selected, id="submit-selected",
                      disabled=S.selected.length() == 0, min_height="44px"),
            rx.button(rx.icon("download", size=16, aria_hidden="true"), T["dashboard.export"],
                      on_click=S.export_csv, variant="outline", id="export-csv", min_height="44px"),
            spacing="3", wrap="wrap",
        ),
        notice(S.bulk_info, tone="green", icon="check", id="bulk-info"),
        rx.foreach(S.bulk_errors, lambda e: rx.callout(e, icon="triangle-alert", color_scheme="red", width="100%")),
        spacing="3",
        width="100%",
    )
    return portal_frame(
        rx.vstack(
            page_heading(T["dashboard.title"]),
            rx.hstack(rx.foreach(S.counts, _count), spacing="2", wrap="wrap", width="100%", id="counts"),
            section(filters),
            notice(S.info, tone="green", icon="check", id="dashboard-info"),
            notice(S.error, tone="red", icon="triangle-alert", id="dashboard-error"),
            section(table, bulk),
            spacing="4",
            width="100%",
        ),
        tr=T, signed_in=S.signed_in, user_name=S.user_name, scope_label=S.scope_label, is_admin=S.is_admin,
        current="dashboard", on_logout=S.logout, on_toggle_locale=S.toggle_language, locale=S.locale,
    )
