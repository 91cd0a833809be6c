"""State of the parent signing wizard (/sign/<token>).

Everything secret stays backend-only (underscore vars) or in the database. Handlers do their
database work on a worker thread (`in_session`, see pages/state_tools.py) through the plain steps
in `actions`, which re-read the signing request and re-check the link, the verification and the
sheet's state, because any client can call any handler with any arguments. The handler then puts
the plain answer on the page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from careconnect_app import i18n, routes
from careconnect_app.documents import signed_copy
from careconnect_app.pages.sign import actions, recovery
from careconnect_app.pages.sign.actions import LinkChanged, NotVerified, Refusal
from careconnect_app.pages.sign.recovery import UNAVAILABLE, resilient
from careconnect_app.pages.sign.view import LinkView
from careconnect_app.pages.state_tools import CallerMixin, DatabaseUnavailable, in_session, off_loop
from careconnect_app.signing import verification
from careconnect_app.statuses import LinkStatus

SESSION_COOKIE = "cc_parent_session"
RESTORED = "restored"  # query parameter of a page reloaded because its state was lost
STEPS_WITH_VERIFY = ("landing", "verify", "review", "sign")
STEPS_WITHOUT_VERIFY = ("landing", "review", "sign")
T = TypeVar("T")


def _position(requires_verification: bool, step: str) -> tuple[tuple[str, ...], int]:
    """The indicator's steps and the index of the current one (done shows on the last step)."""
    steps = STEPS_WITH_VERIFY if requires_verification else STEPS_WITHOUT_VERIFY
    current = "sign" if step == "done" else step
    return steps, steps.index(current) if current in steps else 0


def _minutes(seconds: int) -> int:
    """A wait as the messages say it (at least one minute)."""
    return max(1, round(seconds / 60))


class SignState(CallerMixin, rx.State):
    """The wizard: landing -> (verify) -> review -> sign -> done."""

    # --- what the page shows -------------------------------------------------------------
    status: str = "loading"
    step: str = "landing"
    locale: str = "en"  # the page's words follow it (components.words), they are not state
    # The link's family and sheet (view.FamilyView).
    agency_name: str = ""
    provider_name: str = ""
    provider_phone: str = ""
    child_name: str = ""
    guardian_name: str = ""
    period_label: str = ""
    expires_label: str = ""
    requires_verification: bool = False
    in_person: bool = False
    intro_text: str = ""
    review_intro: str = ""
    consent_text: str = ""
    signing_as: str = ""
    footer_help: str = ""
    channels: list[dict[str, str]] = []
    days: list[dict[str, str]] = []
    total_hours: str = ""
    days_present: str = ""
    days_absent: str = ""
    dispute_text: str = ""
    status_body: str = ""
    # The receipt (view.SignedView).
    reference: str = ""
    signed_label: str = ""
    done_intro: str = ""
    can_download: bool = False
    # What the parent is doing on the page.
    notice: str = ""  # page-wide: the connection was restored, or the server is away for a moment
    verify_channel: str = ""
    code_sent: bool = False
    code_state: str = ""  # "sending" until the worker sent the code, then "sent" (or "failed")
    verify_info: str = ""
    verify_error: str = ""
    busy: bool = False
    problem_open: bool = False
    problem_error: str = ""
    has_signature: bool = False
    certified: bool = False
    consented: bool = False
    sign_error: str = ""

    # The verified browser's credential, as long-lived as its session; the database holds only its hash.
    parent_session: str = rx.Cookie("", name=SESSION_COOKIE, path=routes.SIGN_PREFIX, same_site="strict",
                                    max_age=int(verification.SESSION_TTL.total_seconds()))

    # --- backend only ----------------------------------------------------------------------
    _request_id: int = 0
    _strokes: dict = {}
    _locale_chosen: bool = False
    _code_message_id: int = 0  # the code message the verify step is waiting on
    _code_to: str = ""  # its destination, masked
    # slot -> (translation key, values): re-rendered when the language changes.
    _messages: dict[str, tuple[str, dict]] = {}

    # --- helpers ---------------------------------------------------------------------------
    def _visit(self) -> actions.Visit:
        ip, user_agent = self._client()
        return actions.Visit(self._request_id, self.parent_session, self.locale, ip, user_agent)

    def _say(self, slot: str, key: str = "", **values) -> None:
        """Set a message slot (notice, verify_info, verify_error, problem_error, sign_error) by key."""
        if key:
            self._messages[slot] = (key, values)
        else:
            self._messages.pop(slot, None)
        setattr(self, slot, i18n.t(key, self.locale, **values) if key else "")

    def _show(self, view: LinkView) -> None:
        """Put a link's page (read on a worker thread) on screen in the current language."""
        self.status, self.status_body = view.status, view.status_body
        if view.family is None:  # unknown or rate-limited: nothing about any family is shown
            return
        for part in filter(None, (view.family, view.signed)):
            for field in dataclasses.fields(part):  # named after the vars they fill
                value = getattr(part, field.name)
                if getattr(self, field.name) != value:  # each assignment is sent to the browser again
                    setattr(self, field.name, value)
        offered = [channel["value"] for channel in self.channels]
        if self.verify_channel not in offered:
            self.verify_channel = offered[0] if offered else ""
        for slot, (key, values) in list(self._messages.items()):
            setattr(self, slot, i18n.t(key, self.locale, **values))

    def _resume(self, resume: actions.Resume):
        """Pick up where the database says this parent was (after a reload or in a second tab)."""
        self.step = resume.step
        if resume.step == "verify":
            self.code_sent = bool(resume.code_channel)
            if resume.code_channel:
                self.verify_channel = resume.code_channel
                return self._watch_code(resume.code_message_id, resume.code_to)
        return None

    def _watch_code(self, message_id: int | None, masked: str):
        """Say "sending…" and start watching the code's message until the worker sent it."""
        self._code_message_id, self._code_to = message_id or 0, masked
        self.code_state = "sending"
        self._say("verify_info", "parent.verify.sending", to=masked)
        return SignState.watch_code

    def _forget_pad(self) -> None:
        """An empty pad, boxes unticked."""
        self._strokes, self.has_signature = {}, False
        self.certified = self.consented = False

    async def _open(self):
        """Resolve this page's link, resume at the parent's step; returns an event to run next, if any."""
        token = routes.last_segment(self.router.url.path, routes.SIGN_PREFIX)
        opened = await in_session(actions.open_link, token, self._visit(), keep_locale=self._locale_chosen)
        if opened.request_id != self._request_id:  # another link: nothing drawn or ticked for it yet
            self._forget_pad()
        self._request_id, self.locale = opened.request_id, opened.locale
        follow_up = self._resume(opened.resume) if opened.resume is not None else None
        self._show(opened.view)
        return follow_up

    def _lost(self):
        """This tab's state vanished (Redis restarted without persistence) while its page stayed:
        reload the page, which reads everything back from the database and the browser's cookie."""
        if self.status != "loading":
            return None
        return rx.call_script(f"window.location.replace(window.location.pathname + '?{RESTORED}=1')")

    async def _on_live_link(self, step: Callable[..., T], *args: Any, need_verified: bool = True,
                            **kwargs: Any) -> T | Refusal:
        """Run an `actions` step on a worker thread if the link is usable; else show why and say so."""
        result = await in_session(actions.on_live_link, self._visit(), step, *args, need_verified=need_verified,
                                  **kwargs)
        if self._messages.get("notice", ("",))[0] == UNAVAILABLE:  # the database answered again
            self._say("notice")
        if isinstance(result, LinkChanged):
            self._show(result.view)
        elif isinstance(result, NotVerified):
            self._say("verify_error", "parent.error.session")
            self.step = "verify" if result.requires_verification else "landing"
        return result

    # --- events ------------------------------------------------------------------------------
    @rx.event
    async def load(self):
        """Open the link: resolve the token, audit the visit, resume at the right step.

        Also runs when the tab reconnects (another instance took over): the drawing and the
        ticked boxes of the same link are kept; the page's pad still shows that drawing.
        """
        self._messages = {}
        self.problem_open = self.busy = False
        self.notice = ""
        try:
            follow_up = await self._open()
        except DatabaseUnavailable:
            self._say("notice", UNAVAILABLE)
            return None
        if self.router.url.query_parameters.get(RESTORED):  # back after a lost state (see _lost)
            self._say("notice", "parent.error.restored_redraw" if self.step == "sign" else "parent.error.restored")
            # Said once: a later reload of this address is an ordinary one.
            return [rx.call_script("history.replaceState(null, '', window.location.pathname)"), follow_up]
        return follow_up

    @rx.event
    @resilient
    async def toggle_locale(self):
        """Switch every word on the page between English and Spanish."""
        self.locale = "es" if self.locale == "en" else "en"
        self._locale_chosen = True
        self._show(await in_session(actions.reread, self._visit(), self.status))

    @rx.event
    @resilient
    async def start(self):
        """Landing -> verification (if the agency requires it) or review."""
        verified = await self._on_live_link(actions.start, need_verified=False)
        if isinstance(verified, Refusal):
            return
        self.step = "review" if verified else "verify"
        return rx.set_focus("step-heading")

    @rx.event
    @resilient
    async def choose_channel(self, channel: str):
        """Pick email or text message for the code (only a channel the page offers)."""
        if channel in [c["value"] for c in self.channels]:
            self.verify_channel = channel
            self._say("verify_error")

    @rx.event
    @resilient
    async def change_channel(self):
        """Go back to the channel choice (the old code stays valid until a new one is sent)."""
        self.code_sent = False
        self._say("verify_info")
        self._say("verify_error")

    @rx.event
    @resilient
    async def send_code(self):
        """SEND VERIFICATION CODE: one code to the contact of record on the chosen channel."""
        if self.busy:
            return
        outcome = await self._on_live_link(actions.send_code, self.verify_channel, need_verified=False)
        if isinstance(outcome, Refusal):
            return
        if not outcome.ok:
            self._say("verify_error", f"parent.{outcome.error}", seconds=outcome.retry_after,
                      minutes=_minutes(outcome.retry_after))
            return
        self.code_sent = True
        self._say("verify_error")
        # The worker sends it (woken by the commit); the page says "sent" once it has.
        return [rx.set_focus("verification-code"), self._watch_code(outcome.message_id, outcome.masked)]

    @rx.event(background=True)
    async def watch_code(self):
        """Follow the code's message until the worker sent it (or gave up), then say so."""
        async with self:
            message_id, masked = self._code_message_id, self._code_to
        if not message_id:
            return
        async for progress in recovery.code_progress(message_id):
            async with self:
                if self._code_message_id != message_id:  # a newer code is being watched
                    return
                self.code_state = progress
                if progress == "failed":
                    self._say("verify_info")
                    self._say("verify_error", "parent.verify.error.send_failed", to=masked)
                else:
                    self._say("verify_info", f"parent.verify.{progress}", to=masked)

    @rx.event
    @resilient
    async def submit_code(self, form_data: dict):
        """VERIFY: check the code; on success remember this browser and go to review."""
        code = str(form_data.get("code", ""))[:20]
        outcome = await self._on_live_link(actions.check_code, code, need_verified=False)
        if isinstance(outcome, Refusal):
            return
        if not outcome.ok:
            self._say("verify_error", f"parent.{outcome.error}", tries=outcome.tries_left,
                      minutes=_minutes(outcome.retry_after))
            if outcome.error in ("verify.error.code_dead", "verify.error.no_code"):
                self.code_sent = False
            return rx.set_focus("verification-code") if self.code_sent else None
        self.parent_session = outcome.session_secret
        self._say("verify_error")
        self._say("verify_info")
        self.step = "review"
        return rx.set_focus("step-heading")

    @rx.event
    @resilient
    async def open_problem(self):
        """Show the "report a problem" form."""
        self.problem_open = True
        self._say("problem_error")

    @rx.event
    @resilient
    async def close_problem(self):
        """Hide the "report a problem" form."""
        self.problem_open = False

    @rx.event
    @resilient
    async def send_problem(self, form_data: dict):
        """Report a problem: the provider is told and this link waits for a corrected sheet."""
        result = await self._on_live_link(actions.report_problem, str(form_data.get("problem", "")))
        if isinstance(result, Refusal):
            return
        if isinstance(result, str):
            self._say("problem_error", result)
            return
        self.problem_open = False
        self._show(result)  # the provider's email is queued: the worker sends it

    @rx.event
    @resilient
    async def go_sign(self):
        """Sign & Submit on the review step."""
        if isinstance(await self._on_live_link(actions.mark_reviewed), Refusal):
            return
        self.step = "sign"
        return rx.set_focus("step-heading")

    @rx.event
    @resilient
    async def back_to_review(self):
        """Back from the pad to the attendance."""
        self.step = "review"

    @rx.event
    @resilient
    async def set_strokes(self, payload: dict):
        """The pad reports the drawing after each stroke (kept server-side only)."""
        self._strokes = payload if isinstance(payload, dict) else {}
        strokes = self._strokes.get("strokes")
        self.has_signature = isinstance(strokes, list) and len(strokes) > 0
        self._say("sign_error")

    @rx.event
    @resilient
    async def set_certified(self, value: bool):
        """The "attendance is accurate" box."""
        self.certified = bool(value)

    @rx.event
    @resilient
    async def set_consented(self, value: bool):
        """The "sign electronically" consent box."""
        self.consented = bool(value)

    @rx.event
    @resilient
    async def submit_signature(self):
        """SUBMIT: sign once, even under double clicks and two tabs."""
        if self.busy or self.status != LinkStatus.OK:
            return
        self.busy = True  # the button shows "Submitting…" and the pad locks until this ends
        yield
        try:
            signing = await self._on_live_link(actions.sign_live, self._strokes, certified=self.certified,
                                               consented=self.consented)
            if isinstance(signing, Refusal):
                return
            if signing.outcome.ok or signing.outcome.already_signed:
                self._say("sign_error")
                self.step = "done"
            else:
                self._say("sign_error", signing.outcome.error)
            if signing.view is not None:
                self._show(signing.view)
        finally:
            self.busy = False
        if self.status == LinkStatus.SIGNED:
            yield rx.set_focus("step-heading")

    @rx.event
    @resilient
    async def download_copy(self):
        """The parent's copy of what they signed, as a PDF in their language."""
        copy = await in_session(actions.signed_copy, self._visit())
        if copy is None:
            return
        pdf = await off_loop(signed_copy.signed_attendance_pdf, copy.document, copy.evidence, self.locale)
        return rx.download(data=pdf, filename=f"attendance-{copy.reference}.pdf")

    # --- computed views ------------------------------------------------------------------------
    @rx.var
    def step_items(self) -> list[dict[str, str]]:
        """Steps for the indicator with their state for this moment."""
        steps, index = _position(self.requires_verification, self.step)
        items = []
        for n, name in enumerate(steps):
            state = "done" if (n < index or self.step == "done") else "current" if n == index else "todo"
            sr = i18n.t(f"parent.step_{state}_sr", self.locale) if state != "todo" else ""  # none for steps to do
            items.append({"label": i18n.t(f"parent.step.{name}", self.locale), "state": state, "n": str(n + 1),
                          "sr": sr})
        return items

    @rx.var
    def progress_text(self) -> str:
        """"Step 2 of 4" for screen readers."""
        steps, index = _position(self.requires_verification, self.step)
        return i18n.t("parent.step_of", self.locale, n=index + 1, total=len(steps))

    @rx.var
    def can_submit(self) -> bool:
        """SUBMIT is enabled once the pad has a drawing and both boxes are ticked."""
        return self.has_signature and self.certified and self.consented and not self.busy
