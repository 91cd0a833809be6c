"""The public verify page /verify: anyone checks a signed copy or certificate, in English or Spanish.

Upload the PDF, or type the reference number and the document hash printed on a copy. The rules
are evidence/verify.py (the command line runs the same); this page only collects the input and
shows the answer. No login: every handler treats its payload as hostile (size-limited upload,
the file read off the event loop, wrong guesses rate-limited per address in the database).
"""

from __future__ import annotations

import reflex as rx

from careconnect_app import i18n
from careconnect_app.components.layout import card, field_error, language_switch, parent_frame
from careconnect_app.components.submit_button import submit_button
from careconnect_app.components.words import words
from careconnect_app.evidence import report_words, verify
from careconnect_app.pages.state_tools import CallerMixin, in_session, off_loop, take_language

UPLOAD_ID = "verify-pdf"


class _PageWords:
    """The page's words ("verify" area), with the frame's ("frame.<key>": brand, language switch)
    from the parent pages; compiled into the page (components.words)."""

    def __init__(self, state: type[rx.State]):
        self.own, self.frame = words(state, "verify"), words(state, "parent")

    def __getitem__(self, key: str) -> rx.Var:
        return self.frame[key.removeprefix("frame.")] if key.startswith("frame.") else self.own[key]


async def _read_upload(files: list) -> bytes | None:
    """The one uploaded file, at most one byte over the limit (so "too large" can be told); None if none."""
    if not isinstance(files, list) or len(files) != 1:
        return None
    handle = getattr(files[0], "file", None)
    if handle is None:
        return None
    return await off_loop(handle.read, verify.MAX_PDF_BYTES + 1)


class VerifyState(CallerMixin, rx.State):
    """The page's language, the last answer in words, and the auditors' fingerprints."""

    locale: str = "en"  # the page's words follow it (components.words), they are not state
    _locale_chosen: bool = False  # set by take_language; ?lang= decides on each load
    busy: bool = False
    checked: bool = False
    verified: bool = False
    verdict: str = ""
    verdict_body: str = ""
    problem: str = ""
    checked_what: str = ""
    checks: list[dict[str, str]] = []
    summary: list[dict[str, str]] = []
    auditor: list[str] = []
    input_error: str = ""

    # The last answer, kept to say it again in the other language (backend only).
    _report: verify.Report | None = None
    _what: tuple[str, str] = ("", "")  # (translation key, value) of what was checked
    _input_error: str = ""

    def _render(self) -> None:
        self.input_error = i18n.t(self._input_error, self.locale) if self._input_error else ""
        if self._report is None:
            self.checked = False
            return
        words = report_words.in_words(self._report, self.locale)
        for name in ("verified", "verdict", "verdict_body", "problem", "checks", "summary"):
            setattr(self, name, getattr(words, name))
        key, value = self._what
        self.checked_what = i18n.t(key, self.locale, name=value, reference=value) if key else ""
        self.checked = True

    def _answer(self, report: verify.Report, what: tuple[str, str]):
        self._report, self._what, self._input_error = report, what, ""
        self._render()
        return rx.set_focus("verify-result")

    @rx.event
    async def load(self):
        """?lang=es opens the page in Spanish; the fingerprints are read once (key files off the loop)."""
        self.locale = i18n.normalise_locale(self.router.url.query_parameters.get("lang", self.locale))
        self._report, self._input_error = None, ""
        self.auditor = await off_loop(report_words.auditor_facts, self.locale)
        self._render()

    @rx.event
    async def choose_language(self, locale: str):
        """Show the page, and the last answer, in the language its button offered."""
        if not take_language(self, locale):
            return
        self.auditor = await off_loop(report_words.auditor_facts, self.locale)
        self._render()

    @rx.event
    async def check_file(self, files: list[rx.UploadFile]):
        """Check the uploaded PDF: its seal, the evidence inside, and the records behind it."""
        if self.busy:
            return
        data = await _read_upload(files)
        if data is None:
            self._report, self._input_error = None, "verify.problem.no_file"
            self._render()
            return
        self.busy = True
        yield
        try:
            ip, _agent = self._client()
            report = await in_session(verify.verify_pdf, data, ip=ip)
            name = str(getattr(files[0], "name", "") or "")[:120]
        finally:
            self.busy = False
        yield self._answer(report, ("verify.cli.file", name))

    @rx.event
    async def check_reference(self, form_data: dict):
        """Check a reference number and the document hash printed on a copy."""
        reference = str(form_data.get("reference", ""))[:40]
        document_hash = str(form_data.get("document_hash", ""))[:100]
        ip, _agent = self._client()
        report = await in_session(verify.verify_reference, reference, document_hash, ip=ip)
        return self._answer(report, ("verify.cli.reference", verify.normalise_reference(reference)))


S = VerifyState
T = _PageWords(VerifyState)


# --- the page ---------------------------------------------------------------------------------------


def _upload_card() -> rx.Component:
    return card(
        rx.heading(T["upload.title"], as_="h2", size="5"),
        rx.text(T["upload.hint"], size="2", color_scheme="gray", id="upload-hint"),
        # The label names the dropzone's hidden file input (its first labelable element) for screen readers.
        rx.el.label(
            rx.upload(
                rx.button(rx.icon("file-up", aria_hidden="true"), T["upload.choose"], type="button",
                          variant="outline", size="3", min_height="48px", width="100%"),
                id=UPLOAD_ID, accept={"application/pdf": [".pdf"]}, max_files=1, multiple=False,
                max_size=verify.MAX_PDF_BYTES, width="100%", aria_describedby="upload-hint",
            ),
            style={"display": "block", "width": "100%"},
        ),
        rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.text(name, size="2", weight="medium",
                                                                      class_name="cc-break")),
        field_error(S.input_error, "upload-error"),
        rx.button(rx.cond(S.busy, T["upload.checking"], T["upload.check"]),
                  on_click=S.check_file(rx.upload_files(upload_id=UPLOAD_ID)), loading=S.busy, size="4",
                  width="100%", min_height="48px", id="check-file"),
    )


def _field(label_key: str, name: str, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(T[label_key], html_for=name, style={"fontWeight": "600"}),
        rx.input(id=name, name=name, size="3", width="100%", auto_complete="off", spell_check=False, **props),
        spacing="1",
        width="100%",
    )


def _reference_card() -> rx.Component:
    return card(
        rx.heading(T["reference.title"], as_="h2", size="5"),
        rx.text(T["reference.hint"], size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                _field("reference.label", "reference", placeholder=T["reference.placeholder"], max_length=20,
                       auto_capitalize="characters"),
                _field("hash.label", "document_hash", max_length=80, font_family="monospace",
                       aria_describedby="hash-hint"),
                rx.text(T["hash.hint"], size="2", color_scheme="gray", id="hash-hint"),
                submit_button(T["reference.check"], size="4", width="100%", min_height="48px",
                          id="check-reference"),
                spacing="3",
                width="100%",
            ),
            method="post", on_submit=S.check_reference,
            width="100%",
        ),
    )


_STATE_ICON = {"ok": ("circle-check", "green"), "bad": ("circle-x", "red"), "none": ("circle-minus", "gray")}


def _check_row(check: dict) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.match(check["state"], *[(state, rx.icon(icon, color=rx.color(tone, 11), size=20, aria_hidden="true",
                                                        flex_shrink="0"))
                                       for state, (icon, tone) in _STATE_ICON.items()]),
            rx.text(check["text"], size="2"),
            align="start",
            spacing="2",
        ),
        data_state=check["state"],
        style={"listStyle": "none", "marginBottom": "8px"},
    )


def _summary_row(row: dict) -> rx.Component:
    return rx.box(
        rx.el.dt(row["label"], style={"fontSize": "0.85rem", "color": "var(--gray-11)"}),
        rx.el.dd(row["value"], class_name="cc-break", style={"margin": "0 0 10px 0", "fontWeight": "500"}),
    )


def _result() -> rx.Component:
    tone = rx.cond(S.verified, "green", "red")
    return card(
        rx.hstack(
            rx.cond(S.verified, rx.icon("shield-check", size=32, color=rx.color("green", 10), aria_hidden="true"),
                    rx.icon("shield-x", size=32, color=rx.color("red", 10), aria_hidden="true")),
            rx.heading(S.verdict, as_="h2", size="7", id="verify-result", tab_index=-1, color=rx.color(tone, 11)),
            align="center",
            spacing="3",
        ),
        rx.text(S.checked_what, size="2", color_scheme="gray", class_name="cc-break", id="checked-what"),
        rx.text(rx.cond(S.problem != "", S.problem, S.verdict_body), size="3", id="verdict-body"),
        rx.cond(S.checks.length() > 0, rx.vstack(
            rx.heading(T["checks.title"], as_="h3", size="4"),
            rx.el.ul(rx.foreach(S.checks, _check_row), id="verify-checks", style={"padding": "0", "margin": "0"}),
            width="100%",
        )),
        rx.cond(S.summary.length() > 0, rx.vstack(
            rx.heading(T["summary.title"], as_="h3", size="4"),
            rx.el.dl(rx.foreach(S.summary, _summary_row), id="verify-summary", style={"margin": "0"}),
            width="100%",
        )),
        role="status",
        aria_live="polite",
        id="verify-answer",
        data_verified=rx.cond(S.verified, "true", "false"),
    )


def verify_page() -> rx.Component:
    return parent_frame(
        card(
            rx.heading(T["title"], as_="h1", size="7"),
            rx.text(T["intro"], size="3"),
        ),
        rx.cond(S.checked, _result()),
        _upload_card(),
        _reference_card(),
        card(
            rx.heading(T["keys.title"], as_="h2", size="4"),
            rx.foreach(S.auditor, lambda line: rx.text(line, size="2", class_name="cc-break")),
        ),
        header_right=language_switch(T["frame.switch_to"], T["frame.switch_to_label"], S.choose_language, S.locale),
        skip_label=T["frame.skip_to_content"],
        lang=S.locale,
        title=T["frame.app_name"],
    )

