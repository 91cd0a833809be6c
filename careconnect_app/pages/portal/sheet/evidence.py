"""The signed sheet's evidence: signer, reference, document hash, the signature image, the audit
trail, and the two PDFs (rendered off the event loop)."""

from __future__ import annotations

import base64
from typing import Any

import reflex as rx

from careconnect_app import i18n
from careconnect_app.common import audit
from careconnect_app.common.formatting import format_date
from careconnect_app.components.portal_layout import cell, data_table, disclosure, section
from careconnect_app.models import AttendanceSheet
from careconnect_app.pages.portal.base_state import Caller
from careconnect_app.pages.portal.sheet.header import SheetState, SheetView, T
from careconnect_app.pages.state_tools import Session
from careconnect_app.portal import accounts
from careconnect_app.signing import evidence

# Each download: how the PDF is built, the audit event it records, the file name's start.
DOWNLOADS = {
    # The signed copy is always in the language the parent signed in, whoever downloads it.
    "signed": (lambda session, sheet, _locale: evidence.signed_attendance_pdf(session, sheet), "document_downloaded",
               "attendance"),
    "certificate": (evidence.completion_certificate_pdf, "certificate_downloaded", "certificate"),
}


def _event_label(event: str, locale: str) -> str:
    """The audit event's name in the page's language (portal texts first, then the PDF's)."""
    for key in (f"portal.event.{event}", f"documents.event.{event}"):
        text = i18n.t(key, locale)
        if text != key:
            return text
    return event


def _render_pdf(session: Session, caller: Caller, sheet: AttendanceSheet, kind: str,
                locale: str) -> tuple[bytes, str] | None:
    """(sealed PDF, file name) of a signed sheet, recorded in the audit trail; None when not signed.

    Runs in the handler's database thread (in_session), so rendering and sealing stay off the event loop.
    """
    build, event, name = DOWNLOADS[kind]
    result = build(session, sheet, locale)
    if result is None:
        return None
    pdf, reference = result
    audit.record(session, event, actor=accounts.actor_of(caller.user), sheet_id=sheet.id, user_id=caller.user.id,
                 ip=caller.ip, user_agent=caller.user_agent)
    return pdf, f"{name}-{reference}.pdf"


def _disputed_text(view: SheetView, request_id: int) -> str:
    """The guardian's "this was not me" on the signature, in the page's language ("" when none)."""
    request = next((r for r in view.requests if r.id == request_id), None)
    if request is None or request.signature_disputed_at is None:
        return ""
    text = view.t("signed.disputed_body", date=format_date(request.signature_disputed_at, view.locale))
    if request.signature_dispute_text:
        text += " " + view.t("signed.disputed_message", text=request.signature_dispute_text)
    return text


class SheetEvidenceState(SheetState):
    """What proves the signature: signer, time, reference, hash, how they were verified, the image."""

    signature_src: str = ""  # the drawn signature as a data: URL (PNG)
    signer: str = ""
    signed_at: str = ""  # in the provider's time zone and the page's language
    reference: str = ""  # "CC-XXXX-XXXX", what the parent's receipt shows
    document_hash: str = ""  # SHA-256 (hex) of the signed document
    verification: str = ""  # "Code by SMS · (***) ***-1861", and "in person" where it was
    provider_assisted: bool = False
    disputed: str = ""  # "the guardian says they did not sign", with when and their words
    audit_rows: list[dict[str, str]] = []

    @staticmethod
    def _read(view: SheetView) -> dict[str, Any]:
        sig = evidence.signature_of_sheet(view.session, view.sheet)
        if sig is None:
            return {"signature_src": "", "signer": "", "signed_at": "", "reference": "", "document_hash": "",
                    "verification": "", "provider_assisted": False, "disputed": "", "audit_rows": []}
        how = view.t(f"verification.{sig.verification_channel}" if sig.verification_channel else "verification.none")
        return {
            "provider_assisted": sig.in_person,
            "disputed": _disputed_text(view, sig.signing_request_id),
            "signature_src": "data:image/png;base64," + base64.b64encode(sig.png).decode("ascii"),
            "signer": sig.signer_name,
            "signed_at": view.when(sig.signed_at),
            "reference": sig.reference,
            "document_hash": sig.document_hash,
            "verification": how + (f" · {sig.code_destination_masked}" if sig.code_destination_masked else "")
            + (" · " + view.t("verification.in_person") if sig.in_person else ""),
            "audit_rows": [
                {"time": view.when(e.created_at), "event": _event_label(e.event, view.locale),
                 "actor": view.t(f"actor.{e.actor}"), "ip": e.ip or "—", "user_agent": e.user_agent or "—",
                 "channel": e.channel or "—"}
                for e in audit.events_for_sheet(view.session, view.sheet.id)
            ],
        }

    async def _download(self, kind: str):
        done = await self._on_sheet(_render_pdf, kind, self.locale, admin_may=True)
        if not done.ok or done.value is None:
            return done.redirect
        pdf, filename = done.value
        return rx.download(data=pdf, filename=filename)

    @rx.event
    async def download_signed(self):
        """The signed attendance PDF (exactly what the parent signed)."""
        return await self._download("signed")

    @rx.event
    async def download_certificate(self):
        """The completion certificate PDF (evidence and audit trail)."""
        return await self._download("certificate")


E = SheetEvidenceState


def _fact(label: str, value: rx.Component) -> rx.Component:
    return rx.box(rx.text(T[label], size="1", color_scheme="gray"), value)


def _audit_row(r: dict) -> rx.Component:
    return rx.el.tr(
        cell(T["col.time"], rx.text(r["time"], size="1")),
        cell(T["col.event"], r["event"]),
        cell(T["col.actor"], r["actor"]),
        cell(T["col.ip"], r["ip"]),
        cell(T["col.user_agent"], rx.text(r["user_agent"], size="1", style={"wordBreak": "break-word"})),
        cell(T["col.channel"], r["channel"]),
    )


def _signature() -> rx.Component:
    return section(
        rx.heading(T["signed.title"], as_="h2", size="4", id="signed-heading"),
        rx.cond(E.disputed != "", rx.callout(
            rx.vstack(rx.text(T["signed.disputed_title"], weight="bold"), rx.text(E.disputed), spacing="1"),
            icon="octagon-alert", color_scheme="red", width="100%", id="signature-disputed", role="alert")),
        rx.cond(E.provider_assisted, rx.badge(T["sheet.provider_assisted"], color_scheme="amber", size="2",
                                              high_contrast=True, id="provider-assisted",
                                              style={"whiteSpace": "normal"})),
        rx.grid(
            _fact("signed.signer", rx.text(E.signer, weight="medium")),
            _fact("signed.at", rx.text(E.signed_at)),
            _fact("signed.reference", rx.text(E.reference, weight="medium", id="signed-reference")),
            _fact("signed.verification", rx.text(E.verification)),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        _fact("signed.hash", rx.code(E.document_hash, id="document-hash", style={"wordBreak": "break-all"})),
        _fact("signed.signature", rx.image(src=E.signature_src, alt=T["signed.signature_alt"], id="signature-image",
                                           max_width="360px", width="100%", border=f"1px solid {rx.color('gray', 5)}",
                                           border_radius="6px", background_color="white")),
        rx.hstack(
            rx.button(rx.icon("file-down", size=16, aria_hidden="true"), T["signed.download_pdf"],
                      on_click=E.download_signed, id="download-signed", min_height="44px"),
            rx.button(rx.icon("file-badge", size=16, aria_hidden="true"), T["signed.download_certificate"],
                      on_click=E.download_certificate, variant="outline", id="download-certificate",
                      min_height="44px"),
            spacing="3",
            wrap="wrap",
        ),
    )


def evidence_panel() -> rx.Component:
    """The signature with its evidence and downloads, then the audit trail."""
    return rx.vstack(
        _signature(),
        section(disclosure(
            rx.heading(T["signed.audit"], " (", E.audit_rows.length(), ")", as_="h2", size="4"),
            data_table([T[key] for key in ("col.time", "col.event", "col.actor", "col.ip", "col.user_agent",
                                           "col.channel")],
                       E.audit_rows, _audit_row, id="audit-trail"),
            id="audit-section",
        )),
        spacing="4",
        width="100%",
    )
