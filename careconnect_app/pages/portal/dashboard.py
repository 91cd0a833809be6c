"""/portal: sheets of a period by status, counts, filters, search, select-all submit, CSV export."""

from __future__ import annotations

import reflex as rx

import careconnect_app.pages.portal.dashboard_actions as actions
from careconnect_app import routes
from careconnect_app.components.portal_layout import (
    SELECT_STYLE, cell, certify_box, confirm_dialog, labelled, notice, page_heading, section, signed_in_frame,
    status_badge
)
from careconnect_app.components.words import words
from careconnect_app.pages.portal.base_state import PortalState, ReloadingPageMixin
from careconnect_app.portal import resend
from careconnect_app.statuses import PortalStatus

ALL = actions.ALL

class DashboardState(ReloadingPageMixin, PortalState):
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
    overdue_count: int = 0
    overdue_periods: list[dict[str, str]] = []
    # Plain vars, not computed ones: a page load computes every state's computed vars and then
    # stores those states in Redis for the tab, so these would be stored for every parent too.
    selectable_count: int = 0
    all_selected: bool = False
    selected_missing: bool = False  # a selected draft has days with no record (submitting asks first)

    def _select(self, sheet_ids: list[str]) -> None:
        """The selection, kept to the drafts shown."""
        selectable = [r["sheet_id"] for r in self.rows if r["submittable"]]
        self.selected = [s for s in dict.fromkeys(sheet_ids) if s in selectable]
        self.selectable_count = len(selectable)
        self.all_selected = bool(selectable) and len(self.selected) == len(selectable)
        self.selected_missing = any(r["missing"] for r in self.rows if r["sheet_id"] in self.selected)

    async def _reload(self):
        """Read the dashboard again for the current filters."""
        call = await self._as_user(actions.read_dashboard, self.period, self.status_filter, self.search, self.locale)
        if not call.signed_in:
            self.rows, self.counts = [], []
            self._select([])
            return self._to_login()
        for name, value in call.value.items():
            setattr(self, name, value)
        self._select(self.selected)
        return None

    # --- events -------------------------------------------------------------------------------
    @rx.event
    async def load(self):
        """Open the dashboard (signed-in users only)."""
        if self._opening:  # a reconnect keeps what the page said
            self.bulk_info, self.bulk_errors, self.error, self.info = "", [], "", ""
        return await self._reload()


    @rx.event
    async def set_period(self, value: str):
        """Show another period (the selection is cleared)."""
        self.period = str(value)[:32]
        self.selected = []
        return await self._reload()

    @rx.event
    async def set_status_filter(self, value: str):
        """Show only sheets in one status (or all)."""
        self.status_filter = value if value in tuple(PortalStatus) else ALL
        return await self._reload()

    @rx.event
    async def set_search(self, value: str):
        """Show only children whose name contains the text."""
        self.search = str(value)[:80]
        return await self._reload()

    @rx.event
    async def show_status(self, value: str):
        """Click a count to filter by that status (click again for all)."""
        self.status_filter = ALL if value == self.status_filter else (value if value in tuple(PortalStatus) else ALL)
        return await self._reload()

    @rx.event
    def toggle_row(self, sheet_id: str, checked: bool):
        """Select or unselect one draft for submitting."""
        sheet_id = str(sheet_id)
        self._select(self.selected + [sheet_id] if checked else [s for s in self.selected if s != sheet_id])

    @rx.event
    def toggle_all(self, checked: bool):
        """Select every draft shown, or none."""
        self._select([r["sheet_id"] for r in self.rows] if checked else [])

    @rx.event
    def set_certify(self, value: bool):
        """The certification box above "submit selected"."""
        self.certify = bool(value)

    @rx.event
    async def start_sheet(self, child_id: str):
        """Record attendance: open (or create) the child's draft for the selected period."""
        call = await self._as_user(actions.start_sheet, child_id, self.period)
        if not call.signed_in:
            return self._to_login()
        if call.value is None or call.value == actions.READ_ONLY:
            self.error = self._t(actions.READ_ONLY if call.value else "error.not_found")
            return None
        return rx.redirect(routes.portal_sheet_path(call.value))

    @rx.event
    async def submit_selected(self, confirmed_missing: bool = False):
        """Certify and submit every selected draft; each one is checked and submitted on its own (one
        with days lacking any record only once the provider confirmed them)."""
        self.bulk_info, self.bulk_errors = "", []
        if not self.certify:
            self.bulk_errors = [self._t("submit.error.certify")]
            return None
        call = await self._as_user(actions.submit_sheets, list(self.selected), confirmed_missing is True)
        if not call.signed_in:
            return self._to_login()
        done, errors, _message_ids = call.value  # queued: the delivery worker sends them
        self.selected = []
        self.certify = False
        self.bulk_info = self._t("dashboard.submitted_many", count=done) if done else ""
        self.bulk_errors = [f"{name}: {self._t(key)}" if name else self._t(key) for name, key in errors]
        return await self._reload()

    @rx.event
    async def resend(self, sheet_id: str):
        """Send the parents' links of one sheet again (10-minute cooldown per link, in the database)."""
        self.info, self.error = "", ""
        call = await self._as_user(actions.resend_sheet, sheet_id)
        if not call.signed_in:
            return self._to_login()
        if call.value is None or call.value == actions.READ_ONLY:
            self.error = self._t(actions.READ_ONLY if call.value else "error.not_found")
            return None
        name, message_ids, reasons = call.value  # queued: the delivery worker sends them
        if message_ids:
            self.info = self._t("dashboard.resent", child=name)
        if reasons:
            texts = {self._t(key, minutes=resend.RESEND_COOLDOWN_MINUTES) for key in reasons}
            self.error = f"{name}: " + " ".join(sorted(texts))
        return await self._reload()

    @rx.event
    async def export_csv(self):
        """CSV of the period's signed sheets (only the user's providers)."""
        call = await self._as_user(actions.signed_csv, self.period)
        if not call.signed_in:
            return self._to_login()
        if call.value is None:
            return None
        csv_text, first_day = call.value
        return rx.download(data=csv_text.encode("utf-8"), filename=f"signed-sheets-{first_day.isoformat()}.csv")


S, T = DashboardState, words(DashboardState, "portal")  # the page's state and its words


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


def _row_actions(row: dict) -> rx.Component:
    return rx.hstack(rx.cond(
        row["resendable"] == "1",
        rx.button(T["resend.button"], on_click=S.resend(row["sheet_id"]), size="2", variant="soft",
                  id="resend-sheet-" + row["sheet_id"], min_height="44px",
                  aria_label=T["resend.button"] + " " + row["child"]),
    ), rx.cond(
        row["sheet_id"] == "0",
        rx.cond(row["startable"] == "1",
                rx.button(T["dashboard.record"], on_click=S.start_sheet(row["child_id"]), size="2", variant="soft",
                          id="record-" + row["child_id"], min_height="44px")),
        rx.link(rx.button(T["dashboard.open"], size="2", variant="outline", min_height="44px", tab_index=-1),
                href=routes.portal_sheet_path(row["sheet_id"]), id="open-" + row["child_id"]),
    ), spacing="2", justify="end", wrap="wrap")


def _row(row: dict) -> rx.Component:
    return rx.el.tr(
        cell("", rx.cond(
            row["submittable"] == "1",
            rx.checkbox(checked=S.selected.contains(row["sheet_id"]),
                        on_change=lambda v: S.toggle_row(row["sheet_id"], v),
                        aria_label=T["dashboard.select_one"] + " " + row["child"],
                        id="select-" + row["sheet_id"], size="3"),
        )),
        cell(T["col.child"], rx.vstack(
            rx.text(row["child"], weight="medium"),
            rx.cond(row["provider"] != "", rx.text(row["provider"], size="1", color_scheme="gray")),
            spacing="0", align="start",
        )),
        cell(T["col.status"], rx.vstack(
            status_badge(row["status"], row["status_label"]),
            rx.cond(row["recalled"] != "", rx.text(row["recalled"], size="1", color_scheme="gray")),
            rx.cond(row["problem"] != "", rx.text("“", row["problem"], "”", size="1", color_scheme="red")),
            rx.cond(row["overdue"] == "1", rx.badge(rx.icon("alarm-clock", size=12, aria_hidden="true"),
                                                    T["dashboard.overdue"], color_scheme="red", variant="outline",
                                                    high_contrast=True, class_name="overdue")),
            rx.cond(row["missing"] != "", rx.text(row["missing"], size="1", color_scheme="amber",
                                                  class_name="missing-days")),
            spacing="1",
        )),
        cell(T["col.guardians"], rx.text(row["guardians"], size="2")),
        cell(T["col.hours"], rx.text(row["hours"], size="2")),
        cell(T["col.signed"], rx.text(row["signed"], size="2")),
        cell("", _row_actions(row)),
        custom_attrs={"data-child": row["child"]},
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.grid(
            labelled(T["dashboard.period"], rx.el.select(
                rx.foreach(S.periods, lambda p: rx.el.option(p["label"], value=p["value"])),
                value=S.period, on_change=S.set_period, id="period", style=SELECT_STYLE,
            ), html_for="period"),
            labelled(T["dashboard.status"], rx.el.select(
                rx.el.option(T["dashboard.all"], value=ALL),
                rx.foreach(S.counts, lambda c: rx.el.option(c["label"], value=c["status"])),
                value=S.status_filter, on_change=S.set_status_filter, id="status-filter", style=SELECT_STYLE,
            ), html_for="status-filter"),
            labelled(T["dashboard.search"], rx.input(
                id="search", type="search", value=S.search, on_change=S.set_search.debounce(300),
                placeholder=T["dashboard.search_hint"], width="100%", size="2",
            ), html_for="search"),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="3",
            width="100%",
        ),
        rx.cond(S.overdue_count > 0,
                rx.callout(rx.text(S.due_label, " ", T["dashboard.overdue_count"], " ", S.overdue_count),
                           icon="alarm-clock", color_scheme="red", width="100%", id="due-label"),
                rx.text(S.due_label, size="2", color_scheme="gray", id="due-label")),
        rx.cond(S.overdue_periods.length() > 0, rx.vstack(
            rx.text(T["dashboard.overdue_periods"], size="2", weight="medium"),
            rx.hstack(rx.foreach(S.overdue_periods, lambda p: rx.button(
                p["label"], on_click=S.set_period(p["value"]), variant="outline", color_scheme="red", size="2",
                min_height="44px", class_name="overdue-period")), spacing="2", wrap="wrap"),
            spacing="1", id="overdue-periods",
        )),
        spacing="2",
        width="100%",
    )


def _sheets_table() -> rx.Component:
    select_all = rx.checkbox(checked=S.all_selected, on_change=S.toggle_all, id="select-all",
                             aria_label=T["dashboard.select_all"], size="3", disabled=S.selectable_count == 0)
    return rx.box(
        rx.el.table(
            rx.el.thead(rx.el.tr(
                rx.el.th(rx.cond(S.is_admin, rx.fragment(), select_all), scope="col"),
                *[rx.el.th(T[key], scope="col") for key in ("col.child", "col.status", "col.guardians", "col.hours",
                                                            "col.signed")],
                rx.el.th(rx.el.span(T["col.actions"], class_name="cc-sr-only"), scope="col"),
            )),
            rx.el.tbody(rx.foreach(S.rows, _row)),
            class_name="pt-table",
            id="sheets-table",
        ),
        rx.cond(S.rows.length() == 0, rx.text(T["dashboard.empty"], color_scheme="gray", padding="1rem")),
        width="100%",
    )


def _submit_selected() -> rx.Component:
    """Submit the selection; with days lacking any record in a selected sheet, after a dialog."""
    return rx.cond(
        S.selected_missing,
        confirm_dialog(
            rx.button(T["dashboard.submit_selected"], id="submit-selected", min_height="44px"),
            title=T["submit.missing_title"], body=T["dashboard.missing_confirm"],
            confirm_label=T["submit.anyway"], cancel_label=T["cancel"], on_confirm=S.submit_selected(True),
            id="submit-selected-dialog", tone="blue"),
        rx.button(T["dashboard.submit_selected"], on_click=S.submit_selected(False), id="submit-selected",
                  disabled=S.selected.length() == 0, min_height="44px"),
    )


def _bulk_actions() -> rx.Component:
    """Select, certify and submit (provider staff only), and the CSV export (everyone)."""
    export = rx.button(rx.icon("download", size=16, aria_hidden="true"), T["dashboard.export"],
                       on_click=S.export_csv, variant="outline", id="export-csv", min_height="44px")
    return rx.cond(S.is_admin, export, rx.vstack(
        rx.hstack(
            rx.checkbox(T["dashboard.select_all_label"], checked=S.all_selected, on_change=S.toggle_all,
                        id="select-all-mobile", size="3", disabled=S.selectable_count == 0),
            rx.text(T["dashboard.selected"], ": ", S.selected.length(), size="2", color_scheme="gray"),
            spacing="4", align="center", wrap="wrap",
        ),
        certify_box(T["submit.certify"], checked=S.certify, on_change=S.set_certify, id="bulk-certify"),
        rx.hstack(_submit_selected(), export, spacing="3", wrap="wrap"),
        notice(S.bulk_info, tone="green", icon="check", id="bulk-info"),
        rx.foreach(S.bulk_errors, lambda e: rx.callout(e, icon="triangle-alert", color_scheme="red", width="100%")),
        spacing="3",
        width="100%",
    ))


def dashboard_page() -> rx.Component:
    return signed_in_frame(
        S,
        rx.vstack(
            page_heading(T["dashboard.title"]),
            rx.hstack(rx.foreach(S.counts, _count), spacing="2", wrap="wrap", width="100%", id="counts"),
            section(_filters()),
            notice(S.info, tone="green", icon="check", id="dashboard-info"),
            notice(S.error, tone="red", icon="triangle-alert", id="dashboard-error"),
            rx.cond(S.is_admin, rx.callout(T["dashboard.read_only"], icon="eye", color_scheme="gray", width="100%",
                                           id="dashboard-read-only")),
            section(_sheets_table(), _bulk_actions()),
            spacing="4",
            width="100%",
        ),
        current="dashboard",
    )
