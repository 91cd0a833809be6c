"""The start page (/) and the page for any address that does not exist, in the browser's language.

No dead ends: both say what this is and lead to the parents' guide and the provider portal.
"""

from __future__ import annotations

import reflex as rx

from careconnect_app import i18n, routes
from careconnect_app.components.layout import card, language_switch, parent_frame
from careconnect_app.components.words import words
from careconnect_app.pages.state_tools import take_language


class HomeState(rx.State):
    """The language of the start page and of the "page not found" page."""

    locale: str = "en"  # the page's words follow it (components.words), they are not state
    _locale_chosen: bool = False

    @rx.event
    async def load(self):
        """The browser's language (Accept-Language) until the visitor picks one."""
        if not self._locale_chosen:
            self.locale = i18n.from_accept_language(self.router.headers.accept_language)

    @rx.event
    async def choose_language(self, locale: str):
        """Show the page in the language its button offered (state_tools.take_language)."""
        take_language(self, locale)

    @rx.var
    def guide_href(self) -> str:
        return f"{routes.GUIDE}?lang={self.locale}"


T = words(HomeState, "parent")


def _frame(*children: rx.Component) -> rx.Component:
    return parent_frame(
        *children,
        header_right=language_switch(T["switch_to"], T["switch_to_label"], HomeState.choose_language, HomeState.locale),
        skip_label=T["skip_to_content"],
        lang=HomeState.locale,
        title=T["app_name"],
    )


def home_page() -> rx.Component:
    return _frame(
        card(
            rx.heading(T["home.title"], as_="h1", size="7", id="page-heading"),
            rx.text(T["home.intro"], size="3"),
        ),
        card(
            rx.heading(T["home.parents_title"], as_="h2", size="5"),
            rx.text(T["home.parents_body"], size="3"),
            rx.link(T["home.guide"], href=HomeState.guide_href, size="3", id="home-guide", class_name="cc-big-link"),
        ),
        card(
            rx.heading(T["home.providers_title"], as_="h2", size="5"),
            rx.link(T["home.portal"], href=routes.PORTAL, size="3", id="home-portal", class_name="cc-big-link"),
        ),
    )


def not_found_page() -> rx.Component:
    return _frame(
        card(
            rx.hstack(
                rx.icon("map-pin-off", size=28, aria_hidden="true", color=rx.color("gray", 11)),
                rx.heading(T["not_found.title"], as_="h1", size="6", id="page-heading"),
                align="center",
                spacing="3",
            ),
            rx.text(T["not_found.body"], size="3"),
            rx.link(T["not_found.home"], href=routes.HOME, size="3", id="not-found-home", class_name="cc-big-link"),
            rx.link(T["home.guide"], href=HomeState.guide_href, size="3", id="not-found-guide",
                    class_name="cc-big-link"),
            rx.link(T["home.portal"], href=routes.PORTAL, size="3", class_name="cc-big-link"),
        ),
    )
