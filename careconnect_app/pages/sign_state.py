"""State of the parent signing wizard (/sign/<token>).

Everything secret stays backend-only (underscore vars) or in the database. Every handler
re-reads the signing request and re-checks the link, the verification and the sheet's state,
because any client can call any handler with any arguments.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import reflex as rx
from sqlmodel import Session

from careconnect_app import i18n
from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, Provider, SigningRequest
from careconnect_app import attendance
from careconnect_app.common import audit
from careconnect_app.messaging import outbox

from careconnect_app.signing import evidence, links, parent_steps, verification
from careconnect_app.statuses import PARENT_VIEW, LinkStatus
from careconnect_app.common.formatting import (
    format_date,
    format_day,
    format_minutes,
    format_period,
    format_phone,
    format_time_range,
)
from careconnect_app.common.masking import mask_contact

SESSION_COOKIE = "cc_parent_session"
STEPS_WITH_VERIFY = ("landing", "verify", "review", "sign")
STEPS_WITHOUT_VERIFY = ("landing", "review", "sign")


class SignState(rx.State):
    """The wizard: landing -> (verify) -> review -> sign -> done."""

    # --- what the page shows -------------------------------------------------------------
    status: str = "loading"
    step: str = "landing"
    locale: str = "en"
    tr: dict[str, str] = i18n.area("en", "parent")
    agency_name: str = ""
    provider_name: str = ""
    provider_phone: str = ""
    child_name: str = ""
    guardian_name: str = ""
    period_label: str = ""
    expires_label: str = ""
    requires_verification: bool = False
    in_person: bool = False
    channels: list[dict[str, str]] = []
    verify_channel: str = ""
    code_sent: bool = False
    verify_info: str = ""
    verify_error: str = ""
    busy: bool = False
    days: list[dict[str, str]] = []
    total_hours: str = ""
    days_present: str = ""
    days_absent: str = ""
    problem_open: bool = False
    problem_error: str = ""
    dispute_text: str = ""
    has_signature: bool = False
    certified: bool = False
    consented: bool = False
    sign_error: str = ""
    reference: str = ""
    signed_label: str = ""
    can_download: bool = False
    consent_text: str = ""
    signing_as: str = ""
    intro_text: str = ""
    review_intro: str = ""
    footer_help: str = ""
    status_body: str = ""
    done_intro: str = ""

    # The verified browser's credential; the database holds only its hash.
    parent_session: str = rx.Cookie("", name=SESSION_COOKIE, path="/sign", same_site="strict", max_age=4 * 3600)

    # --- backend only ----------------------------------------------------------------------
    _token: str = ""
    _request_id: int = 0
    _strokes: dict = {}
    _locale_chosen: bool = False
    # slot -> (translation key, values): re-rendered when the language changes.
    _messages: dict[str, tuple[str, dict]] = {}

    # --- helpers ---------------------------------------------------------------------------
    def _client(self) -> tuple[str, str]:
        ip = self.router.session.client_ip or ""
        user_agent = self.router.headers.user_agent or ""
        return ip[:64], user_agent[:512]

    def _t(self, key: str, **values) -> str:
        return i18n.t(key, self.locale, **values)

    def _say(self, slot: str, key: str = "", **values) -> None:
        """Set a message slot (verify_info, verify_error, problem_error, sign_error) by key."""
        if key:
            self._messages[slot] = (key, values)
        else:
            self._messages.pop(slot, None)
        setattr(self, slot, self._t(key, **values) if key else "")

    def _token_from_url(self) -> str:
        path = str(self.router.url.path or "").rstrip("/")
        return path.rsplit("/", 1)[-1] if "/sign/" in path else ""

    def _request(self, session: Session) -> SigningRequest | None:
        if not self._request_id:
            return None
        return session.get(SigningRequest, self._request_id)

    def _verified_channel(self, session: Session, request: SigningRequest) -> str | None:
        """"" when no verification is needed, the channel when verified, None when not verified."""
        if not request.requires_verification:
            return ""
        return verification.session_channel(session, request, self.parent_session)

    def _guard(self, session: Session, *, need_verified: bool = True) -> SigningRequest | None:
        """Re-check the link (and verification) for a handler; update the page if it changed."""
        request = self._request(session)
        if request is None:
            self.status = LinkStatus.UNKNOWN
            return None
        status = links.status_of(request)
        if status != LinkStatus.OK:
            self._show(session, request, status)
            return None
        if need_verified and self._verified_channel(session, request) is None:
            self._say("verify_error", "parent.error.session")
            self.step = "verify" if request.requires_verification else "landing"
            return None
        return request

    def _show(self, session: Session, request: SigningRequest | None, status: str) -> None:
        """Fill every visible field from the database in the current language."""
        self.status = status
        self.tr = i18n.area(self.locale, "parent")
        if request is None:  # unknown or rate-limited: nothing about any family is shown
            self.status_body = self._t(f"parent.status.{status}.body") if status in PARENT_VIEW else ""
            return
        sheet = session.get(AttendanceSheet, request.sheet_id)
        child = session.get(Child, sheet.child_id)
        provider = session.get(Provider, sheet.provider_id)
        agency = session.get(Agency, provider.agency_id)
        guardian = session.get(Guardian, request.guardian_id)
        loc = self.locale
        names = dict(provider=provider.name, agency=agency.name, child=child.first_name)
        self.agency_name, self.provider_name = agency.name, provider.name
        self.provider_phone = format_phone(provider.phone)
        self.child_name, self.guardian_name = child.full_name, guardian.full_name
        self.period_label = format_period(sheet.period_start, sheet.period_end, loc)
        self.expires_label = self._t("parent.landing.expires", date=format_date(request.expires_at, loc))
        self.requires_verification = request.requires_verification
        self.in_person = request.in_person
        self.intro_text = self._t("parent.landing.intro", **names)
        self.review_intro = self._t("parent.review.intro", **names)
        self.consent_text = self._t("parent.sign.consent_text", **names)
        self.signing_as = self._t("parent.sign.signing_as", name=guardian.full_name)
        self.footer_help = self._t("parent.footer.help", provider=provider.name, phone=self.provider_phone)
        self.channels = [
            {"value": ch, "label": self._t(f"parent.verify.channel.{ch}"),
             "masked": mask_contact(ch, verification.destination(guardian, ch))}
            for ch in verification.available_channels(guardian)
        ]
        if self.verify_channel not in [c["value"] for c in self.channels]:
            self.verify_channel = self.channels[0]["value"] if self.channels else ""
        self._show_days(session, sheet)
        signed_on = format_date(request.signed_at, loc) if request.signed_at else ""
        self.status_body = self._t(f"parent.status.{status}.body", date=signed_on, **names) if status != "ok" else ""
        self.dispute_text = request.dispute_text if status == LinkStatus.DISPUTED else ""
        if status == LinkStatus.SIGNED:
            self.reference = request.reference
            self.signed_label = signed_on
            self.done_intro = self._t("parent.done.intro", date=signed_on, **names)
            self.can_download = self._verified_channel(session, request) is not None
        for slot, (key, values) in list(self._messages.items()):
            setattr(self, slot, self._t(key, **values))

    def _show_days(self, session: Session, sheet: AttendanceSheet) -> None:
        loc = self.locale
        days = attendance.build_days(attendance.entries_for(session, sheet.id))
        self.days = [
            {
                "label": format_day(d.day, loc),
                "times": (
                    self._t("parent.review.absent_reason", reason=d.absence_reason)
                    if d.absent and d.absence_reason
                    else self._t("parent.review.absent") if d.absent
                    else "\n".join(format_time_range(a, b, loc) for a, b in d.pairs)
                ),
                "hours": "—" if d.absent else format_minutes(d.minutes),
                "absent": "1" if d.absent else "",
            }
            for d in days
        ]
        tot = attendance.totals(days)
        self.total_hours = format_minutes(tot.minutes)
        self.days_present = str(tot.days_present)
        self.days_absent = str(tot.days_absent)

    def _resume_step(self, session: Session, request: SigningRequest) -> str:
        """Where a reload (or a second tab) picks up, from what the database knows."""
        verified = self._verified_channel(session, request) is not None
        started = audit.has_event(session, request.id, "started")
        if verified and request.reviewed_at:
            return "sign"
        if verified and started:
            return "review"
        if request.requires_verification and started:
            code = verification.active_code(session, request, utcnow())
            self.code_sent = code is not None
            if code is not None:
                self.verify_channel = code.channel
                self._say("verify_info", "parent.verify.sent", to=mask_contact(code.channel, code.destination))
            return "verify"
        return "landing"

    # --- events ------------------------------------------------------------------------------
    @rx.event
    def load(self):
        """Open the link: resolve the token, audit the visit, resume at the right step."""
        self._token = self._token_from_url()
        self._messages = {}
        self.problem_open = False
        self._strokes, self.has_signature = {}, False
        self.certified = self.consented = self.busy = False
        ip, user_agent = self._client()
        with session_scope() as session:
            check = links.check(session, self._token, ip=ip)
            request = check.request
            self._request_id = request.id if request else 0
            if request is not None and not self._locale_chosen:
                guardian = session.get(Guardian, request.guardian_id)
                self.locale = i18n.normalise_locale(guardian.preferred_locale)
            if check.ok:
                parent_steps.mark_opened(session, request, ip=ip, user_agent=user_agent)
                self.step = self._resume_step(session, request)
            self._show(session, request, check.status)

    @rx.event
    def toggle_locale(self):
        """Switch every word on the page between English and Spanish."""
        self.locale = "es" if self.locale == "en" else "en"
        self._locale_chosen = True
        with session_scope() as session:
            request = self._request(session)
            self._show(session, request, self.status if request else self.status)

    @rx.event
    def start(self):
        """Landing -> verification (if the agency requires it) or review."""
        ip, user_agent = self._client()
        with session_scope() as session:
            request = self._guard(session, need_verified=False)
            if request is None:
                return
            if not audit.has_event(session, request.id, "started"):
                audit.record(session, "started", actor="parent", sheet_id=request.sheet_id,
                             signing_request_id=request.id, ip=ip, user_agent=user_agent)
            verified = self._verified_channel(session, request) is not None
            self.step = "review" if verified else "verify"
        return rx.set_focus("step-heading")

    @rx.event
    def choose_channel(self, channel: str):
        if channel in [c["value"] for c in self.channels]:
            self.verify_channel = channel
            self._say("verify_error")

    @rx.event
    def change_channel(self):
        """Go back to the channel choice (the old code stays valid until a new one is sent)."""
        self.code_sent = False
        self._say("verify_info")
        self._say("verify_error")

    @rx.event
    def send_code(self):
        """SEND VERIFICATION CODE: one code to the contact of record on the chosen channel."""
        if self.busy:
            return
        ip, user_agent = self._client()
        message_id = None
        with session_scope() as session:
            request = self._guard(session, need_verified=False)
            if request is None:
                return
            guardian = session.get(Guardian, request.guardian_id)
            outcome = verification.send_code(session, request, guardian, self.verify_channel, ip=ip,
                                             user_agent=user_agent, locale=self.locale)
            if outcome.ok:
                message_id = outcome.message_id
                self.code_sent = True
                self._say("verify_error")
                self._say("verify_info", "parent.verify.sent", to=outcome.masked)
            else:
                self._say("verify_error", f"parent.{outcome.error}", seconds=outcome.retry_after,
                          minutes=max(1, round(outcome.retry_after / 60)))
        if message_id:
            outbox.deliver_now([message_id])
        return rx.set_focus("verification-code") if message_id else None

    @rx.event
    def submit_code(self, form_data: dict):
        """VERIFY: check the code; on success remember this browser and go to review."""
        code = str(form_data.get("code", ""))[:20]
        ip, user_agent = self._client()
        with session_scope() as session:
            request = self._guard(session, need_verified=False)
            if request is None:
                return
            outcome = verification.check_code(session, request, code, ip=ip, user_agent=user_agent)
            if not outcome.ok:
                self._say("verify_error", f"parent.{outcome.error}", tries=outcome.tries_left,
                          minutes=max(1, round(outcome.retry_after / 60)))
                if outcome.error in ("verify.error.code_dead", "verify.error.no_code"):
                    self.code_sent = False
                return rx.set_focus("verification-code") if self.code_sent else None
            self.parent_session = outcome.session_secret
            self._say("verify_error")
            self._say("verify_info")
            self.step = "review"
        return rx.set_focus("step-heading")

    @rx.event
    def open_problem(self):
        self.problem_open = True
        self._say("problem_error")

    @rx.event
    def close_problem(self):
        self.problem_open = False

    @rx.event
    def send_problem(self, form_data: dict):
        """Report a problem: the provider is told and this link waits for a corrected sheet."""
        ip, user_agent = self._client()
        with session_scope() as session:
            request = self._guard(session)
            if request is None:
                return
            error = parent_steps.report_problem(session, request, str(form_data.get("problem", "")),
                                           ip=ip, user_agent=user_agent)
            if error:
                self._say("problem_error", error)
                return
            self.problem_open = False
            self._show(session, request, LinkStatus.DISPUTED)
        outbox.deliver_due(limit=10)

    @rx.event
    def go_sign(self):
        """Sign & Submit on the review step."""
        ip, user_agent = self._client()
        with session_scope() as session:
            request = self._guard(session)
            if request is None:
                return
            parent_steps.mark_reviewed(session, request, ip=ip, user_agent=user_agent, locale=self.locale)
            self.step = "sign"
        return rx.set_focus("step-heading")

    @rx.event
    def back_to_review(self):
        self.step = "review"

    @rx.event
    def set_strokes(self, payload: dict):
        """The pad reports the drawing after each stroke (kept server-side only)."""
        self._strokes = payload if isinstance(payload, dict) else {}
        strokes = self._strokes.get("strokes")
        self.has_signature = isinstance(strokes, list) and len(strokes) > 0
        self._say("sign_error")

    @rx.event
    def set_certified(self, value: bool):
        self.certified = bool(value)

    @rx.event
    def set_consented(self, value: bool):
        self.consented = bool(value)

    @rx.event
    async def submit_signature(self):
        """SUBMIT: sign once, even under double clicks and two tabs."""
        if self.busy or self.status != LinkStatus.OK:
            return
        self.busy = True
        yield
        try:
            ip, user_agent = self._client()
            with session_scope() as session:
                request = self._guard(session)
                if request is None:
                    return
                channel = self._verified_channel(session, request) or ""
                request_id = request.id
            # A fresh session whose first statement is the claiming UPDATE (see parent_steps.sign).
            with session_scope() as session:
                outcome = parent_steps.sign(
                    session, request_id, strokes=self._strokes, certified=self.certified,
                    consented=self.consented, ip=ip, user_agent=user_agent, locale=self.locale,
                    verification_channel=channel,
                )
            with session_scope() as session:
                request = self._request(session)
                if outcome.ok or outcome.already_signed:
                    self._say("sign_error")
                    self.step = "done"
                    self._show(session, request, links.status_of(request))
                else:
                    self._say("sign_error", outcome.error)
                    if outcome.error == "parent.error.not_signable":
                        self._show(session, request, links.status_of(request))
        finally:
            self.busy = False
        if self.status == LinkStatus.SIGNED:
            yield rx.set_focus("step-heading")

    @rx.event
    def download_copy(self):
        """The parent's copy of what they signed, as a PDF in their language."""
        ip, user_agent = self._client()
        with session_scope() as session:
            request = self._request(session)
            if request is None or request.status != "signed":
                return
            if self._verified_channel(session, request) is None:
                return
            pdf, reference = evidence.signed_copy_for_request(session, request.id, self.locale)
            audit.record(session, "document_downloaded", actor="parent", sheet_id=request.sheet_id,
                         signing_request_id=request.id, ip=ip, user_agent=user_agent)
        return rx.download(data=pdf, filename=f"attendance-{reference}.pdf")

    # --- computed views ------------------------------------------------------------------------
    @rx.var
    def step_items(self) -> list[dict[str, str]]:
        """Steps for the indicator with their state for this moment."""
        steps = STEPS_WITH_VERIFY if self.requires_verification else STEPS_WITHOUT_VERIFY
        current = "sign" if self.step == "done" else self.step
        index = steps.index(current) if current in steps else 0
        items = []
        for n, name in enumerate(steps):
            state = "done" if (n < index or self.step == "done") else "current" if n == index else "todo"
            sr = self.tr.get("step_done_sr", "") if state == "done" else self.tr.get("step_current_sr", "") if state == "current" else ""
            items.append({"label": self.tr.get(f"step.{name}", name), "state": state, "n": str(n + 1), "sr": sr})
        return items

    @rx.var
    def progress_text(self) -> str:
        steps = STEPS_WITH_VERIFY if self.requires_verification else STEPS_WITHOUT_VERIFY
        current = "sign" if self.step == "done" else self.step
        n = steps.index(current) + 1 if current in steps else 1
        return self.tr.get("step_of", "").format(n=n, total=len(steps))

    @rx.var
    def can_submit(self) -> bool:
        return self.has_signature and self.certified and self.consented and not self.busy
