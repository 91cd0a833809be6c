"""The portal's idle warning: a countdown in the page (assets/idle_timer.jsx) and an alert dialog.

The dialog is a Radix AlertDialog: role="alertdialog", focus moves into it and screen readers
read its title and text when it opens. The server ends the session whatever the page does.
"""

from __future__ import annotations

import reflex as rx
from reflex.event import no_args_event_spec

from careconnect_app.components.words import words


class IdleTimer(rx.Component):
    """Calls on_check when the warning is due, after the idle end, and every poll_seconds; renders nothing."""

    library = "$/public/idle_timer.jsx"
    tag = "IdleTimer"

    stamp: rx.Var[int]
    seconds_left: rx.Var[int]
    warn_seconds: rx.Var[int]
    poll_seconds: rx.Var[int]
    on_check: rx.EventHandler[no_args_event_spec]


def idle_guard(state) -> rx.Component:
    """The countdown and the "Stay signed in" dialog of a signed-in portal page (state: a PortalState)."""
    tr = words(state, "portal")
    return rx.fragment(
        rx.cond(state.signed_in, IdleTimer.create(stamp=state.idle_stamp, seconds_left=state.idle_left,
                                                  warn_seconds=state.idle_warn_seconds,
                                                  poll_seconds=state.idle_poll_seconds, on_check=state.idle_check)),
        rx.alert_dialog.root(
            rx.alert_dialog.content(
                rx.alert_dialog.title(tr["idle.title"]),
                rx.alert_dialog.description(state.idle_message, id="idle-message"),
                rx.flex(
                    rx.button(tr["idle.stay"], on_click=state.stay_signed_in, id="stay-signed-in", size="3",
                              min_height="44px", auto_focus=True),
                    rx.button(tr["idle.logout"], on_click=state.logout, variant="soft", color_scheme="gray",
                              size="3", min_height="44px"),
                    spacing="3", margin_top="1rem", wrap="wrap",
                ),
                id="idle-dialog",
                max_width="28rem",
            ),
            open=state.idle_warning,
        ),
    )
