"""What the wizard shows for a link, read from the database as plain data (no Reflex import).

Runs on a worker thread (see pages/state_tools.py); `SignState._show` puts the result on the page.
Every var a browser receives is sent to it whether a step shows it or not, so a view carries only
what this browser may see now:

- a link that cannot be signed (unknown, expired, recalled, replaced, disputed, signed by another
  guardian): its status text only;
- a live link: the landing (agency, provider, the child's first name and initial, period, the
  masked contacts a code can go to); the attendance, full names and totals only once this
  browser verified, or where the agency needs no code;
- a signed link: the signed status; its reference and copy only for a browser that verified
  (again, on another day or phone) where the agency requires codes.

The field names of the parts are the names of the `SignState` vars they fill; an empty part
clears its vars, so nothing of an earlier answer stays in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from careconnect_app.clock import as_utc
from careconnect_app.common.family import Family
from careconnect_app.common.formatting import NBSP, format_date, format_period, format_phone, one_line, zone
from careconnect_app.common.masking import mask_contact, short_name
from careconnect_app.documents import rows as day_rows
from careconnect_app.i18n import t
from careconnect_app.messaging import signed_notices
from careconnect_app.models import SigningRequest
from careconnect_app.signing import canonical, verification
from careconnect_app.statuses import PARENT_VIEW, LinkStatus


@dataclass(frozen=True)
class LandingView:
    """Who sent what for which child and period: all a browser gets before the code."""

    agency_name: str = ""
    provider_name: str = ""
    provider_phone: str = ""
    provider_phone_href: str = ""  # "tel:+15555550142": a tap calls the provider
    call_label: str = ""  # "Call Little Sprouts: (555) 555-0142"
    child_name: str = ""  # first name and last initial
    period_label: str = ""
    expires_label: str = ""
    requires_verification: bool = False
    in_person: bool = False
    intro_text: str = ""
    footer_help: str = ""
    channels: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewView:
    """The attendance and full names: for a verified browser (or where no code is required)."""

    review_child: str = ""  # the child's full name
    review_intro: str = ""
    consent_text: str = ""
    signing_as: str = ""
    days: list[dict[str, str]] = field(default_factory=list)
    total_hours: str = ""  # "33 h 30 min"
    days_present: str = ""  # the day counts, as text
    days_absent: str = ""
    days_no_record: str = ""
    no_record_note: str = ""  # what a dash in the table means, when a day has no record
    # The hash of exactly what this page shows (backend-only: the review step records it).
    _shown_hash: str = ""


@dataclass(frozen=True)
class SignedView:
    """The receipt of a signed link; its reference and copy only for a verified browser."""

    signed_label: str = ""
    done_intro: str = ""  # when it was signed, and where the copy and the reference were sent
    reference: str = ""  # "CC-XXXX-XXXX"
    can_download: bool = False
    copy_needs_code: bool = False


@dataclass(frozen=True)
class LinkView:
    """One link outcome as the page shows it."""

    status: str
    status_body: str
    landing: LandingView = LandingView()
    review: ReviewView = ReviewView()
    signed: SignedView = SignedView()


def verified_channel(session: Session, request: SigningRequest, secret: str) -> str | None:
    """"" when no verification is needed, the channel when this browser verified, None when not.

    Asked several times in one handler (the guard, the step, the page read back): looked up once
    per database session.
    """
    if not request.requires_verification:
        return ""
    key = _verified_key(request, secret)
    if key not in session.info:
        session.info[key] = verification.session_channel(session, request, secret)
    return session.info[key]


def remember_verified(session: Session, request: SigningRequest, secret: str, channel: str) -> None:
    """The session this transaction just opened for `secret`: the page read back needs no query for it."""
    session.info[_verified_key(request, secret)] = channel


def _verified_key(request: SigningRequest, secret: str) -> tuple:
    return ("verified_channel", request.id, secret)


def read_view(session: Session, request: SigningRequest | None, status: str, locale: str, secret: str,
              rows: FamilyRows | None = None) -> LinkView:
    """Everything this browser may see of `request` with link outcome `status`, in `locale` (from
    `rows` when the caller already holds them)."""
    if request is None:
        body = t(f"parent.status.{status}.body", locale) if status in PARENT_VIEW else ""
        return LinkView(status, body)
    rows = rows or FamilyRows.of(session, request)
    # The day it was signed where the agency is (late evening in California is already tomorrow in UTC).
    agency_zone = zone(rows.agency.timezone)
    signed_on = (format_date(as_utc(request.signed_at).astimezone(agency_zone), locale, whole=True)
                 if request.signed_at else "")
    body = t(f"parent.status.{status}.body", locale, date=signed_on, **rows.names) if status != LinkStatus.OK else ""
    if status not in (LinkStatus.OK, LinkStatus.SIGNED):
        # Only the status, and the provider's business phone to call about it (no family data).
        return LinkView(status, body, _call_only(rows, locale))
    unlocked = verified_channel(session, request, secret) is not None
    landing = _landing(request, rows, locale)
    if status == LinkStatus.OK:
        return LinkView(status, body, landing, _review(session, request, rows, locale) if unlocked else ReviewView())
    signed = SignedView(
        signed_label=signed_on,
        done_intro=_done_intro(signed_notices.what_was_sent(session, request), signed_on, rows.names, locale),
        reference=request.reference if unlocked else "",
        can_download=unlocked,
        copy_needs_code=not unlocked,
    )
    return LinkView(status, body, landing, signed=signed)


class FamilyRows(Family):
    """The rows a request's page is made of."""

    @property
    def names(self) -> dict[str, str]:
        """The names the page's sentences are filled with (the child's first name only)."""
        return dict(provider=self.provider.name, agency=self.agency.name, child=self.child.first_name)


def _landing(request: SigningRequest, rows: FamilyRows, locale: str) -> LandingView:
    provider, guardian = rows.provider, rows.guardian
    return LandingView(
        agency_name=rows.agency.name,
        provider_name=provider.name,
        **_landing_call(rows, locale),
        child_name=short_name(rows.child.first_name, rows.child.last_name),
        period_label=format_period(rows.sheet.period_start, rows.sheet.period_end, locale, whole=True),
        expires_label=t("parent.landing.expires", locale, date=format_date(request.expires_at, locale, whole=True)),
        requires_verification=request.requires_verification,
        in_person=request.in_person,
        intro_text=t("parent.landing.intro", locale, **rows.names),
        footer_help=t("parent.footer.help", locale, provider=provider.name),
        channels=[
            {"value": channel, "label": t(f"parent.verify.channel.{channel}", locale),
             "masked": mask_contact(channel, verification.destination(guardian, channel))}
            for channel in verification.available_channels(guardian)
        ],
    )


def _stacked_day(label: str) -> str:
    """"Mon Nov 16" as "Mon" over "Nov 16": on a 390 px phone the times column then has room for
    "11:30 a. m. –", so a time range wraps after its dash and never leaves the dash alone."""
    return label.replace(NBSP, "\n", 1)


def _review(session: Session, request: SigningRequest, rows: FamilyRows, locale: str) -> ReviewView:
    # The page shows the canonical document: what is reviewed is exactly what is signed.
    document = canonical.document_for(session, request, locale)
    totals = day_rows.totals(document)
    return ReviewView(
        review_child=rows.child.full_name,
        review_intro=t("parent.review.intro", locale, **rows.names),
        consent_text=document["consent"]["text"],
        signing_as=t("parent.sign.signing_as", locale, name=rows.guardian.full_name),
        days=[{"label": _stacked_day(day.label), "times": day.times, "hours": day.hours, "absent": "1" if day.absent else "",
               "recorded": "1" if day.recorded else ""} for day in day_rows.day_rows(document, locale)],
        total_hours=totals.hours,
        days_present=str(totals.days_present),
        days_absent=str(totals.days_absent),
        days_no_record=str(totals.days_without_record),
        no_record_note=day_rows.no_record_note(totals.days_without_record, locale),
        _shown_hash=canonical.document_hash(document),
    )


def _call_only(rows: FamilyRows, locale: str) -> LandingView:
    full = _landing_call(rows, locale)
    return LandingView(provider_phone=full["provider_phone"], provider_phone_href=full["provider_phone_href"],
                       call_label=full["call_label"])


def _landing_call(rows: FamilyRows, locale: str) -> dict[str, str]:
    """The provider's phone as text, as a tel: link and as the call button's words ("" without a phone)."""
    phone = format_phone(rows.provider.phone)
    return {"provider_phone": phone, "provider_phone_href": _tel(rows.provider.phone),
            "call_label": f'{t("parent.call_provider", locale, provider=rows.provider.name)}: {one_line(phone)}'
            if phone else ""}


def _tel(phone: str) -> str:
    """A tel: link for the stored (E.164) number, "" when there is none."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return f"tel:+{digits}" if digits else ""


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
