"""Page frame for the provider portal: skip link, header with navigation, language and log out.

Tables with class "pt-table" become stacked cards under 700 px (each cell shows its data-label).
"""

from __future__ import annotations

import reflex as rx

from careconnect_app import routes

PORTAL_MAX_WIDTH = "72rem"

PORTAL_CSS = """
.pt-table { width: 100%; border-collapse: collapse; }
.pt-table th, .pt-table td { text-align: left; padding: 8px 8px; border-bottom: 1px solid var(--gray-5); vertical-align: middle; }
.pt-table th { font-size: 0.85rem; color: var(--gray-11); font-weight: 600; }
.pt-nav a { padding: 8px 10px; border-radius: 6px; text-decoration: none; color: var(--gray-12); min-height: 44px; display: inline-flex; align-items: center; }
.pt-nav a[aria-current="page"] { background: var(--accent-3); color: var(--accent-12); font-weight: 600; }
.pt-day { border-bottom: 1px solid var(--gray-5); padding: 10px 0; }
.pt-day[data-weekend="true"] { background: var(--gray-2); }
.pt-day[data-error="true"] { background: var(--red-2); }
.pt-time input { min-width: 7.5rem; }
@media (max-width: 700px) {
  .pt-table thead { display: none; }
  .pt-table, .pt-table tbody, .pt-table tr, .pt-table td { display: block; width: 100%; }
  .pt-table tr { border: 1px solid var(--gray-6); border-radius: 8px; margin-bottom: 10px; padding: 6px 10px; background: var(--color-background); }
  .pt-table td { border: none; padding: 4px 0; display: flex; justify-content: space-between; gap: 12px; text-align: right; }
  .pt-table td::before { content: attr(data-label); font-weight: 600; color: var(--gray-11); text-align: left; }
  .pt-table td[data-label=""]::before { content: none; }
}
"""


def nav_link(label, href: str, current: bool) -> rx.Component:
    props = {"aria-current": "page"} if current else {}
    return rx.el.a(label, href=href, custom_attrs=props)


def portal_frame(
    *children: rx.Component,
    tr,
    signed_in,
    user_name,
    scope_label,
    is_admin,
    current: str,
    on_logout,
    on_toggle_locale,
    locale,
) -> rx.Component:
    """Header (brand, who is signed in, navigation, language, log out) and a wide main column."""
    nav = rx.el.nav(
        rx.hstack(
            nav_link(tr["nav.dashboard"], routes.PORTAL, current == "dashboard"),
            nav_link(tr["nav.children"], routes.PORTAL_CHILDREN, current == "children"),
            rx.cond(is_admin, nav_link(tr["nav.settings"], routes.PORTAL_SETTINGS, current == "settings")),
            spacing="1",
            wrap="wrap",
        ),
        class_name="pt-nav",
        aria_label=tr["nav.label"],
    )
    return rx.box(
        rx.el.style(PORTAL_CSS),
        rx.el.a(tr["skip"], href="#main", class_name="cc-skip-link"),
        rx.el.header(
            rx.vstack(
                rx.hstack(
                    rx.hstack(
                        rx.icon("clipboard-check", size=22, aria_hidden="true", color=rx.color("accent", 11)),
                        rx.text(tr["brand"], weight="bold", size="4"),
                        align="center",
                        spacing="2",
                    ),
                    rx.hstack(
                        rx.button(
                            rx.icon("languages", size=18, aria_hidden="true"),
                            tr["language.switch"],
                            on_click=on_toggle_locale,
                            variant="soft",
                            high_contrast=True,
                            size="2",
                            id="portal-language",
                            min_height="40px",
                        ),
                        rx.cond(
                            signed_in,
                            rx.button(tr["nav.logout"], on_click=on_logout, variant="outline", size="2",
                                      id="logout", min_height="40px"),
                        ),
                        spacing="2",
                        align="center",
                    ),
                    justify="between",
                    align="center",
                    width="100%",
                    wrap="wrap",
                    gap="0.5rem",
                ),
                rx.cond(
                    signed_in,
                    rx.hstack(
                        nav,
                        rx.text(user_name, " · ", scope_label, size="2", color_scheme="gray", id="signed-in-as"),
                        justify="between",
                        align="center",
                        width="100%",
                        wrap="wrap",
                        gap="0.25rem",
                    ),
                ),
                width="100%",
                max_width=PORTAL_MAX_WIDTH,
                margin_x="auto",
                padding_x="1rem",
                padding_y="0.6rem",
                spacing="2",
            ),
            border_bottom=f"1px solid {rx.color('gray', 5)}",
            background_color=rx.color("gray", 1),
        ),
        rx.el.main(
            *children,
            id="main",
            tab_index=-1,
            max_width=PORTAL_MAX_WIDTH,
            margin_x="auto",
            padding="1rem",
            padding_bottom="3rem",
            width="100%",
        ),
        lang=locale,
        min_height="100vh",
        background_color=rx.color("gray", 2),
    )


def page_heading(text, **props) -> rx.Component:
    return rx.heading(text, as_="h1", size="6", id="page-heading", tab_index=-1, **props)


def section(*children: rx.Component, **props) -> rx.Component:
    props.setdefault("width", "100%")
    return rx.card(rx.vstack(*children, spacing="3", width="100%"), size="2", **props)


def notice(message, tone: str = "blue", icon: str = "info", **props) -> rx.Component:
    """A message shown only when non-empty (role=status, or alert for red)."""
    return rx.cond(
        message != "",
        rx.callout(message, icon=icon, color_scheme=tone, role="alert" if tone == "red" else "status",
                   width="100%", **props),
    )


def labelled(label, control: rx.Component, *, html_for: str, error=None, hint=None) -> rx.Component:
    """A visible label above its control, with an optional hint and an in-place error."""
    items = [rx.el.label(label, html_for=html_for, style={"fontWeight": "500", "fontSize": "0.9rem"}), control]
    if hint is not None:
        items.append(rx.text(hint, size="1", color_scheme="gray"))
    if error is not None:
        items.append(rx.cond(error != "", rx.text(error, color_scheme="red", size="2", role="alert",
                                                   id=f"{html_for}-error")))
    return rx.vstack(*items, spacing="1", width="100%", align="stretch")
