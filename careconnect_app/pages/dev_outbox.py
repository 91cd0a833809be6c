"""Development only: the file outbox as a page, so a developer reads "their phone" in the browser."""

from __future__ import annotations

import json

import reflex as rx

from careconnect_app.config import get_settings


class OutboxState(rx.State):
    messages: list[dict[str, str]] = []

    @rx.event
    def load(self):
        """Newest first; never registered in production (see careconnect_app.py)."""
        if get_settings().is_prod:
            return
        path = get_settings().outbox_path
        rows = []
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines()[-200:]:
                try:
                    m = json.loads(line)
                except ValueError:
                    continue
                rows.append({k: str(m.get(k, "")) for k in ("channel", "to", "subject", "text", "kind", "created_at")})
        self.messages = list(reversed(rows))


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
        rx.button("Refresh", on_click=OutboxState.load, margin_y="1rem"),
        rx.vstack(rx.foreach(OutboxState.messages, _message), width="100%"),
        padding_y="2rem",
    )
