"""/not-me/<token>: the guardian's "this was not me" from the notice sent after a signature.

Opening the link reports nothing (mail scanners open links too): the guardian reads what the
notice was about and presses the button. The page receives only the notice's own facts, never
the attendance; its token can do nothing else (signing.not_me).
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from careconnect_app import i18n, routes
from careconnect_app.components.layout import card, language_switch, parent_frame, status_message
from careconnect_app.components.submit_button import submit_button
from careconnect_app.components.words import words
from careconnect_app.pages.state_tools import CallerMixin, in_session, take_language
from careconnect_app.signing import not_me
from careconnect_app.statuses import NotMeStatus

MAX_TEXT = not_me.MAX_TEXT


class NotMeState(CallerMixin, rx.State):
    """The page: the notice's facts, then the report or why it cannot be made."""

    status: str = "loading"
    locale: str = "en"  # the page's words follow it (components.words), they are not state
    intro: str = ""
    question: str = ""
    in_person: bool = False
    reference: str = ""
    outcome_title: str = ""
    outcome_body: str = ""
    busy: bool = False

    _page: dict = {}  # the facts read from the database, to re-render in the other language
    _locale_chosen: bool = False

    def _token(self) -> str:
        return routes.last_segment(self.router.url.path, routes.NOT_ME_PREFIX)

    def _show(self, page: not_me.NotMePage, status: str) -> None:
        self._page = dataclasses.asdict(page)
        if not self._locale_chosen:
            self.locale = page.locale
        self._render(status)

    def _render(self, status: str) -> None:
        """The page's words in its language, filled with the notice's facts."""
        facts = {k: v for k, v in self._page.items() if isinstance(v, str)}
        values = dict(reference=facts.get("reference", ""), child=facts.get("child_name", ""),
                      period=facts.get("period_label", ""), provider=facts.get("provider_name", ""),
                      agency=facts.get("agency_name", ""), date=facts.get("signed_label", ""))
        self.status = status
        self.reference, self.in_person = values["reference"], bool(self._page.get("in_person"))
        self.intro = i18n.t("parent.not_me.intro", self.locale, **values) if values["reference"] else ""
        self.question = i18n.t("parent.not_me.question", self.locale, **values)
        open_page = status == NotMeStatus.OPEN
        self.outcome_title = "" if open_page else i18n.t(f"parent.not_me.{status}.title", self.locale, **values)
        self.outcome_body = "" if open_page else i18n.t(f"parent.not_me.{status}.body", self.locale, **values)

    @rx.event
    async def load(self):
        """Resolve the token and show what the notice was about (nothing is reported yet)."""
        ip, _user_agent = self._client()
        page = await in_session(not_me.look, self._token(), ip=ip)
        self._show(page, page.status)

    @rx.event
    async def choose_language(self, locale: str):
        """Show the page in the language its button offered (state_tools.take_language)."""
        if take_language(self, locale):
            self._render(self.status)

    @rx.event
    async def report(self, form_data: dict):
        """"I did not sign this": flag the signature for the agency, once."""
        if self.busy or self.status != NotMeStatus.OPEN:
            return
        text = str(form_data.get("details", "") if isinstance(form_data, dict) else "")[:MAX_TEXT]
        ip, user_agent = self._client()
        self.busy = True
        try:
            done = await in_session(not_me.report, self._token(), text, ip=ip, user_agent=user_agent)
        finally:
            self.busy = False
        self._render(done.status)


S, T = NotMeState, words(NotMeState, "parent")


def _form() -> rx.Component:
    return card(
        rx.heading(T["not_me.title"], as_="h1", size="6", id="step-heading", tab_index=-1),
        rx.text(S.intro, size="3"),
        rx.cond(S.in_person, rx.callout(T["not_me.in_person"], icon="tablet-smartphone", width="100%")),
        rx.text(S.question, size="3"),
        rx.form(
            rx.vstack(
                rx.el.label(T["not_me.details_label"], html_for="not-me-details"),
                rx.text_area(id="not-me-details", name="details", rows="3", width="100%", size="3",
                             max_length=MAX_TEXT),
                submit_button(T["not_me.submit"], size="4", width="100%", min_height="48px",
                          color_scheme="red", loading=S.busy, id="report-not-me"),
                spacing="3",
                width="100%",
            ),
            method="post", on_submit=S.report,
            width="100%",
        ),
    )


def not_me_page() -> rx.Component:
    return parent_frame(
        rx.match(
            S.status,
            ("loading", rx.center(rx.spinner(size="3"), padding="3rem", role="status")),
            (NotMeStatus.OPEN, _form()),
            (NotMeStatus.REPORTED, status_message(S.outcome_title, S.outcome_body, "circle-check", "green")),
            status_message(S.outcome_title, S.outcome_body, "info", "orange"),
        ),
        header_right=language_switch(T["switch_to"], T["switch_to_label"], S.choose_language, S.locale),
        skip_label=T["skip_to_content"],
        lang=S.locale,
        title=T["app_name"],
    )
