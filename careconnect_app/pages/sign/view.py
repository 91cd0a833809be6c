"""What the wizard shows for a link, read from the database as plain data (no Reflex import).

Runs on a worker thread (see pages/state_tools.py); `SignState._show` puts the result on the page.
Field names of `FamilyView` and `SignedView` are the names of the `SignState` vars they fill.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from careconnect_app.clock import as_utc
from careconnect_app.common.family import Family
from careconnect_app.common.formatting import format_date, format_period, format_phone, zone
from careconnect_app.common.masking import mask_contact
from careconnect_app.documents import rows as day_rows
from careconnect_app.i18n import t
from careconnect_app.messaging import signed_notices
from careconnect_app.models import SigningRequest
from careconnect_app.signing import canonical, verification
from careconnect_app.statuses import PARENT_VIEW, LinkStatus


@dataclass(frozen=True)
class FamilyView:
    """The request's family, sheet and attendance in the reader's language."""

    agency_name: str
    provider_name: str
    provider_phone: str
    child_name: str
    guardian_name: str
    period_label: str
    expires_label: str
    requires_verification: bool
    in_person: bool
    intro_text: str
    review_intro: str
    consent_text: str
    signing_as: str
    footer_help: str
    channels: list[dict[str, str]]
    days: list[dict[str, str]]
    total_hours: str
    days_present: str
    days_absent: str
    no_record_note: str
    dispute_text: str
    # The hash of exactly what this page shows (backend-only: the review step records it).
    _shown_hash: str


@dataclass(frozen=True)
class SignedView:
    """The receipt of a signed link."""

    reference: str
    signed_label: str
    done_intro: str
    can_download: bool


@dataclass(frozen=True)
class LinkView:
    """One link outcome as the page shows it."""

    status: str
    status_body: str
    family: FamilyView | None = None  # None for unknown or rate-limited links: no family is named
    signed: SignedView | None = None  # only for a signed link


def verified_channel(session: Session, request: SigningRequest, secret: str) -> str | None:
    """"" when no verification is needed, the channel when this browser verified, None when not."""
    if not request.requires_verification:
        return ""
    return verification.session_channel(session, request, secret)


def read_view(session: Session, request: SigningRequest | None, status: str, locale: str, secret: str) -> LinkView:
    """Everything the page shows for `request` with link outcome `status`, in `locale`."""
    if request is None:
        body = t(f"parent.status.{status}.body", locale) if status in PARENT_VIEW else ""
        return LinkView(status, body)
    rows = _Rows.of(session, request)
    # The day it was signed where the agency is (late evening in California is already tomorrow in UTC).
    agency_zone = zone(rows.agency.timezone)
    signed_on = format_date(as_utc(request.signed_at).astimezone(agency_zone), locale) if request.signed_at else ""
    body = t(f"parent.status.{status}.body", locale, date=signed_on, **rows.names) if status != LinkStatus.OK else ""
    signed = None
    if status == LinkStatus.SIGNED:
        signed = SignedView(
            reference=request.reference,
            signed_label=signed_on,
            done_intro=_done_intro(signed_notices.what_was_sent(session, request), signed_on, rows.names, locale),
            can_download=verified_channel(session, request, secret) is not None,
        )
    return LinkView(status, body, _family(session, request, rows, status, locale), signed)


class _Rows(Family):
    """The rows a request's page is made of."""

    @property
    def names(self) -> dict[str, str]:
        """The names the page's sentences are filled with."""
        return dict(provider=self.provider.name, agency=self.agency.name, child=self.child.first_name)


def _family(session: Session, request: SigningRequest, rows: _Rows, status: str, locale: str) -> FamilyView:
    sheet, provider, guardian = rows.sheet, rows.provider, rows.guardian
    phone = format_phone(provider.phone)
    # The page shows the canonical document: what is reviewed is exactly what is signed.
    document = canonical.document_for(session, request, locale)
    totals = day_rows.totals(document)
    return FamilyView(
        agency_name=rows.agency.name,
        provider_name=provider.name,
        provider_phone=phone,
        child_name=rows.child.full_name,
        guardian_name=guardian.full_name,
        period_label=format_period(sheet.period_start, sheet.period_end, locale),
        expires_label=t("parent.landing.expires", locale, date=format_date(request.expires_at, locale)),
        requires_verification=request.requires_verification,
        in_person=request.in_person,
        intro_text=t("parent.landing.intro", locale, **rows.names),
        review_intro=t("parent.review.intro", locale, **rows.names),
        consent_text=document["consent"]["text"],
        signing_as=t("parent.sign.signing_as", locale, name=guardian.full_name),
        footer_help=t("parent.footer.help", locale, provider=provider.name, phone=phone),
        channels=[
            {"value": channel, "label": t(f"parent.verify.channel.{channel}", locale),
             "masked": mask_contact(channel, verification.destination(guardian, channel))}
            for channel in verification.available_channels(guardian)
        ],
        days=[{"label": day.label, "times": day.times, "hours": day.hours, "absent": "1" if day.absent else "",
               "recorded": "1" if day.recorded else ""} for day in day_rows.day_rows(document, locale)],
        total_hours=totals.hours,
        days_present=str(totals.days_present),
        days_absent=str(totals.days_absent),
        no_record_note=day_rows.no_record_note(totals.days_without_record, locale),
        dispute_text=request.dispute_text if status == LinkStatus.DISPUTED else "",
        _shown_hash=canonical.document_hash(document),
    )


def _done_intro(sent: signed_notices.WhatWasSent, signed_on: str, names: dict[str, str], locale: str) -> str:
    """When the signature was received and exactly what was sent to whom (nothing more)."""
    parts = [t("parent.done.intro", locale, date=signed_on)]
    if sent.copy_to:
        parts.append(t("parent.done.copy_email", locale, to=", ".join(sent.copy_to)))
    else:
        parts.append(t("parent.done.copy_download", locale))
    if sent.text_to:
        parts.append(t("parent.done.copy_text", locale, to=", ".join(sent.text_to)))
    who = {(True, True): "both", (True, False): "provider", (False, True): "agency", (False, False): "none"}
    parts.append(t(f"parent.done.certificate_{who[sent.provider, sent.agency]}", locale, **names))
    return " ".join(parts)
