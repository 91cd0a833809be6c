"""/portal/sheets/<id>: one child's sheet, composed of its panels (each beside its own substate)."""

from __future__ import annotations

import reflex as rx

from careconnect_app import routes
from careconnect_app.components.portal_layout import page_heading, section, signed_in_frame
from careconnect_app.pages.portal.sheet.evidence import evidence_panel
from careconnect_app.pages.portal.sheet.grid_view import grid_panel, submit_panel
from careconnect_app.pages.portal.sheet.header import SheetState, T, sheet_header
from careconnect_app.pages.portal.sheet.links import SheetLinksState, links_panel, problems
from careconnect_app.pages.portal.sheet.messages import SheetMessagesState, messages_panel
from careconnect_app.pages.portal.sheet.schedule import schedule_panel


def sheet_page() -> rx.Component:
    body = rx.vstack(
        sheet_header(),
        problems(),
        rx.cond(SheetState.signed, evidence_panel()),
        rx.cond(SheetLinksState.requests.length() > 0, links_panel()),
        rx.cond(SheetMessagesState.messages.length() > 0, messages_panel()),
        rx.cond(SheetState.editable, section(schedule_panel())),
        grid_panel(),
        rx.cond(SheetState.editable, submit_panel()),
        spacing="4",
        width="100%",
    )
    missing = section(
        page_heading(T["sheet.not_found_title"]),
        rx.text(T["sheet.not_found"], id="sheet-not-found"),
        rx.link(T["sheet.back"], href=routes.PORTAL),
    )
    return signed_in_frame(
        SheetState,
        rx.cond(SheetState.loaded, rx.cond(SheetState.found, body, missing),
                rx.center(rx.spinner(size="3"), padding="3rem")),
        current="dashboard",
    )
