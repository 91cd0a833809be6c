"""The sheet page's header and guard: which sheet, its child, period and status, and the notices.

`SheetState` is the parent of one substate per panel (grid, links, messages, evidence). With the
state in Redis an event loads only its own substate and its parents, so a keystroke in the grid
never reads or writes the signature image or the message table. Every panel has a `_read(view)`
that reads its vars from the database off the event loop; an action names the panels it changed
and `_on_sheet` reads exactly those and shows them through `get_state` (one event, one answer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import reflex as rx

from careconnect_app import routes
from careconnect_app.common.formatting import format_local_datetime, format_period
from careconnect_app.components.portal_layout import notice, page_heading
from careconnect_app.components.words import words
from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, Provider, SigningRequest
from careconnect_app.pages.portal.base_state import Caller, PortalState, portal_text
from careconnect_app.pages.state_tools import Session, take_language
from careconnect_app.portal import access, dashboard, submission
from careconnect_app.portal.submission import SubmissionError
from careconnect_app.statuses import SheetStatus


class SheetView:
    """One sheet as the panels read it in one session; requests and guardians are read once.

    `read_only`: the caller is the agency, who sees the sheet but changes nothing.
    """

    def __init__(self, session: Session, sheet: AttendanceSheet, locale: str, read_only: bool = False):
        self.session, self.sheet, self.locale, self.read_only = session, sheet, locale, read_only

    @cached_property
    def agency(self) -> Agency:
        """The agency whose rules apply to the sheet."""
        return self.session.get(Agency, self.session.get(Provider, self.sheet.provider_id).agency_id)

    @cached_property
    def timezone(self) -> str:
        """The agency's time zone: every time on the page is on its clock."""
        return self.agency.timezone if self.agency else "UTC"

    def when(self, moment: datetime | None) -> str:
        """A stored time as the agency reads it ("Nov 29, 2026, 12:43 AM PST")."""
        return format_local_datetime(moment, self.timezone, self.locale)

    @cached_property
    def requests(self) -> list[SigningRequest]:
        """Every signing request of the sheet, oldest first."""
        return dashboard.requests_by_sheet(self.session, [self.sheet.id]).get(self.sheet.id, [])

    @cached_property
    def guardians(self) -> dict[int, Guardian]:
        """The child's guardians of record by id."""
        return {g.id: g for g in submission.guardians_of(self.session, self.sheet.child_id)}

    def t(self, key: str, **values: object) -> str:
        return portal_text(self.locale, key, **values)


@dataclass(frozen=True)
class _Outcome:
    """What `_run_on_sheet` found and did (plain data, back to the event loop)."""

    skipped: bool = False  # the event came from a page showing another sheet
    found: bool = False
    value: Any = None
    error_key: str = ""
    panels: dict[type, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class SheetDone:
    """What `SheetState._on_sheet` did: `ok` when the action ran on the caller's sheet."""

    ok: bool = False
    value: Any = None
    redirect: Any = None  # the login page when the session is gone


def _run_on_sheet(session: Session, caller: Caller, sheet_id: str | None, locale: str, action: Callable | None,
                  args: tuple, refresh: tuple[type, ...], all_panels: tuple[type, ...],
                  need_editable: bool, admin_may: bool) -> _Outcome:
    """Guard, act, then read the panels the action changed (in a worker thread, one session)."""
    if sheet_id is None:
        return _Outcome(skipped=True)
    sheet = access.sheet_for(session, caller.user, sheet_id)
    if sheet is None:
        return _Outcome()
    read_only = not access.may_edit_sheets(caller.user)
    if action is not None and read_only and not admin_may:
        return _Outcome(found=True, error_key="sheet.error.read_only")
    if need_editable and sheet.locked:
        # Submitted meanwhile (another tab, say): show the sheet as it is now.
        return _Outcome(found=True, error_key="sheet.error.locked",
                        panels=_read_panels(session, sheet, locale, all_panels, read_only))
    value = None
    if action is not None:
        try:
            value = action(session, caller, sheet, *args)
        except SubmissionError as exc:
            session.rollback()
            return _Outcome(found=True, error_key=exc.key)
        session.flush()
    return _Outcome(found=True, value=value, panels=_read_panels(session, sheet, locale, refresh, read_only))


def _read_panels(session: Session, sheet: AttendanceSheet, locale: str, panels: Iterable[type],
                 read_only: bool) -> dict[type, dict[str, Any]]:
    view = SheetView(session, sheet, locale, read_only)
    return {panel: panel._read(view) for panel in panels}


class SheetState(PortalState):
    """The sheet header: which sheet, found/loaded, child/provider/period, status, flags, notices."""

    found: bool = False
    loaded: bool = False
    current_sheet_id: str = ""  # the id in the address, as text
    child_name: str = ""
    provider_name: str = ""
    period_label: str = ""  # "March 1 – 31, 2026", in the page's language
    status: str = ""  # a PortalStatus
    status_label: str = ""  # that status in the page's language
    version: str = ""  # "1", "2"…: each recall makes a new version
    period_start: str = ""  # ISO dates: the schedule form's date bounds
    period_end: str = ""
    editable: bool = False
    recallable: bool = False
    signed: bool = False
    read_only: bool = False  # the agency's view: no grid, submit, recall or resend
    in_person_allowed: bool = False  # the agency's setting: no in-person button where it is off
    message: str = ""
    error: str = ""

    @staticmethod
    def _read(view: SheetView) -> dict[str, Any]:
        """The header's vars (each panel substate has its own `_read`)."""
        sheet, session = view.sheet, view.session
        status = dashboard.sheet_status(sheet, view.requests)
        return {
            "found": True,
            "child_name": session.get(Child, sheet.child_id).full_name,
            "provider_name": session.get(Provider, sheet.provider_id).name,
            "period_label": format_period(sheet.period_start, sheet.period_end, view.locale),
            "status": status,
            "status_label": view.t(f"status.{status}"),
            "version": str(sheet.version),
            "period_start": sheet.period_start.isoformat(),
            "period_end": sheet.period_end.isoformat(),
            "editable": not sheet.locked and not view.read_only,
            "recallable": sheet.status == SheetStatus.READY_FOR_PARENT and not view.read_only,
            "signed": sheet.status == SheetStatus.SIGNED,
            "read_only": view.read_only,
            "in_person_allowed": view.agency.allow_in_person_signing and not view.read_only,
        }

    def _show(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    @staticmethod
    def _panels() -> tuple[type[SheetState], ...]:
        """The header and every panel substate."""
        return (SheetState, *sorted(SheetState.get_substates(), key=lambda panel: panel.get_name()))

    def _url_sheet_id(self) -> str:
        return routes.last_segment(self.router.url.path, routes.PORTAL_SHEET_PREFIX)

    async def _on_sheet(self, action: Callable | None = None, *args: Any, refresh: Iterable[type] = (),
                        need_editable: bool = False, admin_may: bool = False, **error_values: Any) -> SheetDone:
        """The prologue of every sheet handler: run `action(session, caller, sheet, *args)` on the
        caller's own sheet off the event loop, then show the `refresh` panels as they are now.

        Actions are provider staff's unless `admin_may` (downloads): the agency reads only. A refused
        action (SubmissionError) is rolled back and its reason shown in the error notice.
        """
        # An event from a page showing another sheet (typed before this page loaded) does nothing.
        sheet_id = self.current_sheet_id if self._url_sheet_id() == self.current_sheet_id else None
        call = await self._as_user(_run_on_sheet, sheet_id, self.locale, action, args, tuple(refresh),
                                   self._panels(), need_editable, admin_may)
        if not call.signed_in:
            return SheetDone(redirect=self._to_login())
        outcome = call.value
        if outcome.skipped:
            return SheetDone()
        if not outcome.found:
            self.found = False
            return SheetDone()
        if outcome.error_key:
            self.error = self._t(outcome.error_key, **error_values)
        for panel, values in outcome.panels.items():
            (await self.get_state(panel))._show(values)
        return SheetDone(ok=not outcome.error_key, value=outcome.value)

    async def _refresh(self, *panels: type[SheetState]) -> None:
        """Show these panels as they are now (after work committed outside `_on_sheet`)."""
        await self._on_sheet(refresh=panels)

    @rx.event
    async def load(self):
        """Open a sheet: only the user's own provider's (or agency's) sheets exist here. A reconnect
        reads the sheet again but keeps what the panels show (a form half filled in, a notice)."""
        if self._opening:
            self.loaded = False
            self.message = self.error = ""
            for panel in SheetState.get_substates():
                (await self.get_state(panel)).reset()  # nothing of the previous sheet stays
        self.current_sheet_id = self._url_sheet_id()
        done = await self._on_sheet(refresh=self._panels())
        if done.redirect is not None:
            self.found = False
            return done.redirect
        self.loaded = True
        return None

    @rx.event
    async def choose_language(self, locale: str):
        """Show the sheet again in `locale`, the language its button offered."""
        if not take_language(self, locale):
            return
        await self._refresh(*self._panels())


T = words(SheetState, "portal")  # the page's words, in its language


def sheet_header() -> rx.Component:
    """Back link, the child's name, period, status badge and provider, then the notices."""
    return rx.fragment(
        rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), T["sheet.back"], align="center"),
                href=routes.PORTAL),
        page_heading(SheetState.child_name),
        rx.hstack(
            rx.text(SheetState.period_label, size="3"),
            rx.badge(SheetState.status_label, size="2", id="sheet-status", high_contrast=True),
            rx.text(SheetState.provider_name, size="2", color_scheme="gray"),
            spacing="3", wrap="wrap", align="center",
        ),
        rx.cond(SheetState.read_only, rx.callout(T["sheet.read_only"], icon="eye", color_scheme="gray",
                                                 id="sheet-read-only", width="100%")),
        notice(SheetState.message, tone="green", icon="check", id="sheet-message"),
        notice(SheetState.error, tone="red", icon="triangle-alert", id="sheet-error"),
    )
