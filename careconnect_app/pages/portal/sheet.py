"""/portal/sheets/<id>: one child's sheet: the day grid (draft), submit, recall, resend,
in-person signing, the parent's problem report, and the signed evidence with downloads."""

from __future__ import annotations

import base64
import dataclasses
from datetime import date

import reflex as rx

from careconnect_app.portal import resend
from careconnect_app.statuses import MESSAGE_STATUS_TONE

from careconnect_app.portal import grid
from careconnect_app.portal import access
from careconnect_app import i18n
from careconnect_app.clock import iso, utcnow
from careconnect_app.components.portal_layout import notice, page_heading, portal_frame, section
from careconnect_app.db import session_scope
from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, Provider
from careconnect_app.pages.portal.base_state import PortalState
from careconnect_app.routes import sign_path
from careconnect_app.portal import accounts, dashboard, submission
from careconnect_app import attendance
from careconnect_app.common import audit
from careconnect_app.signing import evidence, links
from careconnect_app.messaging import outbox
from careconnect_app.common.formatting import format_date, format_minutes, format_period

MAX_PAIRS = 4


def _small_int(value: object) -> int:
    """A list index from the browser (any client may send anything): -1 when not a small int."""
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1
    return number if 0 <= number < 1000 else -1


@dataclasses.dataclass
class PairRow:
    check_in: str = ""
    check_out: str = ""


@dataclasses.dataclass
class DayRow:
    iso: str = ""
    label: str = ""
    weekend: bool = False
    absent: bool = False
    reason: str = ""
    pairs: list[PairRow] = dataclasses.field(default_factory=list)
    hours: str = ""
    error: str = ""


class SheetState(PortalState):
    found: bool = False
    loaded: bool = False
    current_sheet_id: str = ""
    child_name: str = ""
    provider_name: str = ""
    period_label: str = ""
    status: str = ""
    status_label: str = ""
    version: str = ""
    editable: bool = False
    recallable: bool = False
    days: list[DayRow] = []
    total_hours: str = "0:00"
    days_present: str = "0"
    days_absent: str = "0"
    certify: bool = False
    message: str = ""
    error: str = ""
    requests: list[dict[str, str]] = []
    guardians: list[dict[str, str]] = []
    problems: list[dict[str, str]] = []
    # Signed evidence.
    signed: bool = False
    signature_src: str = ""
    signer: str = ""
    signed_at: str = ""
    reference: str = ""
    document_hash: str = ""
    verification: str = ""
    audit_rows: list[dict[str, str]] = []
    # Every email/SMS about this sheet with its delivery state (queued, sent, delivered, failed).
    messages: list[dict[str, str]] = []
    unreachable: list[str] = []

    _error_keys: list[str] = []

    # --- helpers --------------------------------------------------------------------------------
    def _sheet_id_from_url(self) -> str:
        path = str(self.router.url.path or "").rstrip("/")
        return path.rsplit("/", 1)[-1] if "/portal/sheets/" in path else ""

    def _guard(self, session, *, need_editable: bool = False):
        """(user, sheet) when the session is live and the sheet is the user's, else (user|None, None)."""
        user = self._require(session)
        if user is None:
            return None, None
        if self._sheet_id_from_url() != self.current_sheet_id:
            # An event from a page showing another sheet (e.g. typed before this page loaded).
            return user, None
        sheet = access.sheet_for(session, user, self.current_sheet_id)
        if sheet is None:
            self.found = False
            return user, None
        if need_editable and sheet.locked:
            self.error = self._t("sheet.error.locked")
            self._show(session, sheet)
            return user, None
        return user, sheet

    def _refresh(self) -> None:
        """Re-read the sheet after an action committed, re-checking access as every handler does."""
        with session_scope() as session:
            _user, sheet = self._guard(session)
            if sheet is not None:
                self._show(session, sheet)

    def _day_label(self, d: date) -> str:
        return self._t("day_format", weekday=self._t(attendance.weekday_key(d)), day=d.day,
                       month=self._t(f"month.{d.month}"))

    def _show(self, session, sheet: AttendanceSheet) -> None:
        """Fill every visible field from the database."""
        self.found = True
        child = session.get(Child, sheet.child_id)
        provider = session.get(Provider, sheet.provider_id)
        self.child_name, self.provider_name = child.full_name, provider.name
        self.period_label = format_period(sheet.period_start, sheet.period_end, self.locale)
        reqs = dashboard.requests_by_sheet(session, [sheet.id]).get(sheet.id, [])
        self.status = dashboard.sheet_status(sheet, reqs)
        self.status_label = self._t(f"status.{self.status}")
        self.version = str(sheet.version)
        self.editable = not sheet.locked
        self.recallable = sheet.status == "ready_for_parent"
        self.days = [
            DayRow(
                iso=d["iso"], label=self._day_label(date.fromisoformat(d["iso"])),
                weekend=date.fromisoformat(d["iso"]).weekday() >= 5, absent=d["absent"], reason=d["reason"],
                pairs=[PairRow(p["in"], p["out"]) for p in d["pairs"]],
            )
            for d in grid.grid_days(session, sheet)
        ]
        for day in self.days:
            self._check_day(sheet, day)
        self._totals()
        guardians = {g.id: g for g in submission.guardians_of(session, sheet.child_id)}
        self.guardians = [{"id": str(g.id), "name": g.full_name} for g in guardians.values()]
        now = utcnow()
        self.requests = []
        self.problems = []
        for r in reversed(reqs):
            g = guardians.get(r.guardian_id) or session.get(Guardian, r.guardian_id)
            current = r.sheet_version == sheet.version and sheet.status == "ready_for_parent"
            state = "expired" if r.status == "pending" and r.expires_at <= now else r.status
            self.requests.append({
                "id": str(r.id), "guardian": g.full_name if g else "", "link_id": r.public_id,
                "status": self._t(f"request.{state}"), "sent": format_date(r.created_at, self.locale),
                "opened": self._t("yes") if r.opened_at else self._t("no"),
                "verified": self._t("yes") if r.verified_at else ("—" if not r.requires_verification else self._t("no")),
                "in_person": self._t("yes") if r.in_person else "",
                "can_resend": "1" if current and r.status == "pending" and not r.in_person else "",
                "version": str(r.sheet_version),
            })
            if r.dispute_text:
                self.problems.append({"guardian": g.full_name if g else "", "text": r.dispute_text,
                                      "when": format_date(r.disputed_at or r.created_at, self.locale),
                                      "current": "1" if current and r.status == "disputed" else ""})
        self._show_messages(session, sheet, reqs, guardians)
        self._show_signed(session, sheet)

    def _show_messages(self, session, sheet: AttendanceSheet, reqs, guardians) -> None:
        """Delivery states from the outbox table; contacts are masked by delivery_summary."""
        self.messages = [
            {"kind": self._t(f"message.kind.{m['kind']}"), "channel": m["channel"], "to": m["to"],
             "status": self._t(f"message.status.{m['status']}"), "state": m["status"],
             "attempts": str(m["attempts"]), "reason": m["last_error"] or "",
             "when": iso(m["delivered_at"] or m["sent_at"] or m["failed_at"] or m["created_at"])}
            for m in outbox.delivery_summary(session, sheet.id)
        ]
        self.unreachable = [
            self._t("messages.unreachable", name=(guardians.get(r.guardian_id).full_name
                                                  if guardians.get(r.guardian_id) else ""))
            for r in reqs
            if r.status == "pending" and not r.in_person and outbox.all_channels_failed(session, r.id)
        ]

    def _show_signed(self, session, sheet: AttendanceSheet) -> None:
        sig = evidence.signature_of_sheet(session, sheet)
        self.signed = sig is not None
        if sig is None:
            self.signature_src = self.signer = self.signed_at = self.reference = self.document_hash = ""
            self.verification = ""
            self.audit_rows = []
            return
        self.signature_src = "data:image/png;base64," + base64.b64encode(sig.png).decode("ascii")
        self.signer = sig.signer_name
        self.signed_at = iso(sig.signed_at)
        self.reference = sig.reference
        self.document_hash = sig.document_hash
        how = self._t(f"verification.{sig.verification_channel}") if sig.verification_channel else self._t("verification.none")
        self.verification = how + (" · " + self._t("verification.in_person") if sig.in_person else "")
        self.audit_rows = [
            {"time": iso(e.created_at), "event": self._event_label(e.event),
             "actor": self._t(f"actor.{e.actor}"), "ip": e.ip or "—", "user_agent": e.user_agent or "—", "channel": e.channel or "—"}
            for e in audit.events_for_sheet(session, sheet.id)
        ]

    def _event_label(self, event: str) -> str:
        for key in (f"portal.event.{event}", f"documents.event.{event}"):
            text = i18n.t(key, self.locale)
            if text != key:
                return text
        return event

    def _check_day(self, sheet: AttendanceSheet, day: DayRow) -> None:
        pairs = [{"in": p.check_in, "out": p.check_out} for p in day.pairs]
        errors = grid.day_errors(sheet, date.fromisoformat(day.iso), pairs, day.absent)
        day.error = " ".join(self._t(k) for k in errors)
        day.hours = "—" if day.absent else format_minutes(grid.day_minutes(pairs, day.absent))

    def _totals(self) -> None:
        minutes = present = absent = 0
        for day in self.days:
            pairs = [{"in": p.check_in, "out": p.check_out} for p in day.pairs]
            m = grid.day_minutes(pairs, day.absent)
            minutes += m
            present += 1 if (m > 0 and not day.absent) else 0
            absent += 1 if day.absent else 0
        self.total_hours = format_minutes(minutes)
        self.days_present, self.days_absent = str(present), str(absent)

    def _edit_day(self, index, change) -> None:
        """Apply `change` to one day, re-validate it, save it as a draft, update totals."""
        index = _small_int(index)
        if not (0 <= index < len(self.days)):
            return
        with session_scope() as session:
            _user, sheet = self._guard(session, need_editable=True)
            if sheet is None:
                return
            days = [dataclasses.replace(d, pairs=[dataclasses.replace(p) for p in d.pairs]) for d in self.days]
            day = days[index]
            change(day)
            pairs = [{"in": p.check_in, "out": p.check_out} for p in day.pairs]
            _typed, parsable = grid.parse_pairs(pairs)
            if parsable:
                grid.save_day(session, sheet, date.fromisoformat(day.iso), pairs, day.absent, day.reason)
            self._check_day(sheet, day)
            self.days = days
            self._totals()
            self.message = ""

    # --- events --------------------------------------------------------------------------------
    @rx.event
    def load(self):
        """Open a sheet: only the user's own provider's (or agency's) sheets exist here."""
        self.loaded = False
        self.message = self.error = ""
        self.certify = False
        self.current_sheet_id = self._sheet_id_from_url()
        with session_scope() as session:
            user, sheet = self._guard(session)
            if user is None:
                self.found = False
                self.days, self.requests, self.audit_rows = [], [], []
                return self._to_login()
            if sheet is not None:
                self._show(session, sheet)
            else:
                self.found = False
                self.days, self.requests, self.audit_rows = [], [], []
        self.loaded = True

    @rx.event
    def toggle_language(self):
        self._switch_locale()
        self._refresh()

    @rx.event
    def set_time(self, index: int, pair: int, which: str, value: str):
        """A check-in or check-out time changed ("HH:MM" or "")."""
        value = str(value)[:8]
        pair = _small_int(pair)

        def change(day: DayRow):
            if 0 <= pair < len(day.pairs) and which in ("in", "out"):
                setattr(day.pairs[pair], "check_in" if which == "in" else "check_out", value)
                if value:
                    day.absent = False

        self._edit_day(index, change)

    @rx.event
    def add_pair(self, index: int):
        """Another check-in/check-out pair on this day."""
        def change(day: DayRow):
            if len(day.pairs) < MAX_PAIRS:
                day.pairs.append(PairRow())
        self._edit_day(index, change)

    @rx.event
    def remove_pair(self, index: int, pair: int):
        pair = _small_int(pair)

        def change(day: DayRow):
            if 0 <= pair < len(day.pairs):
                day.pairs.pop(pair)
            if not day.pairs:
                day.pairs.append(PairRow())
        self._edit_day(index, change)

    @rx.event
    def set_absent(self, index: int, absent: bool):
        """Mark the day absent (times are cleared) or present again."""
        def change(day: DayRow):
            day.absent = bool(absent)
            if day.absent:
                day.pairs = [PairRow()]
            else:
                day.reason = ""
        self._edit_day(index, change)

    @rx.event
    def set_reason(self, index: int, reason: str):
        reason = str(reason)[:200]

        def change(day: DayRow):
            day.reason = reason
        self._edit_day(index, change)

    @rx.event
    def set_certify(self, value: bool):
        self.certify = bool(value)

    @rx.event
    def submit(self, in_person: bool = False):
        """Certify, lock and send the links (or hand the device to the parent when in person)."""
        self.message = self.error = ""
        if not self.certify:
            self.error = self._t("submit.error.certify")
            return rx.set_focus("certify")
        ip, user_agent = self._client()
        with session_scope() as session:
            user, sheet = self._guard(session, need_editable=True)
            if user is None:
                return self._to_login()
            if sheet is None:
                return
            try:
                issued = submission.submit_sheet(session, sheet, user_id=user.id, ip=ip, user_agent=user_agent,
                                                 in_person=bool(in_person))
            except submission.SubmissionError as exc:
                session.rollback()
                self.error = self._t(exc.key)
                return
            message_ids = [m for link in issued for m in link.message_ids]
            first_url = issued[0].url if issued else ""
        outbox.deliver_now(message_ids)
        self.certify = False
        if in_person and first_url:
            token = first_url.rsplit("/", 1)[-1]
            return rx.redirect(sign_path(token))
        self._refresh()
        self.message = self._t("submit.done", count=len(issued))

    @rx.event
    def sign_in_person(self, guardian_id: str):
        """Issue an in-person link for a ready sheet and open the signing wizard on this device."""
        ip, user_agent = self._client()
        with session_scope() as session:
            user, sheet = self._guard(session)
            if user is None:
                return self._to_login()
            if sheet is None or sheet.status != "ready_for_parent":
                self.error = self._t("sheet.error.not_ready")
                return
            guardian = access.guardian_for(session, user, guardian_id)
            if guardian is None or guardian.id not in [g.id for g in submission.guardians_of(session, sheet.child_id)]:
                return
            provider = session.get(Provider, sheet.provider_id)
            agency = session.get(Agency, provider.agency_id)
            request, token = links.issue(session, sheet, guardian, agency, in_person=True)
            audit.record(session, "in_person_started", actor=accounts.actor_of(user), sheet_id=sheet.id,
                         signing_request_id=request.id, user_id=user.id, ip=ip, user_agent=user_agent)
        return rx.redirect(sign_path(token))

    @rx.event
    def recall(self):
        """Take the sheet back before it is signed: every open link shows "recalled" at once."""
        self.message = self.error = ""
        ip, user_agent = self._client()
        with session_scope() as session:
            user, sheet = self._guard(session)
            if user is None:
                return self._to_login()
            if sheet is None:
                return
            try:
                submission.recall_sheet(session, sheet, user_id=user.id, ip=ip, user_agent=user_agent)
            except submission.SubmissionError as exc:
                session.rollback()
                self.error = self._t(exc.key)
                return
            session.flush()
            self._show(session, sheet)
        self.message = self._t("sheet.recalled")

    @rx.event
    def resend(self, request_id: str):
        """Send the guardian's link again (10-minute cooldown per request, kept in the database)."""
        self.message = self.error = ""
        ip, user_agent = self._client()
        with session_scope() as session:
            user, sheet = self._guard(session)
            if user is None:
                return self._to_login()
            request = access.request_for(session, user, request_id)
            if sheet is None or request is None or request.sheet_id != sheet.id:
                return
            try:
                ids = resend.resend_link(session, request, user_id=user.id, ip=ip, user_agent=user_agent)
            except submission.SubmissionError as exc:
                session.rollback()
                self.error = self._t(exc.key, minutes=resend.RESEND_COOLDOWN_MINUTES)
                return
        outbox.deliver_now(ids)
        self._refresh()
        self.message = self._t("resend.done")

    def _download(self, kind: str):
        ip, user_agent = self._client()
        with session_scope() as session:
            user, sheet = self._guard(session)
            if user is None:
                return self._to_login()
            if sheet is None:
                return
            build = evidence.completion_certificate_pdf if kind == "certificate" else evidence.signed_attendance_pdf
            result = build(session, sheet, self.locale)
            if result is None:
                return
            pdf, reference = result
            audit.record(session, "certificate_downloaded" if kind == "certificate" else "document_downloaded",
                         actor=accounts.actor_of(user), sheet_id=sheet.id, user_id=user.id, ip=ip,
                         user_agent=user_agent)
        name = "certificate" if kind == "certificate" else "attendance"
        return rx.download(data=pdf, filename=f"{name}-{reference}.pdf")

    @rx.event
    def download_signed(self):
        """The signed attendance PDF (exactly what the parent signed)."""
        return self._download("signed")

    @rx.event
    def download_certificate(self):
        """The completion certificate PDF (evidence and audit trail)."""
        return self._download("certificate")


S, T = SheetState, SheetState.tr


def _pair(day: rx.Var, index, pair: rx.Var, j) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.label(T["grid.in"], html_for=f"in-{index}-{j}", style={"fontSize": "0.8rem"}),
            rx.input(type="time", value=pair.check_in, id=f"in-{index}-{j}", class_name="pt-time",
                     on_change=lambda v: S.set_time(index, j, "in", v), disabled=day.absent | ~S.editable),
            spacing="0",
        ),
        rx.vstack(
            rx.el.label(T["grid.out"], html_for=f"out-{index}-{j}", style={"fontSize": "0.8rem"}),
            rx.input(type="time", value=pair.check_out, id=f"out-{index}-{j}", class_name="pt-time",
                     on_change=lambda v: S.set_time(index, j, "out", v), disabled=day.absent | ~S.editable),
            spacing="0",
        ),
        rx.cond(
            S.editable & (day.pairs.length() > 1),
            rx.icon_button(rx.icon("x", size=16), variant="ghost", color_scheme="gray", size="2",
                           on_click=S.remove_pair(index, j), aria_label=T["grid.remove_pair"], margin_top="18px"),
        ),
        spacing="2",
        align="start",
    )


def _day(day: rx.Var, index) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.text(day.label, weight="medium", min_width="8.5rem", id=f"day-label-{index}"),
            rx.vstack(
                rx.cond(~day.absent, rx.foreach(day.pairs, lambda p, j: _pair(day, index, p, j))),
                rx.cond(
                    S.editable & ~day.absent & (day.pairs.length() < MAX_PAIRS),
                    rx.button(rx.icon("plus", size=14, aria_hidden="true"), T["grid.add_pair"], variant="ghost",
                              size="1", on_click=S.add_pair(index), id=f"add-pair-{index}"),
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.checkbox(T["grid.absent"], checked=day.absent, on_change=lambda v: S.set_absent(index, v),
                            id=f"absent-{index}", disabled=~S.editable, size="2"),
                rx.cond(
                    day.absent,
                    rx.vstack(
                        rx.el.label(T["grid.reason"], html_for=f"reason-{index}", style={"fontSize": "0.8rem"}),
                        rx.input(default_value=day.reason, id=f"reason-{index}", key=day.iso + "-reason",
                                 on_blur=lambda v: S.set_reason(index, v), disabled=~S.editable, max_length=200),
                        spacing="0",
                    ),
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.text(T["grid.hours"], size="1", color_scheme="gray"),
                rx.text(day.hours, weight="medium", id=f"hours-{index}"),
                spacing="0",
                align="end",
                margin_left="auto",
            ),
            gap="12px",
            wrap="wrap",
            align="start",
            width="100%",
        ),
        rx.cond(day.error != "", rx.text(day.error, color_scheme="red", size="2", role="alert",
                                         id=f"day-error-{index}")),
        class_name="pt-day",
        custom_attrs={"data-weekend": rx.cond(day.weekend, "true", "false"),
                      "data-error": rx.cond(day.error != "", "true", "false"), "data-day": day.iso},
        padding_x="8px",
    )


def _totals() -> rx.Component:
    return rx.hstack(
        rx.box(rx.text(T["grid.total_hours"], size="1", color_scheme="gray"),
               rx.text(S.total_hours, size="5", weight="bold", id="total-hours")),
        rx.box(rx.text(T["grid.days_present"], size="1", color_scheme="gray"),
               rx.text(S.days_present, size="5", weight="bold", id="days-present")),
        rx.box(rx.text(T["grid.days_absent"], size="1", color_scheme="gray"),
               rx.text(S.days_absent, size="5", weight="bold", id="days-absent")),
        spacing="6",
        wrap="wrap",
        role="status",
        aria_live="polite",
    )


def _submit_panel() -> rx.Component:
    return section(
        rx.heading(T["submit.title"], as_="h2", size="4"),
        rx.el.label(
            rx.checkbox(checked=S.certify, on_change=S.set_certify, id="certify", size="3",
                        custom_attrs={"aria-labelledby": "certify-text"}),
            rx.text(T["submit.certify"], size="2", id="certify-text"),
            style={"display": "flex", "gap": "10px", "alignItems": "flex-start", "cursor": "pointer"},
        ),
        rx.hstack(
            rx.button(rx.icon("send", size=16, aria_hidden="true"), T["submit.button"], on_click=S.submit(False),
                      id="submit-sheet", min_height="44px"),
            rx.button(rx.icon("tablet-smartphone", size=16, aria_hidden="true"), T["submit.in_person"],
                      on_click=S.submit(True), variant="outline", id="submit-in-person", min_height="44px"),
            spacing="3",
            wrap="wrap",
        ),
    )


def _request_row(r: dict) -> rx.Component:
    td = lambda label, *c: rx.el.td(*c, custom_attrs={"data-label": label})  # noqa: E731
    return rx.el.tr(
        td(T["col.guardian"], r["guardian"]),
        td(T["col.link_status"], r["status"]),
        td(T["col.sent"], r["sent"]),
        td(T["col.opened"], r["opened"]),
        td(T["col.verified"], r["verified"]),
        td(T["col.link_id"], rx.code(r["link_id"])),
        td("", rx.cond(r["can_resend"] == "1",
                       rx.button(T["resend.button"], size="1", variant="soft", on_click=S.resend(r["id"]),
                                 id="resend-" + r["id"], min_height="36px"))),
    )


def _parents_panel() -> rx.Component:
    return section(
        rx.heading(T["sheet.links"], as_="h2", size="4"),
        rx.box(
            rx.el.table(
                rx.el.thead(rx.el.tr(*[rx.el.th(T[k], scope="col") for k in
                                       ("col.guardian", "col.link_status", "col.sent", "col.opened", "col.verified",
                                        "col.link_id")], rx.el.th(rx.el.span(T["col.actions"], class_name="cc-sr-only"), scope="col"))),
                rx.el.tbody(rx.foreach(S.requests, _request_row)),
                class_name="pt-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(
            S.recallable,
            rx.vstack(
                rx.hstack(
                    rx.foreach(S.guardians, lambda g: rx.button(
                        rx.icon("tablet-smartphone", size=16, aria_hidden="true"), T["sheet.sign_in_person"], " ",
                        g["name"], variant="outline", on_click=S.sign_in_person(g["id"]), min_height="44px",
                        id="in-person-" + g["id"])),
                    rx.button(rx.icon("undo-2", size=16, aria_hidden="true"), T["sheet.recall"], on_click=S.recall,
                              color_scheme="orange", variant="soft", id="recall", min_height="44px"),
                    spacing="3",
                    wrap="wrap",
                ),
                rx.text(T["sheet.recall_hint"], size="1", color_scheme="gray"),
                spacing="2",
            ),
        ),
    )


def _message_row(m: dict) -> rx.Component:
    td = lambda label, *c: rx.el.td(*c, custom_attrs={"data-label": label})  # noqa: E731
    return rx.el.tr(
        td(T["col.time"], rx.text(m["when"], size="1")),
        td(T["col.message"], m["kind"]),
        td(T["col.channel"], m["channel"]),
        td(T["col.to"], m["to"]),
        td(T["col.status"], rx.badge(m["status"], color_scheme=rx.match(
            m["state"], *MESSAGE_STATUS_TONE.items(), "gray"), high_contrast=True)),
        td(T["col.attempts"], m["attempts"]),
        td(T["col.reason"], rx.text(m["reason"], size="1", style={"wordBreak": "break-word"})),
    )


def _messages_panel() -> rx.Component:
    return section(
        rx.heading(T["messages.title"], as_="h2", size="4"),
        rx.foreach(S.unreachable, lambda text: rx.callout(text, icon="triangle-alert", color_scheme="red",
                                                          width="100%", class_name="unreachable")),
        rx.box(
            rx.el.table(
                rx.el.thead(rx.el.tr(*[rx.el.th(T[k], scope="col") for k in
                                       ("col.time", "col.message", "col.channel", "col.to", "col.status",
                                        "col.attempts", "col.reason")])),
                rx.el.tbody(rx.foreach(S.messages, _message_row)),
                class_name="pt-table",
                id="message-states",
            ),
            overflow_x="auto",
            width="100%",
        ),
    )


def _problems() -> rx.Component:
    return rx.foreach(S.problems, lambda p: rx.callout(
        rx.vstack(
            rx.text(rx.cond(p["current"] == "1", T["problem.title_open"], T["problem.title_old"]), " · ",
                    p["guardian"], " · ", p["when"], weight="bold"),
            rx.text("“", p["text"], "”", id="problem-text"),
            rx.cond(p["current"] == "1", rx.text(T["problem.how_to_fix"], size="2")),
            spacing="1",
        ),
        icon="message-square-warning", color_scheme=rx.cond(p["current"] == "1", "red", "gray"), width="100%",
    ))


def _audit_row(r: dict) -> rx.Component:
    td = lambda label, *c: rx.el.td(*c, custom_attrs={"data-label": label})  # noqa: E731
    return rx.el.tr(
        td(T["col.time"], rx.text(r["time"], size="1")),
        td(T["col.event"], r["event"]),
        td(T["col.actor"], r["actor"]),
        td(T["col.ip"], r["ip"]),
        td(T["col.user_agent"], rx.text(r["user_agent"], size="1", style={"wordBreak": "break-word"})),
        td(T["col.channel"], r["channel"]),
    )


def _signed_panel() -> rx.Component:
    return rx.vstack(
        section(
            rx.heading(T["signed.title"], as_="h2", size="4", id="signed-heading"),
            rx.grid(
                rx.box(rx.text(T["signed.signer"], size="1", color_scheme="gray"), rx.text(S.signer, weight="medium")),
                rx.box(rx.text(T["signed.at"], size="1", color_scheme="gray"), rx.text(S.signed_at)),
                rx.box(rx.text(T["signed.reference"], size="1", color_scheme="gray"),
                       rx.text(S.reference, weight="medium", id="signed-reference")),
                rx.box(rx.text(T["signed.verification"], size="1", color_scheme="gray"), rx.text(S.verification)),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.box(rx.text(T["signed.hash"], size="1", color_scheme="gray"),
                   rx.code(S.document_hash, id="document-hash", style={"wordBreak": "break-all"})),
            rx.box(
                rx.text(T["signed.signature"], size="1", color_scheme="gray"),
                rx.image(src=S.signature_src, alt=T["signed.signature_alt"], id="signature-image",
                         max_width="360px", width="100%", border=f"1px solid {rx.color('gray', 5)}",
                         border_radius="6px", background_color="white"),
            ),
            rx.hstack(
                rx.button(rx.icon("file-down", size=16, aria_hidden="true"), T["signed.download_pdf"],
                          on_click=S.download_signed, id="download-signed", min_height="44px"),
                rx.button(rx.icon("file-badge", size=16, aria_hidden="true"), T["signed.download_certificate"],
                          on_click=S.download_certificate, variant="outline", id="download-certificate",
                          min_height="44px"),
                spacing="3",
                wrap="wrap",
            ),
        ),
        section(
            rx.heading(T["signed.audit"], as_="h2", size="4"),
            rx.box(
                rx.el.table(
                    rx.el.thead(rx.el.tr(*[rx.el.th(T[k], scope="col") for k in
                                           ("col.time", "col.event", "col.actor", "col.ip", "col.user_agent",
                                            "col.channel")])),
                    rx.el.tbody(rx.foreach(S.audit_rows, _audit_row)),
                    class_name="pt-table",
                    id="audit-trail",
                ),
                overflow_x="auto",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


def sheet_page() -> rx.Component:
    body = rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), T["sheet.back"], align="center"),
                href="/portal"),
        page_heading(S.child_name),
        rx.hstack(
            rx.text(S.period_label, size="3"),
            rx.badge(S.status_label, size="2", id="sheet-status", high_contrast=True),
            rx.text(S.provider_name, size="2", color_scheme="gray"),
            spacing="3", wrap="wrap", align="center",
        ),
        notice(S.message, tone="green", icon="check", id="sheet-message"),
        notice(S.error, tone="red", icon="triangle-alert", id="sheet-error"),
        _problems(),
        rx.cond(S.signed, _signed_panel()),
        rx.cond(S.requests.length() > 0, _parents_panel()),
        rx.cond(S.messages.length() > 0, _messages_panel()),
        section(
            rx.hstack(
                rx.heading(T["grid.title"], as_="h2", size="4"),
                _totals(),
                justify="between", wrap="wrap", width="100%", align="center",
            ),
            rx.text(rx.cond(S.editable, T["grid.autosave"], rx.cond(S.signed, T["grid.signed_locked"], T["grid.locked"])),
                    size="1", color_scheme="gray"),
            rx.box(rx.foreach(S.days, _day), width="100%", id="grid"),
        ),
        rx.cond(S.editable, _submit_panel()),
        spacing="4",
        width="100%",
    )
    missing = section(
        page_heading(T["sheet.not_found_title"]),
        rx.text(T["sheet.not_found"], id="sheet-not-found"),
        rx.link(T["sheet.back"], href="/portal"),
    )
    return portal_frame(
        rx.cond(S.loaded, rx.cond(S.found, body, missing), rx.center(rx.spinner(size="3"), padding="3rem")),
        tr=T, signed_in=S.signed_in, user_name=S.user_name, scope_label=S.scope_label, is_admin=S.is_admin,
        current="dashboard", on_logout=S.logout, on_toggle_locale=S.toggle_language, locale=S.locale,
    )
