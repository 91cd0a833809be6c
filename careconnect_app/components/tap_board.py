"""Reflex wrapper for today's board (assets/tap_board.jsx): big buttons and the offline queue.

    tap_board(cards=S.cards, day=S.day, status=S.board_status, acks=S.acks, ack_stamp=S.ack_stamp,
              labels=T.table("today.", "cancel"), locale=S.locale, login_url=routes.PORTAL_LOGIN,
              on_sync=S.sync, on_correct=S.open_correction)

`on_sync` receives a list of taps ``{"key", "child_id", "action", "reason", "tapped_at",
"sent_at", "offline"}`` (times in ms on the device's clock); the handler answers through `acks`
(``[{"key", "outcome"}]``) and a new `ack_stamp`. The payload is untrusted: check it with
``careconnect_app.portal.taps.parse_batch``.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec


class TapBoard(rx.Component):
    """The children of today with their buttons, and the taps waiting on this device."""

    library = "$/public/tap_board.jsx"
    tag = "TapBoard"

    # One dict per child: id, name, presence, locked, held, sheet_url, entries [{id, text, absent}].
    cards: rx.Var[list[dict[str, Any]]]
    # Today on the agency's calendar (ISO), "" until the server answered.
    day: rx.Var[str]
    # The agency's time zone: waiting taps show on the same clock as the recorded ones.
    timezone: rx.Var[str]
    # "loading" (no answer yet, e.g. offline), "ready", "signed_out" or "not_provider".
    status: rx.Var[str]
    # The server's answer to the last batch, and a number that changes with each answer.
    acks: rx.Var[list[dict[str, str]]]
    ack_stamp: rx.Var[int]
    # The portal's words (keys "today.*"), and the language for times.
    labels: rx.Var[dict[str, str]]
    locale: rx.Var[str]
    login_url: rx.Var[str]

    on_sync: rx.EventHandler[passthrough_event_spec(list[dict[str, Any]])]
    on_correct: rx.EventHandler[passthrough_event_spec(str)]


tap_board = TapBoard.create
