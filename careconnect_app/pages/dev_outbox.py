"""Development only: the file outbox as a page, so a developer reads "their phone" in the browser.

It shows every code and link sent, so it answers only to this machine (a loopback client address,
by the same rule as everything else: common/client_address.py). A development server reachable
from the network (reflex run binds every interface) shows others nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import reflex as rx

from careconnect_app.common.client_address import is_loopback
from careconnect_app.config import get_settings
from careconnect_app.pages.state_tools import CallerMixin, off_loop

FIELDS = ("channel", "to", "subject", "text", "kind", "created_at")


def recent_messages(path: Path, limit: int = 200) -> list[dict[str, str]]:
    """The last `limit` messages of the outbox file, newest first (lines being written are skipped)."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[-limit:]:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        rows.append({k: str(message.get(k, "")) for k in FIELDS})
    return list(reversed(rows))


def may_read_outbox(client_ip: str) -> bool:
    """Development, and a browser on this machine (the address by the trusted-proxy rule)."""
    return not get_settings().is_prod and is_loopback(client_ip)


class OutboxState(CallerMixin, rx.State):
    """The messages shown."""

    messages: list[dict[str, str]] = []
    refused: bool = False

    @rx.event
    async def load(self):
        """Newest first, to this machine only; never registered in production (see careconnect_app.py)."""
        ip, _user_agent = self._client()
        self.refused = not may_read_outbox(ip)
        if self.refused:
            self.messages = []
            return
        self.messages = await off_loop(recent_messages, get_settings().outbox_path)


def _message(m: dict) -> rx.Component:
    return rx.card(
        rx.hstack(rx.badge(m["channel"]), rx.badge(m["kind"], variant="outline"), rx.text(m["to"], weight="bold"),
                  rx.text(m["created_at"], size="1", color_scheme="gray"), wrap="wrap"),
        rx.cond(m["subject"] != "", rx.text(m["subject"], weight="medium")),
        rx.text(m["text"], white_space="pre-wrap", size="2", class_name="outbox-text"),
        width="100%",
    )


def outbox_page() -> rx.Component:
    return rx.container(
        rx.heading("Development outbox", as_="h1", size="6", margin_bottom="1rem"),
        rx.text("Messages the app would have emailed or texted (CARECONNECT_OUTBOX). Development only."),
        rx.cond(OutboxState.refused, rx.callout("Only a browser on this machine may read the outbox.",
                                                icon="lock", color_scheme="red", id="outbox-refused")),
        rx.button("Refresh", on_click=OutboxState.load, margin_y="1rem"),
        rx.vstack(rx.foreach(OutboxState.messages, _message), width="100%"),
        padding_y="2rem",
    )
