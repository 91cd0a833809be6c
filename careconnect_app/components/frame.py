"""The page frame the parent pages and the provider portal share: skip link, header band, main column.

Each layout passes its own header contents (components/layout.py, components/portal_layout.py).
"""

from __future__ import annotations

import reflex as rx

SERVICE_NOTICE_ID = "service-notice"  # pages/errors.py writes a failed handler's message here


def skip_link(label: rx.Var | str) -> rx.Component:
    return rx.el.a(label, href="#main", class_name="cc-skip-link")


def centred_column(max_width: str) -> dict[str, str]:
    """Props of a header column no wider than the main column, centred, with side padding."""
    return {"max_width": max_width, "margin_x": "auto", "padding_x": "1rem"}


def brand(icon: str, title: rx.Var | str) -> rx.Component:
    """The icon and product name at the left of the header."""
    return rx.hstack(
        rx.icon(icon, size=22, aria_hidden="true", color=rx.color("accent", 11)),
        rx.text(title, weight="bold", size="4"),
        align="center",
        spacing="2",
    )


def header_bar(left: rx.Component, right: rx.Component, **props) -> rx.Component:
    """Left and right header contents, wrapping onto two lines on a narrow screen."""
    return rx.hstack(left, right, justify="between", align="center", width="100%", wrap="wrap", gap="0.5rem",
                     **props)


def service_notice() -> rx.Component:
    """A status region for a handler that failed (pages/errors.py), filled by `rx.set_value`, which
    needs no script, and its OK button, which empties it in the browser alone (the server may be
    away). While empty it is out of sight but stays a live region (assets/careconnect.css)."""
    return rx.box(
        rx.el.output(id=SERVICE_NOTICE_ID, class_name="cc-service-notice", role="status"),
        rx.el.button("OK", type="button", id=f"{SERVICE_NOTICE_ID}-ok", class_name="cc-service-ok",
                     on_click=rx.set_value(SERVICE_NOTICE_ID, "")),
        class_name="cc-service-box",
    )


def page_frame(*children: rx.Component, header: rx.Component, skip_label, lang, max_width: str,
               head: tuple[rx.Component, ...] = ()) -> rx.Component:
    """Skip link, the header band around `header`, and the main column (the skip link's target)."""
    return rx.box(
        *head,
        skip_link(skip_label),
        service_notice(),
        rx.el.header(
            header,
            border_bottom=f"1px solid {rx.color('gray', 5)}",
            background_color=rx.color("gray", 1),
        ),
        rx.el.main(
            *children,
            id="main",
            tab_index=-1,
            max_width=max_width,
            margin_x="auto",
            padding="1rem",
            padding_bottom="3rem",
            width="100%",
        ),
        lang=lang,
        class_name="cc-frame",
        min_height="100vh",
        background_color=rx.color("gray", 2),
    )
