"""The parents' "Digital Submission Guide", in English and Spanish, also as a PDF."""

from __future__ import annotations

import reflex as rx

from careconnect_app import i18n
from careconnect_app.components.layout import card, language_switch, parent_frame
from careconnect_app.components.words import words
from careconnect_app.documents.guide import guide_sections, parent_guide_pdf
from careconnect_app.pages.state_tools import off_loop, take_language


class GuideState(rx.State):
    """The guide's language and its sections in that language."""

    locale: str = "en"
    _locale_chosen: bool = False  # set by take_language; the guide follows ?lang= on each load anyway
    sections: list[dict] = guide_sections("en")

    def _show(self) -> None:
        self.sections = guide_sections(self.locale)

    @rx.event
    async def load(self):
        """?lang=es opens the guide in Spanish; without it, the browser's language (Accept-Language)."""
        asked = self.router.url.query_parameters.get("lang")
        self.locale = (i18n.normalise_locale(asked) if asked
                       else i18n.from_accept_language(self.router.headers.accept_language))
        self._show()

    @rx.event
    async def choose_language(self, locale: str):
        """Show the guide in the language its button offered (state_tools.take_language)."""
        if take_language(self, locale):
            self._show()

    @rx.event
    async def download(self):
        """The guide as a PDF in the shown language (rendered off the event loop)."""
        pdf = await off_loop(parent_guide_pdf, self.locale)
        return rx.download(data=pdf, filename=f"careconnect-parent-guide-{self.locale}.pdf")


def _section(section: dict) -> rx.Component:
    return rx.box(
        rx.heading(section["title"], as_="h2", size="5", margin_bottom="0.5rem"),
        rx.foreach(section["paragraphs"].to(list[str]), lambda p: rx.text(p, size="3", margin_bottom="0.5rem")),
        rx.cond(
            section["steps"].to(list[str]).length() > 0,
            rx.el.ol(rx.foreach(section["steps"].to(list[str]), lambda s: rx.el.li(s, style={"marginBottom": "6px"})),
                     style={"paddingLeft": "1.5rem", "listStyleType": "decimal"}),  # the guide's steps are numbered
        ),
        width="100%",
    )


def guide_page() -> rx.Component:
    T = words(GuideState, "parent")
    return parent_frame(
        card(
            rx.heading(T["guide.title"], as_="h1", size="7"),
            rx.button(rx.icon("download", aria_hidden="true"), T["guide.download"], on_click=GuideState.download,
                      variant="outline", size="3", min_height="44px", id="download-guide"),
            rx.foreach(GuideState.sections, _section),
        ),
        header_right=language_switch(T["switch_to"], T["switch_to_label"], GuideState.choose_language, GuideState.locale),
        skip_label=T["skip_to_content"],
        lang=GuideState.locale,
        title=T["app_name"],
    )
