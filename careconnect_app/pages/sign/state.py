"""State of the parent signing wizard (/sign/<token>).

Secrets stay backend-only (underscore vars) or in the database. Handlers work on a worker thread
(`in_session`) through the plain steps in `actions`, which re-check the link, the verification and
the sheet's state (any client can call any handler with anything), then put the answer on the page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from careconnect_app import i18n, routes
from careconnect_app.common import cookie_tickets
from careconnect_app.pages import state_tools
from careconnect_app.pages.sign import actions, recovery, wizard_steps
from careconnect_app.pages.sign.actions import LinkChanged, NotVerified, Refusal
from careconnect_app.pages.sign.notices import WizardNotices
from careconnect_app.pages.sign.pad import SignaturePad
from careconnect_app.pages.sign.recovery import UNAVAILABLE, resilient
from careconnect_app.pages.sign.view import LandingView, LinkView, ReviewView, SignedView
from careconnect_app.pages.sign.wizard_steps import CodeForm, ProblemForm
from careconnect_app.pages.state_tools import CallerMixin, DatabaseUnavailable, SessionCookieMixin, in_session, off_loop
from careconnect_app.signing import evidence, parent_steps
from careconnect_app.statuses import LinkStatus, SignatureMethod

SESSION_COOKIE = cookie_tickets.PARENT_SESSION_COOKIE
T = TypeVar("T")
# The wizard's websockets in this process on which a link's page loaded (see `_lost`).
SOCKETS = state_tools.KnownSockets()

# The vars of what a link shows: the landing (all a browser gets before the code), the attendance
# (only for a verified browser, or where no code is required) and the receipt, declared once in view.py.
ShownVars = state_tools.vars_filled_by(LandingView, ReviewView, SignedView)


class SignState(CallerMixin, SessionCookieMixin, WizardNotices, SignaturePad, ShownVars, rx.State):
    """The wizard: landing -> (verify) -> review -> sign -> done (its messages: WizardNotices; the
    sign step's pad, typed name and boxes: SignaturePad)."""

    # --- what the page shows -------------------------------------------------------------
    status: str = "loading"  # a LinkStatus once the link is read
    step: str = "landing"  # landing, verify, review, sign or done
    status_body: str = ""
    # The parent's own words, shown once right after they reported a problem in this tab.
    dispute_text: str = ""
    # What the parent is doing on the page.
    verify_channel: str = ""
    code_sent: bool = False
    code_state: str = ""  # "sending" until the worker sent the code, then "sent" (or "slow", "failed")
    # components.page_reload: an address to load afresh (this tab's state was lost), and whether to
    # drop the "restored" flag from the address bar.
    reload_to: str = ""
    clean_url: bool = False
    busy: bool = False
    problem_open: bool = False

    # --- backend only ----------------------------------------------------------------------
    # The verified browser's credential, made in this tab (else read from the HttpOnly cookie);
    # the database holds only its hash.
    _parent_session: str = ""
    _request_id: int = 0
    # What this tab's review recorded (the sign step signs it; ReviewView._shown_hash: what the page shows).
    _reviewed_hash: str = ""
    _locale_chosen: bool = False
    _code_message_id: int = 0  # the code message the verify step is waiting on
    _code_to: str = ""  # its destination, masked

    # --- helpers ---------------------------------------------------------------------------
    def _visit(self) -> actions.Visit:
        ip, user_agent = self._client()
        secret = self._parent_session or self._cookie(SESSION_COOKIE)
        return actions.Visit(self._request_id, secret, self.locale, ip, user_agent)

    def _show(self, view: LinkView) -> None:
        """Put a link's page (read on a worker thread) on screen in the current language.

        Every part is assigned, empty ones too: what this browser may no longer see (a link
        recalled or expired since, say) leaves its state instead of lingering there.
        """
        self.status, self.status_body = view.status, view.status_body
        if view.status != LinkStatus.DISPUTED:
            self.dispute_text = ""
        for part in (view.landing, view.review, view.signed):
            for field in dataclasses.fields(part):  # named after the vars they fill
                value = getattr(part, field.name)
                if getattr(self, field.name) != value:  # unchanged vars are not sent again
                    setattr(self, field.name, value)
        offered = [channel["value"] for channel in self.channels]
        if self.verify_channel not in offered:
            self.verify_channel = offered[0] if offered else ""
        self._reword()

    def _resume(self, resume: actions.Resume):
        """Pick up where the database says this parent was (after a reload or in a second tab);
        returns the event that follows a code still on its way, if any."""
        self.step = resume.step
        self._reviewed_hash = resume.reviewed_hash
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

    async def _open(self):
        """Resolve this page's link, resume at the parent's step; returns an event to run next, if any."""
        token = routes.last_segment(self.router.url.path, routes.SIGN_PREFIX)
        if not self._locale_chosen:  # a link nobody owns (mistyped, cut off) speaks the browser's language
            self.locale = i18n.from_accept_language(self.router.headers.accept_language)
        opened = await in_session(actions.open_link, token, self._visit(), keep_locale=self._locale_chosen)
        if opened.request_id != self._request_id:  # another link: nothing drawn or ticked for it yet
            self._forget_pad()
        self._request_id, self.locale = opened.request_id, opened.locale
        follow_up = self._resume(opened.resume) if opened.resume is not None else None
        self._show(opened.view)
        return follow_up

    def _lost(self):
        """This tab's state vanished (Redis restarted without persistence) while its page stayed:
        reload the page, which reads everything back from the database and the browser's cookie.
        A state still loading on a socket where no page loaded yet is a new page: its load is
        queued behind this event (a tap as the page arrived)."""
        if self.status != "loading" or not SOCKETS.known(self.router.session.session_id):
            return None
        token = routes.last_segment(self.router.url.path, routes.SIGN_PREFIX)
        # Built here: never an address the client named.
        self.reload_to = f"{routes.sign_path(token)}?{state_tools.RESTORED}=1"
        return rx.noop()

    async def _on_live_link(self, step: Callable[..., T], *args: Any, need_verified: bool = True,
                            allow_signed: bool = False, **kwargs: Any) -> T | Refusal:
        """Run an `actions` step on a worker thread if the link is usable; else show why and say so."""
        result = await in_session(actions.on_live_link, self._visit(), step, *args, need_verified=need_verified,
                                  allow_signed=allow_signed, **kwargs)
        if self._said("notice") == (UNAVAILABLE,):  # the database answered again
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
        ticked boxes of the same link are kept; the page's pad still shows that drawing, and a
        problem report being written stays open with its text.
        """
        SOCKETS.note(self.router.session.session_id)
        request_id, problem_open = self._request_id, self.problem_open
        self._messages, self._reviewed_hash = {}, ""
        self.problem_open = self.busy = self.clean_url = False
        self.notice = self.announcement = self.reload_to = ""
        try:
            follow_up = await self._open()
        except DatabaseUnavailable:
            self._say("notice", UNAVAILABLE)
            return None
        self.problem_open = (problem_open and self._request_id == request_id and self.step == "review"
                             and self.status == LinkStatus.OK)
        if self.router.url.query_parameters.get(state_tools.RESTORED):  # back after a lost state (see _lost)
            self._say("notice", "parent.error.restored_redraw" if self.step == "sign" else "parent.error.restored")
            self.clean_url = True  # said once: a later reload of this address is an ordinary one
        return follow_up

    @rx.event
    @resilient
    async def choose_language(self, locale: str):
        """Show the wizard in the language its button offered (state_tools.take_language)."""
        if not state_tools.take_language(self, locale):
            return
        if self.status == "loading":  # a tap as the page arrived: its load, queued behind, shows it so
            return
        self.announcement = ""  # a status said in the other language is not said again
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
    async def start_copy_verification(self):
        """On a signed link: verify again to get the signed copy (where the agency requires a code)."""
        verified = await self._on_live_link(actions.start, need_verified=False, allow_signed=True)
        if isinstance(verified, Refusal) or self.status != LinkStatus.SIGNED:
            return None
        self.step = "done" if verified else "verify"
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
        outcome = await self._on_live_link(actions.send_code, self.verify_channel, need_verified=False,
                                           allow_signed=self.status == LinkStatus.SIGNED)
        if isinstance(outcome, Refusal):
            return
        if not outcome.ok:
            self._say("verify_error", f"parent.{outcome.error}", seconds=outcome.retry_after,
                      minutes=wizard_steps.wait_minutes(outcome.retry_after))
            return None
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
    async def submit_code(self, form_data: CodeForm):
        """VERIFY: check the code; on success remember this browser and go to review."""
        code = str(form_data.get("code", ""))[:20]
        if self._code_message_id:  # a code is being typed: it arrived, the watch has nothing left to say
            self._code_message_id, self.code_state = 0, "sent"
            self._say("verify_info", "parent.verify.sent", to=self._code_to, announce=False)
        for_copy = self.status == LinkStatus.SIGNED
        checked = await self._on_live_link(actions.check_code, code, need_verified=False, allow_signed=for_copy)
        if isinstance(checked, Refusal):
            return
        outcome = checked.outcome
        if not outcome.ok:
            self._say("verify_error", f"parent.{outcome.error}", tries=outcome.tries_left,
                      minutes=wizard_steps.wait_minutes(outcome.retry_after))
            if outcome.error in ("verify.error.code_dead", "verify.error.no_code"):
                self.code_sent = False  # the code field leaves the page: focus goes to the way forward
                return rx.set_focus("send-code")
            return None  # what was typed stays, marked invalid; the live region says why
        self._parent_session = outcome.session_secret
        self.cookie_ticket = checked.cookie_ticket  # issued with the session (actions.check_code)
        self._say("verify_error")
        self._say("verify_info")
        self._show(checked.view)  # read with the new verification: what this browser may now see
        self.step = "done" if for_copy else "review"
        return rx.set_focus("step-heading")

    @rx.event
    @resilient
    async def open_problem(self):
        """Show the "report a problem" form and put the cursor in it."""
        self.problem_open = True
        self._say("problem_error")
        return rx.set_focus("problem-text")

    @rx.event
    @resilient
    async def close_problem(self):
        """Hide the "report a problem" form (focus back on its button)."""
        self.problem_open = False
        return rx.set_focus("report-problem")

    @rx.event
    @resilient
    async def send_problem(self, form_data: ProblemForm):
        """Report a problem: the provider is told and this link waits for a corrected sheet."""
        text = str(form_data.get("problem", "") if isinstance(form_data, dict) else "")
        result = await self._on_live_link(actions.report_problem, text)
        if isinstance(result, Refusal):
            return
        if isinstance(result, str):
            self._say("problem_error", result)
            return
        self.problem_open = False
        self._show(result)
        self.dispute_text = text.strip()[:parent_steps.MAX_PROBLEM_LENGTH]  # the provider's email: the worker sends it
        return rx.set_focus("status-heading")  # the confirmation

    @rx.event
    @resilient
    async def go_sign(self):
        """Sign & Submit on the review step: records the hash of exactly what this page showed."""
        reviewed = await self._on_live_link(actions.mark_reviewed, self._shown_hash)
        if isinstance(reviewed, Refusal):
            return
        if isinstance(reviewed, LinkView):  # the sheet or its texts changed while it was on screen
            self._show(reviewed)
            self._say("review_notice", "parent.sign.error.changed")
            return rx.set_focus("step-heading")
        self._reviewed_hash = reviewed
        self._say("review_notice")
        # The pad starts empty on each visit of the step, and the boxes agree to the texts shown now.
        self._strokes, self.has_signature = {}, False
        self.certified = self.consented = False
        self.step = "sign"
        return rx.set_focus("step-heading")

    @rx.event
    @resilient
    async def back_to_review(self):
        """Back from the pad to the attendance (from the sign step, on a live link this browser may review)."""
        if self.step != "sign" or isinstance(await self._on_live_link(actions.signing_channel), Refusal):
            return
        self.step = "review"

    @rx.event
    @resilient
    async def submit_signature(self):
        """SUBMIT: sign once, even under double clicks and two tabs."""
        if self.busy or self.status != LinkStatus.OK:
            return
        if missing := self._missing_parts():  # SUBMIT is focusable while not ready: it says what is missing
            self._say("sign_error", *missing)
            return
        self.busy = True  # the button shows "Submitting…" and the pad locks until this ends
        yield
        try:
            # One transaction: the link guard, the verification, the claim of the sheet (parent_steps.sign).
            typed = self._typed_name if self.signature_method == SignatureMethod.TYPED else ""
            signing = await self._on_live_link(actions.sign_live, {} if typed else self._strokes, typed,
                                               certified=self.certified, consented=self.consented,
                                               reviewed_hash=self._reviewed_hash)
            # Signed meanwhile (the guard saw it): this link's own signature, from another tab or from
            # this one when the database went away after its commit and the step ran again.
            signed_meanwhile = isinstance(signing, LinkChanged) and signing.view.status == LinkStatus.SIGNED
            if isinstance(signing, Refusal) and not signed_meanwhile:
                return
            if signed_meanwhile or signing.outcome.ok or signing.outcome.already_signed:
                self._say("sign_error")
                self.step = "done"
            elif signing.outcome.review_again:  # nothing signed: the parent sees the attendance afresh
                self._say("sign_error")
                self._say("review_notice", signing.outcome.error)
                self._reviewed_hash = ""
                self.step = "review"
            else:
                self._say("sign_error", signing.outcome.error)
            if not signed_meanwhile and signing.view is not None:  # (the guard showed its view already)
                self._show(signing.view)
        finally:
            self.busy = False
        if self.status == LinkStatus.SIGNED or self.step == "review":
            yield rx.set_focus("step-heading")  # the guardian's notice was queued: the worker sends it

    @rx.event(background=True)
    async def download_copy(self):
        """The parent's sealed copy of what they signed, in the language they signed in.

        In the background: rendering and sealing take a moment, and the tab stays usable meanwhile.
        """
        async with self:
            visit = self._visit()
        parts = await in_session(actions.signed_copy, visit)
        if parts is None:
            return
        pdf = await off_loop(evidence.sealed_copy, parts)  # rendering and sealing: CPU work
        yield rx.download(data=pdf, filename=f"attendance-{parts.reference}.pdf")

    @rx.var
    def step_items(self) -> list[dict[str, str]]:
        """Steps for the indicator with their state for this moment."""
        return wizard_steps.step_items(self.locale, self.requires_verification, self.step)

    @rx.var
    def progress_text(self) -> str:
        """"Step 2 of 4" for screen readers."""
        return wizard_steps.progress_text(self.locale, self.requires_verification, self.step)

    def _missing_parts(self) -> list[str]:
        """What SUBMIT still needs, as translation keys."""
        signed = self.typed_preview != "" if self.signature_method == SignatureMethod.TYPED else self.has_signature
        return wizard_steps.missing_parts(signed, self.consented, self.certified)

    @rx.var
    def can_submit(self) -> bool:
        """SUBMIT signs once there is a signature (drawn or typed) and both boxes are ticked."""
        return not self._missing_parts() and not self.busy

    @rx.var
    def guide_href(self) -> str:
        """The parents' guide in the page's language."""
        return f"{routes.GUIDE}?lang={self.locale}"
