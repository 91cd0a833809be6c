"""/portal/today: the day's board on the provider's phone or the tablet at the door.

One big Check in / Check out button per child and Absent with a reason (assets/tap_board.jsx
keeps every tap on the device until the server has it); the correction of a mistaken tap, with a
reason, in a dialog; the "Install" hint and the service worker's registration. Provider staff
only: an agency administrator is told the board is the provider's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import reflex as rx

from careconnect_app import routes
from careconnect_app.common.formatting import format_long_date, format_time
from careconnect_app.components.portal_layout import notice, page_heading, signed_in_frame
from careconnect_app.components.pwa import install_support
from careconnect_app.components.submit_button import submit_button
from careconnect_app.components.tap_board import tap_board
from careconnect_app.components.words import words
from careconnect_app.pages.portal.base_state import Caller, PortalState, portal_text
from careconnect_app.pages.state_tools import Session, take_language
from careconnect_app.portal import taps, today


class BoardStatus(StrEnum):
    """What the board knows (the page's component reads these strings)."""

    LOADING = "loading"  # no answer from the server yet (or offline: the device's copy shows)
    READY = "ready"
    SIGNED_OUT = "signed_out"  # the session ended: taps wait on the device until a sign-in
    NOT_PROVIDER = "not_provider"  # an agency administrator


def _entry_text(entry: today.BoardEntry, locale: str) -> str:
    if entry.absent:
        return portal_text(locale, "today.entry.absent", reason=entry.reason or "—")
    parts = [portal_text(locale, f"today.entry.{which}", time=format_time(value, locale))
             for which, value in (("in", entry.check_in), ("out", entry.check_out)) if value is not None]
    return " · ".join(parts)


def _board_view(session: Session, caller: Caller, locale: str) -> dict[str, Any] | None:
    """The board's vars for the caller (None: not provider staff)."""
    found = today.board(session, caller.user)
    if found is None:
        return None
    cards = [{"id": str(c.child_id), "name": c.name, "presence": c.presence, "locked": c.locked, "held": c.held,
              "sheet_url": routes.portal_sheet_path(c.sheet_id) if c.sheet_id else "",
              "entries": [{"id": str(e.entry_id), "absent": e.absent, "text": _entry_text(e, locale)}
                          for e in c.entries]}
             for c in found.children]
    return {"day": found.day.isoformat(), "day_label": format_long_date(found.day, locale, weekday=True),
            "timezone": found.timezone, "cards": cards}


def _record(session: Session, caller: Caller, batch: list[taps.TapInput],
            locale: str) -> tuple[list[taps.TapResult], dict[str, Any] | None]:
    results = taps.record_taps(session, caller.user, batch, ip=caller.ip, user_agent=caller.user_agent)
    return results, _board_view(session, caller, locale)


def _entry(session: Session, caller: Caller, entry_id: str) -> today.EntryToCorrect | None:
    return today.entry_to_correct(session, caller.user, entry_id)


def _correct(session: Session, caller: Caller, form: today.Correction,
             locale: str) -> tuple[str, dict[str, Any] | None]:
    error = today.correct_entry(session, caller.user, form, ip=caller.ip, user_agent=caller.user_agent)
    return error, _board_view(session, caller, locale)


class TodayState(PortalState):
    """Today's board, the answers to the device's taps, and the correction dialog."""

    board_status: str = BoardStatus.LOADING
    day: str = ""
    day_label: str = ""
    timezone: str = ""
    cards: list[dict[str, Any]] = []
    acks: list[dict[str, str]] = []
    ack_stamp: int = 0
    info: str = ""
    # The correction dialog: which record, its times as "HH:MM", and what went wrong.
    fixing: bool = False
    fix_title: str = ""
    fix_absent: bool = False
    fix_in: str = ""
    fix_out: str = ""
    fix_error: str = ""

    _fix_entry: int = 0

    def _show(self, view: dict[str, Any] | None) -> None:
        if view is None:
            self.board_status, self.cards = BoardStatus.NOT_PROVIDER, []
            return
        self.board_status = BoardStatus.READY
        for name, value in view.items():
            setattr(self, name, value)

    def _signed_out(self) -> None:
        self.board_status, self.cards, self.fixing = BoardStatus.SIGNED_OUT, [], False

    async def _read(self) -> None:
        call = await self._as_user(_board_view, self.locale)
        if call.signed_in:
            self._show(call.value)
        else:
            self._signed_out()

    @rx.event
    async def load(self):
        """Open the board (signed-in provider staff; otherwise the page asks to sign in)."""
        self._browser_locale()
        if self._opening:  # a reconnect keeps what the page said and a fix under way
            self.info, self.fixing = "", False
        await self._read()

    @rx.event
    async def choose_language(self, locale: str):
        """Show the board again in `locale`, the language its button offered."""
        if not take_language(self, locale):
            return
        self.info = ""
        await self._read()

    @rx.event
    async def sync(self, taps_sent: list):
        """Record the taps this device kept, each once; answer which ones it may forget."""
        batch = taps.parse_batch(taps_sent)
        call = await self._as_user(_record, batch, self.locale)
        if not call.signed_in:
            self._signed_out()  # the device keeps the taps and asks to sign in
            return
        results, view = call.value
        self.acks = [{"key": r.key, "outcome": str(r.outcome)} for r in results]
        self.ack_stamp += 1
        self._show(view)

    @rx.event
    async def open_correction(self, entry_id: str):
        """Open the correction dialog for one of today's records (the caller's own children only)."""
        call = await self._as_user(_entry, str(entry_id)[:12])
        if not call.signed_in:
            self._signed_out()
            return
        entry: today.EntryToCorrect | None = call.value
        if entry is None:
            self.info = self._t("error.not_found")
            return
        self._fix_entry = entry.entry_id
        self.fix_title = self._t("today.fix.title", name=entry.child_name)
        self.fix_absent = entry.absent
        self.fix_in = entry.check_in.strftime("%H:%M") if entry.check_in else ""
        self.fix_out = entry.check_out.strftime("%H:%M") if entry.check_out else ""
        self.fix_error, self.info, self.fixing = "", "", True

    @rx.event
    def close_correction(self, open_: bool = False):
        """Close the dialog without changing anything (Cancel, Escape)."""
        if not open_:
            self.fixing, self.fix_error = False, ""

    @rx.event
    async def save_correction(self, form_data: dict):
        """Change or remove the record, with the reason, on the sheet's audit trail."""
        if not self.fixing or not self._fix_entry or not isinstance(form_data, dict):
            return None
        form = today.Correction(self._fix_entry, str(form_data.get("check_in", ""))[:8],
                                str(form_data.get("check_out", ""))[:8], bool(form_data.get("remove")),
                                str(form_data.get("reason", ""))[:1000])
        call = await self._as_user(_correct, form, self.locale)
        if not call.signed_in:
            self._signed_out()
            return None
        error, view = call.value
        if error:
            self.fix_error = self._t(error)
            return rx.set_focus("fix-reason" if error == "today.error.reason" else "fix-in")
        self.fixing, self._fix_entry = False, 0
        self._show(view)
        self.info = self._t("today.fix.done")
        return None


S, T = TodayState, words(TodayState, "portal")

BOARD_CSS = """
.tb { display: flex; flex-direction: column; gap: 12px; width: 100%; }
.tb-cards { list-style: none; padding: 0; margin: 0; display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 700px) { .tb-cards { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@media (min-width: 1100px) { .tb-cards { grid-template-columns: repeat(3, minmax(0, 1fr)); } }
.tb-card { background: var(--color-panel-solid, #fff); border: 1px solid var(--gray-6); border-radius: 12px;
  padding: 14px; display: flex; flex-direction: column; gap: 10px; }
.tb-card[data-presence="in"] { border-color: #15803d; box-shadow: inset 5px 0 0 #15803d; }
.tb-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; flex-wrap: wrap; }
.tb-name { font-size: 1.25rem; font-weight: 700; margin: 0; overflow-wrap: break-word; min-width: 0; }
.tb-badge { font-size: .9rem; padding: 4px 10px; border-radius: 999px; background: var(--gray-4); white-space: nowrap; }
.tb-badge[data-presence="in"] { background: #dcfce7; color: #14532d; }
.tb-badge[data-presence="absent"] { background: #ffedd5; color: #7c2d12; }
.tb-row { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; }
.tb-main { flex: 1 1 11rem; min-width: 0; min-height: 56px; font-size: 1.2rem; font-weight: 700; border-radius: 10px; border: 0;
  background: #1d4ed8; color: #fff; cursor: pointer; padding: 0 16px; }
.tb-main[data-action="check_out"] { background: #166534; }
.tb-main[aria-disabled="true"] { opacity: .55; cursor: wait; }
.tb-quiet { min-height: 56px; padding: 0 18px; border-radius: 10px; border: 2px solid var(--gray-9); background: transparent;
  color: var(--gray-12); font-size: 1.05rem; font-weight: 600; cursor: pointer; }
.tb-times { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column; }
.tb-times li { display: flex; justify-content: space-between; align-items: center; gap: 8px; min-height: 44px;
  border-bottom: 1px solid var(--gray-4); }
.tb-link { min-height: 44px; min-width: 44px; background: none; border: 0; color: var(--accent-11);
  text-decoration: underline; font-size: 1rem; cursor: pointer; padding: 0 4px; }
.tb-waiting em { color: #9a3412; font-style: normal; font-weight: 600; }
.tb-sync { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; justify-content: space-between;
  padding: 10px 14px; border-radius: 10px; background: #dcfce7; color: #14532d; font-weight: 600; }
.tb-sync[data-state="offline"] { background: #ffedd5; color: #7c2d12; }
.tb-sync[data-state="connecting"] { background: var(--gray-3); color: var(--gray-12); }
.tb-signin { flex: 0 0 auto; display: inline-flex; align-items: center; text-decoration: none; font-size: 1rem; }
.tb-locked { background: var(--gray-3); padding: 10px; border-radius: 8px; margin: 0; }
.tb-locked a { display: inline-block; min-height: 44px; line-height: 44px; }
.tb-note { color: #9a3412; margin: 0; }
.tb-absent fieldset { border: 1px solid var(--gray-7); border-radius: 10px; padding: 10px; margin: 0; min-width: 0;
  display: flex; flex-direction: column; gap: 8px; }
.tb-absent legend { font-weight: 600; padding: 0 4px; }
.tb-chips { display: flex; flex-wrap: wrap; gap: 8px; }
.tb-chip { min-height: 44px; max-width: 100%; padding: 0 14px; border-radius: 999px; border: 1px solid var(--gray-9); background: transparent;
  font-size: 1rem; color: var(--gray-12); cursor: pointer; }
.tb-chip[aria-pressed="true"] { background: #1d4ed8; color: #fff; border-color: #1d4ed8; }
.tb-absent input { min-height: 44px; font-size: 1rem; padding: 0 10px; border: 1px solid var(--gray-9); border-radius: 8px;
  width: 100%; box-sizing: border-box; }
.pw-hint { border: 1px solid #bfdbfe; background: #eff6ff; color: #1e3a8a; border-radius: 10px; padding: 10px 14px; }
.pw-title { font-weight: 700; margin: 0 0 4px; }
.pw-body { margin: 0 0 8px; }
.pw-actions { display: flex; gap: 10px; flex-wrap: wrap; }
.pw-install, .pw-dismiss { min-height: 44px; padding: 0 16px; border-radius: 8px; font-size: 1rem; font-weight: 600; cursor: pointer; }
.pw-install { background: #1d4ed8; color: #fff; border: 0; }
.pw-dismiss { background: transparent; color: #1e3a8a; border: 2px solid #1e3a8a; }
.fix-field input { min-height: 44px; font-size: 1rem; }
.fix-check { display: flex; gap: 10px; align-items: center; min-height: 44px; }
.fix-check input { width: 24px; height: 24px; }
"""


def _time_input(label, name: str, value, field_id: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": "500"}),
        rx.input(type="time", name=name, default_value=value, id=field_id, size="3", class_name="fix-field"),
        spacing="1",
    )


def _correction_dialog() -> rx.Component:
    remove_label = rx.cond(S.fix_absent, T["today.fix.remove_absence"], T["today.fix.remove"])
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.fix_title),
            rx.dialog.description(T["today.fix.intro"], size="2"),
            rx.form(
                rx.vstack(
                    rx.cond(~S.fix_absent, rx.hstack(_time_input(T["today.fix.in"], "check_in", S.fix_in, "fix-in"),
                                                     _time_input(T["today.fix.out"], "check_out", S.fix_out, "fix-out"),
                                                     spacing="3", wrap="wrap")),
                    rx.el.label(rx.el.input(type="checkbox", name="remove", id="fix-remove",
                                            default_checked=S.fix_absent), remove_label, class_name="fix-check"),
                    rx.el.label(T["today.fix.reason"], html_for="fix-reason", style={"fontWeight": "500"}),
                    rx.text_area(name="reason", id="fix-reason", required=True, max_length=200, rows="2", size="3",
                                 width="100%"),
                    notice(S.fix_error, tone="red", icon="triangle-alert", id="fix-error"),
                    rx.hstack(
                        rx.dialog.close(rx.button(T["cancel"], type="button", variant="soft", color_scheme="gray",
                                                  min_height="44px", id="fix-cancel")),
                        submit_button(T["today.fix.save"], min_height="44px", id="fix-save"),
                        spacing="3", justify="end", width="100%", wrap="wrap",
                    ),
                    spacing="3",
                    width="100%",
                ),
                method="post", on_submit=S.save_correction,
                reset_on_submit=False,
                key=S.fix_title + S.fix_in + S.fix_out,  # a new record starts from its own values
            ),
            max_width="28rem",
            id="fix-dialog",
        ),
        open=S.fixing,
        on_open_change=S.close_correction,
    )


def today_page() -> rx.Component:
    return signed_in_frame(
        S,
        rx.el.style(BOARD_CSS),
        rx.vstack(
            rx.vstack(page_heading(T["today.title"]), rx.text(S.day_label, size="3", color_scheme="gray", id="board-day"),
                      spacing="1"),
            install_support(T),
            notice(S.info, tone="green", icon="circle-check", id="board-info"),
            rx.cond(S.board_status == BoardStatus.NOT_PROVIDER,
                    notice(T["today.not_provider"], tone="blue", id="board-not-provider")),
            rx.cond(S.board_status == BoardStatus.SIGNED_OUT, rx.text(T["today.signed_out"], id="board-signed-out")),
            rx.cond((S.board_status == BoardStatus.READY) & (S.cards.length() == 0),
                    rx.text(T["today.no_children"], " ", rx.link(T["nav.children"], href=routes.PORTAL_CHILDREN),
                            id="board-empty")),
            tap_board(cards=S.cards, day=S.day, timezone=S.timezone, status=S.board_status, acks=S.acks, ack_stamp=S.ack_stamp,
                      labels=T.table("today.", "cancel"),
                      locale=S.locale, login_url=routes.PORTAL_LOGIN, on_sync=S.sync, on_correct=S.open_correction),
            _correction_dialog(),
            spacing="4",
            width="100%",
        ),
        current="today",
    )
