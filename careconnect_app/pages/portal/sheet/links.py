"""The sheet's links panel: each parent's link and its state, resend, in-person signing, recall,
and the problems parents reported."""

from __future__ import annotations

from typing import Any

import reflex as rx

from careconnect_app import routes
from careconnect_app.clock import utcnow
from careconnect_app.components.portal_layout import cell, confirm_dialog, data_table, section
from careconnect_app.models import AttendanceSheet, Guardian, SigningRequest
from careconnect_app.pages.portal.base_state import Caller
from careconnect_app.pages.portal.sheet.header import SheetState, SheetView, T
from careconnect_app.pages.portal.sheet.messages import SheetMessagesState
from careconnect_app.pages.state_tools import Session
from careconnect_app.portal import access, accounts, resend, submission
from careconnect_app.portal.submission import SubmissionError
from careconnect_app.statuses import LinkStatus, RequestStatus, SheetStatus


def _request_row(view: SheetView, request: SigningRequest, current: bool, guardian_name: str) -> dict[str, str]:
    """One link as the table shows it; a pending link past its date shows "expired"."""
    expired = request.status == RequestStatus.PENDING and request.expires_at <= utcnow()
    state = LinkStatus.EXPIRED if expired else request.status
    yes, no = view.t("yes"), view.t("no")
    return {
        "id": str(request.id), "guardian": guardian_name, "link_id": request.public_id,
        "status": view.t(f"request.{state}") + (f" · {view.t('verification.in_person')}" if request.in_person else ""),
        "sent": view.when(request.created_at),
        "opened": yes if request.opened_at else no,
        "verified": yes if request.verified_at else ("—" if not request.requires_verification else no),
        "can_resend": "1" if (current and request.status == RequestStatus.PENDING and not request.in_person
                              and not view.read_only) else "",
        "version": str(request.sheet_version),
    }


def _resend(session: Session, caller: Caller, sheet: AttendanceSheet, request_id: str) -> list[int] | None:
    """Queue the guardian's link again; None when the request is not one of this sheet's."""
    request = access.request_for(session, caller.user, request_id)
    if request is None or request.sheet_id != sheet.id:
        return None
    return resend.resend_link(session, request, user_id=caller.user.id, ip=caller.ip, user_agent=caller.user_agent)


def _start_in_person(session: Session, caller: Caller, sheet: AttendanceSheet, guardian_id: str) -> str | None:
    """A new in-person link for one of the child's guardians: its token (None for another guardian).

    The agency's setting and the parent's open problem reports are checked by the service.
    """
    if sheet.status != SheetStatus.READY_FOR_PARENT:
        raise SubmissionError("sheet.error.not_ready")
    guardian = access.guardian_for(session, caller.user, guardian_id)
    if guardian is None:
        return None
    return submission.start_in_person(session, sheet, guardian, user_id=caller.user.id, ip=caller.ip,
                                      user_agent=caller.user_agent, actor=accounts.actor_of(caller.user))


def _recall(session: Session, caller: Caller, sheet: AttendanceSheet) -> None:
    submission.recall_sheet(session, sheet, user_id=caller.user.id, ip=caller.ip, user_agent=caller.user_agent)


class SheetLinksState(SheetState):
    """The parents' links table, the child's guardians (for in-person signing), parents' problem reports."""

    requests: list[dict[str, str]] = []
    guardians: list[dict[str, str]] = []
    problems: list[dict[str, str]] = []

    @staticmethod
    def _read(view: SheetView) -> dict[str, Any]:
        sheet, requests, problems = view.sheet, [], []
        for r in reversed(view.requests):
            guardian = view.guardians.get(r.guardian_id) or view.session.get(Guardian, r.guardian_id)
            name = guardian.full_name if guardian else ""
            current = r.sheet_version == sheet.version and sheet.status == SheetStatus.READY_FOR_PARENT
            requests.append(_request_row(view, r, current, name))
            if r.dispute_text:
                problems.append({"guardian": name, "text": r.dispute_text,
                                 "when": view.when(r.disputed_at or r.created_at),
                                 "current": "1" if current and r.status == RequestStatus.DISPUTED else ""})
        guardians = [{"id": str(g.id), "name": g.full_name} for g in view.guardians.values()]
        return {"requests": requests, "guardians": guardians, "problems": problems}

    @rx.event
    async def resend(self, request_id: str):
        """Send the guardian's link again (10-minute cooldown per request, kept in the database)."""
        self.message = self.error = ""
        done = await self._on_sheet(_resend, request_id, minutes=resend.RESEND_COOLDOWN_MINUTES)
        if not done.ok or done.value is None:
            return done.redirect
        # A replaced link can change the sheet's status (expired -> ready).
        await self._refresh(SheetState, SheetLinksState, SheetMessagesState)
        self.message = self._t("resend.done")
        return SheetMessagesState.follow_delivery  # the worker sends it; the table follows

    @rx.event
    async def sign_in_person(self, guardian_id: str):
        """Issue an in-person link for a ready sheet and open the signing wizard on this device."""
        done = await self._on_sheet(_start_in_person, guardian_id)
        if not done.ok or done.value is None:
            return done.redirect
        return rx.redirect(routes.sign_path(done.value))

    @rx.event
    async def recall(self):
        """Take the sheet back before it is signed: every open link shows "recalled" at once."""
        self.message = self.error = ""
        # Links stop (and with them the "unreachable" warnings); the grid opens through `editable`.
        done = await self._on_sheet(_recall, refresh=(SheetState, SheetLinksState, SheetMessagesState))
        if not done.ok:
            return done.redirect
        self.message = self._t("sheet.recalled")
        return None


L = SheetLinksState


def problems() -> rx.Component:
    """Each problem a parent reported: red while it concerns the sheet as it is now."""
    return rx.foreach(L.problems, lambda p: rx.callout(
        rx.vstack(
            rx.text(rx.cond(p["current"] == "1", T["problem.title_open"], T["problem.title_old"]), " · ",
                    p["guardian"], " · ", p["when"], weight="bold"),
            rx.text("“", p["text"], "”", id="problem-text"),
            rx.cond(p["current"] == "1", rx.text(T["problem.how_to_fix"], size="2")),
            spacing="1",
        ),
        icon="message-square-warning", color_scheme=rx.cond(p["current"] == "1", "red", "gray"), width="100%",
    ))


def _request_row_view(r: dict) -> rx.Component:
    return rx.el.tr(
        cell(T["col.guardian"], r["guardian"]),
        cell(T["col.link_status"], r["status"]),
        cell(T["col.sent"], r["sent"]),
        cell(T["col.opened"], r["opened"]),
        cell(T["col.verified"], r["verified"]),
        cell(T["col.link_id"], rx.code(r["link_id"])),
        cell("", rx.cond(r["can_resend"] == "1",
                         rx.button(T["resend.button"], size="1", variant="soft", on_click=L.resend(r["id"]),
                                   id="resend-" + r["id"], min_height="36px"))),
    )


def _in_person_and_recall() -> rx.Component:
    return rx.vstack(
        rx.cond(SheetState.in_person_allowed, rx.vstack(
            rx.text(T["sheet.sign_in_person"], size="2"),
            rx.hstack(rx.foreach(L.guardians, lambda g: rx.button(
                rx.icon("tablet-smartphone", size=16, aria_hidden="true"), g["name"], variant="outline",
                on_click=L.sign_in_person(g["id"]), min_height="44px", id="in-person-" + g["id"])),
                spacing="3", wrap="wrap"),
            spacing="2",
        )),
        rx.hstack(
            confirm_dialog(
                rx.button(rx.icon("undo-2", size=16, aria_hidden="true"), T["sheet.recall"], color_scheme="orange",
                          variant="soft", id="recall", min_height="44px"),
                title=T["recall.confirm_title"], body=T["recall.confirm_body"], confirm_label=T["recall.confirm"],
                cancel_label=T["cancel"], on_confirm=L.recall, id="recall-dialog",
            ),
            spacing="3",
            wrap="wrap",
        ),
        rx.text(T["sheet.recall_hint"], size="1", color_scheme="gray"),
        spacing="2",
    )


def links_panel() -> rx.Component:
    """The parents' links; while the sheet waits for them, in-person signing and recall."""
    return section(
        rx.heading(T["sheet.links"], as_="h2", size="4"),
        data_table([T[key] for key in ("col.guardian", "col.link_status", "col.sent", "col.opened", "col.verified",
                                       "col.link_id")],
                   L.requests, _request_row_view, action_heading=T["col.actions"]),
        rx.cond(SheetState.recallable, _in_person_and_recall()),
    )
