"""The sheet's messages panel: every email and SMS about the sheet with its delivery state, and a
warning for each parent no channel reached."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from careconnect_app.components.portal_layout import cell, data_table, disclosure, section
from careconnect_app.messaging import outbox
from careconnect_app.pages.portal.sheet.header import SheetState, SheetView, T
from careconnect_app.statuses import MESSAGE_STATUS_TONE, MessageStatus, RequestStatus

# After a submit or a resend: how often the table is read again while messages wait for the worker.
FOLLOW_CHECKS = (0.5, 1.0, 1.5) + (3.0,) * 19  # about a minute
WAITING = (MessageStatus.QUEUED, MessageStatus.SENDING)


class SheetMessagesState(SheetState):
    """Delivery states from the outbox (contacts masked by delivery_summary) and "unreachable" warnings."""

    messages: list[dict[str, str]] = []
    unreachable: list[str] = []

    @rx.event(background=True)
    async def follow_delivery(self):
        """Read the table again while the worker sends what was just queued (a minute at most)."""
        for pause in FOLLOW_CHECKS:
            await asyncio.sleep(pause)
            async with self:
                await self._refresh(SheetMessagesState)
                if not any(m["state"] in WAITING for m in self.messages):
                    return

    @staticmethod
    def _read(view: SheetView) -> dict[str, Any]:
        messages = [
            {"kind": view.t(f"message.kind.{m['kind']}"), "channel": m["channel"], "to": m["to"],
             "status": view.t(f"message.status.{m['status']}"), "state": m["status"],
             "attempts": str(m["attempts"]), "reason": m["last_error"] or "",
             "when": view.when(m["delivered_at"] or m["sent_at"] or m["failed_at"] or m["created_at"])}
            for m in outbox.delivery_summary(view.session, view.sheet.id)
        ]
        unreachable = [
            view.t("messages.unreachable", name=_guardian_name(view, r.guardian_id))
            for r in view.requests
            if r.status == RequestStatus.PENDING and not r.in_person and outbox.all_channels_failed(view.session, r.id)
        ]
        return {"messages": messages, "unreachable": unreachable}


def _guardian_name(view: SheetView, guardian_id: int) -> str:
    guardian = view.guardians.get(guardian_id)
    return guardian.full_name if guardian else ""


def _message_row(m: dict) -> rx.Component:
    return rx.el.tr(
        cell(T["col.time"], rx.text(m["when"], size="1")),
        cell(T["col.message"], m["kind"]),
        cell(T["col.channel"], m["channel"]),
        cell(T["col.to"], m["to"]),
        cell(T["col.status"], rx.badge(m["status"], color_scheme=rx.match(
            m["state"], *MESSAGE_STATUS_TONE.items(), "gray"), high_contrast=True)),
        cell(T["col.attempts"], m["attempts"]),
        cell(T["col.reason"], rx.text(m["reason"], size="1", style={"wordBreak": "break-word"})),
    )


def messages_panel() -> rx.Component:
    """Warnings first (always shown), then every message in a section closed by default."""
    return section(
        rx.foreach(SheetMessagesState.unreachable, lambda text: rx.callout(
            text, icon="triangle-alert", color_scheme="red", width="100%", class_name="unreachable")),
        disclosure(
            rx.heading(T["messages.title"], " (", SheetMessagesState.messages.length(), ")", as_="h2", size="4"),
            data_table([T[key] for key in ("col.time", "col.message", "col.channel", "col.to", "col.status",
                                           "col.attempts", "col.reason")],
                       SheetMessagesState.messages, _message_row, id="message-states"),
            id="messages-section",
        ),
    )
