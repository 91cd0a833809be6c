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
from careconnect_app.messaging import outbox
from careconnect_app.pages.sign import actions
from careconnect_app.pages.sign.actions import LinkChanged, NotVerified, Refusal
from careconnect_app.pages.sign.view import LinkView
from careconnect_app.pages.state_tools import CallerMixin, in_session, off_loop
from careconnect_app.signing import typed_signature, verification
from careconnect_app.statuses import LinkStatus, SignatureMethod

SESSION_COOKIE = "cc_parent_session"
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
    locale: str = "en"
    tr: dict[str, str] = i18n.area("en", "parent")
    # The link's family and sheet (view.FamilyView).
    agency_name: str = ""
    provider_name: str = ""
    provider_phone: str = ""
    provider_phone_href: str = ""
    call_label: str = ""
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
    days_no_record: str = ""
    no_record_note: str = ""
    dispute_text: str = ""
    status_body: str = ""
    # The receipt (view.SignedView).
    reference: str = ""
    signed_label: str = ""
    done_intro: str = ""
    can_download: bool = False
    # What the parent is doing on the page.
    verify_channel: str = ""
    code_sent: bool = False
    verify_info: str = ""
    verify_error: str = ""
    busy: bool = False
    problem_open: bool = False
    problem_error: str = ""
    has_signature: bool = False  # the pad has a drawing
    signature_method: str = SignatureMethod.DRAWN
    typed_preview: str = ""  # the typed name as it will be signed ("" while it is not a valid name)
    typed_error: str = ""
    certified: bool = False
    consented: bool = False
    sign_error: str = ""
    # The page's one live region: each status change is said once, here (screen readers).
    announcement: str = ""

    # The verified browser's credential, as long-lived as its session; the database holds only its hash.
    parent_session: str = rx.Cookie("", name=SESSION_COOKIE, path=routes.SIGN_PREFIX, same_site="strict",
                                    max_age=int(verification.SESSION_TTL.total_seconds()))

    # --- backend only ----------------------------------------------------------------------
    _request_id: int = 0
    _strokes: dict = {}
    _typed_name: str = ""  # checked by typed_signature.clean_name; signing draws it on the server
    _locale_chosen: bool = False
    # slot -> (translation keys, values): re-rendered when the language changes.
    _messages: dict[str, tuple[tuple[str, ...], dict]] = {}

    # --- helpers ---------------------------------------------------------------------------
    def _visit(self) -> actions.Visit:
        ip, user_agent = self._client()
        return actions.Visit(self._request_id, self.parent_session, self.locale, ip, user_agent)

    def _say(self, slot: str, *keys: str, **values) -> None:
        """Set a message slot (verify_info, verify_error, problem_error, sign_error, typed_error) by key(s).

        No key clears it. A new message is also announced, once, through the page's live region.
        """
        keys = tuple(key for key in keys if key)
        if keys:
            self._messages[slot] = (keys, values)
        else:
            self._messages.pop(slot, None)
        text = self._words(keys, values)
        setattr(self, slot, text)
        if text:
            self._announce(text)

    def _words(self, keys: tuple[str, ...], values: dict) -> str:
        return " ".join(i18n.t(key, self.locale, **values) for key in keys)

    def _announce(self, text: str) -> None:
        # The same words twice in a row still change the region's text, so they are read again.
        self.announcement = text if self.announcement != text else text + "\u200b"

    def _show(self, view: LinkView) -> None:
        """Put a link's page (read on a worker thread) on screen in the current language."""
        self.status, self.status_body = view.status, view.status_body
        self.tr = i18n.area(self.locale, "parent")
        if view.family is None:  # unknown or rate-limited: nothing about any family is shown
            self.provider_phone_href = self.call_label = self.provider_phone = ""
            return
        for part in filter(None, (view.family, view.signed)):
            for field in dataclasses.fields(part):  # named after the vars they fill
                setattr(self, field.name, getattr(part, field.name))
        offered = [channel["value"] for channel in self.channels]
        if self.verify_channel not in offered:
            self.verify_channel = offered[0] if offered else ""
        for slot, (keys, values) in list(self._messages.items()):
            setattr(self, slot, self._words(keys, values))

    def _resume(self, resume: actions.Resume) -> None:
        """Pick up where the database says this parent was (after a reload or in a second tab)."""
        self.step = resume.step
        if resume.step == "verify":
            self.code_sent = bool(resume.code_channel)
            if resume.code_channel:
                self.verify_channel = resume.code_channel
                self._say("verify_info", "parent.verify.sent", to=resume.code_to)

    async def _on_live_link(self, step: Callable[..., T], *args: Any, need_verified: bool = True) -> T | Refusal:
        """Run an `actions` step on a worker thread if the link is usable; else show why and say so."""
        result = await in_session(actions.on_live_link, self._visit(), step, *args, need_verified=need_verified)
        if isinstance(result, LinkChanged):
            self._show(result.view)
        elif isinstance(result, NotVerified):
            self._say("verify_error", "parent.error.session")
            self.step = "verify" if result.requires_verification else "landing"
        return result

    # --- events ------------------------------------------------------------------------------
    @rx.event
    async def load(self):
        """Open the link: resolve the token, audit the visit, resume at the right step."""
        self._request_id, self._messages = 0, {}
        self.problem_open = False
        self._strokes, self.has_signature = {}, False
        self._typed_name = self.typed_preview = self.typed_error = ""
        self.signature_method = SignatureMethod.DRAWN
        self.certified = self.consented = self.busy = False
        self.announcement = ""
        token = routes.last_segment(self.router.url.path, routes.SIGN_PREFIX)
        if not self._locale_chosen:  # a link nobody owns (mistyped, cut off) speaks the browser's language
            self.locale = i18n.from_accept_language(self.router.headers.accept_language)
        opened = await in_session(actions.open_link, token, self._visit(), keep_locale=self._locale_chosen)
        self._request_id, self.locale = opened.request_id, opened.locale
        if opened.resume is not None:
            self._resume(opened.resume)
        self._show(opened.view)

    @rx.event
    async def toggle_locale(self):
        """Switch every word on the page between English and Spanish."""
        self.locale = "es" if self.locale == "en" else "en"
        self._locale_chosen = True
        self.announcement = ""  # a status said in the other language is not said again
        self._show(await in_session(actions.reread, self._visit(), self.status))

    @rx.event
    async def start(self):
        """Landing -> verification (if the agency requires it) or review."""
        verified = await self._on_live_link(actions.start, need_verified=False)
        if isinstance(verified, Refusal):
            return
        self.step = "review" if verified else "verify"
        return rx.set_focus("step-heading")

    @rx.event
    async def choose_channel(self, channel: str):
        """Pick email or text message for the code (only a channel the page offers)."""
        if channel in [c["value"] for c in self.channels]:
            self.verify_channel = channel
            self._say("verify_error")

    @rx.event
    async def change_channel(self):
        """Go back to the channel choice (the old code stays valid until a new one is sent)."""
        self.code_sent = False
        self._say("verify_info")
        self._say("verify_error")

    @rx.event
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
            return None
        self.code_sent = True
        self._say("verify_error")
        self._say("verify_info", "parent.verify.sent", to=outcome.masked)
        if outcome.message_id:  # the code's row is committed: send it now, the worker retries failures
            await off_loop(outbox.deliver_now, [outcome.message_id])
            return rx.set_focus("verification-code")

    @rx.event
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
                self.code_sent = False  # the code field leaves the page: focus goes to the way forward
                return rx.set_focus("send-code")
            return None  # what was typed stays, marked invalid; the live region says why
        self.parent_session = outcome.session_secret
        self._say("verify_error")
        self._say("verify_info")
        self.step = "review"
        return rx.set_focus("step-heading")

    @rx.event
    async def open_problem(self):
        """Show the "report a problem" form and put the cursor in it."""
        self.problem_open = True
        self._say("problem_error")
        return rx.set_focus("problem-text")

    @rx.event
    async def close_problem(self):
        """Hide the "report a problem" form (focus back on its button)."""
        self.problem_open = False
        return rx.set_focus("report-problem")

    @rx.event
    async def send_problem(self, form_data: dict):
        """Report a problem: the provider is told and this link waits for a corrected sheet."""
        result = await self._on_live_link(actions.report_problem, str(form_data.get("problem", "")))
        if isinstance(result, Refusal):
            return
        if isinstance(result, str):
            self._say("problem_error", result)
            return
        self.problem_open = False
        self._show(result)
        await off_loop(outbox.deliver_due, limit=10)
        return rx.set_focus("status-heading")  # the confirmation

    @rx.event
    async def go_sign(self):
        """Sign & Submit on the review step."""
        if isinstance(await self._on_live_link(actions.mark_reviewed), Refusal):
            return
        self.step = "sign"
        return rx.set_focus("step-heading")

    @rx.event
    async def back_to_review(self):
        """Back from the pad to the attendance."""
        self.step = "review"

    @rx.event
    async def set_strokes(self, payload: dict):
        """The pad reports the drawing after each stroke (kept server-side only)."""
        self._strokes = payload if isinstance(payload, dict) else {}
        strokes = self._strokes.get("strokes")
        self.has_signature = isinstance(strokes, list) and len(strokes) > 0
        self._say("sign_error")

    @rx.event
    async def choose_method(self, method: str):
        """Draw on the pad, or type the full name (for a parent who cannot draw)."""
        if method in (SignatureMethod.DRAWN, SignatureMethod.TYPED):
            self.signature_method = method
            self._say("sign_error")

    @rx.event
    async def set_typed_name(self, value: str):
        """The typed name: checked here, shown back in the handwriting font once it is a name."""
        name, error = typed_signature.clean_name(str(value)[:200] if isinstance(value, str) else value)
        self._typed_name, self.typed_preview = name, name
        self._say("sign_error")
        # Said once while the name is being typed, not at every key stroke; nothing typed is no error yet.
        if error and str(value or "").strip():
            if self._messages.get("typed_error", ((),))[0] != (f"parent.{error}",):
                self._say("typed_error", f"parent.{error}")
        else:
            self._say("typed_error")

    @rx.event
    async def set_certified(self, value: bool):
        """The "attendance is accurate" box."""
        self.certified = bool(value)

    @rx.event
    async def set_consented(self, value: bool):
        """The "sign electronically" consent box."""
        self.consented = bool(value)

    @rx.event
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
            channel = await self._on_live_link(actions.signing_channel)
            if isinstance(channel, Refusal):
                return
            # A session of its own: its first statement is the claiming UPDATE (see parent_steps.sign).
            typed = self._typed_name if self.signature_method == SignatureMethod.TYPED else ""
            signing = await in_session(actions.sign, self._visit(), {} if typed else self._strokes, typed,
                                       certified=self.certified, consented=self.consented, channel=channel)
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
            items.append({"label": self.tr.get(f"step.{name}", name), "state": state, "n": str(n + 1),
                          "sr": self.tr.get(f"step_{state}_sr", "")})  # no text for steps still to do
        return items

    @rx.var
    def progress_text(self) -> str:
        """"Step 2 of 4" for screen readers."""
        steps, index = _position(self.requires_verification, self.step)
        return self.tr.get("step_of", "").format(n=index + 1, total=len(steps))

    def _missing_parts(self) -> list[str]:
        """What SUBMIT still needs, as translation keys."""
        signed = self.typed_preview != "" if self.signature_method == SignatureMethod.TYPED else self.has_signature
        missing = [] if signed else ["parent.sign.missing_signature"]
        missing += [] if self.consented else ["parent.sign.missing_consent"]
        return missing + ([] if self.certified else ["parent.sign.missing_certify"])

    @rx.var
    def can_submit(self) -> bool:
        """SUBMIT signs once there is a signature (drawn or typed) and both boxes are ticked."""
        return not self._missing_parts() and not self.busy

    @rx.var
    def guide_href(self) -> str:
        """The parents' guide in the page's language."""
        return f"{routes.GUIDE}?lang={self.locale}"
