"""What the wizard shows for a link, read from the database as plain data (no Reflex import).

Runs on a worker thread (see pages/state_tools.py); `SignState._show` puts the result on the page.
Field names of `FamilyView` and `SignedView` are the names of the `SignState` vars they fill.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from careconnect_app import attendance
from careconnect_app.common.formatting import (
    format_date,
    format_day,
    format_minutes,
    format_period,
    format_phone,
    format_time_range,
)
from careconnect_app.common.masking import mask_contact
from careconnect_app.i18n import t
from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, Provider, SigningRequest
from careconnect_app.signing import verification
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
    dispute_text: str


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
    """"" when no verification is needed, the channel when this browser verified, None when not.

    Asked several times in one handler (the guard, the step, the page read back): looked up once
    per database session.
    """
    if not request.requires_verification:
        return ""
    key = ("verified_channel", request.id, secret)
    if key not in session.info:
        session.info[key] = verification.session_channel(session, request, secret)
    return session.info[key]


def read_view(session: Session, request: SigningRequest | None, status: str, locale: str, secret: str,
              rows: FamilyRows | None = None) -> LinkView:
    """Everything the page shows for `request` with link outcome `status`, in `locale` (from `rows`
    when the caller already holds them)."""
    if request is None:
        body = t(f"parent.status.{status}.body", locale) if status in PARENT_VIEW else ""
        return LinkView(status, body)
    rows = rows or FamilyRows.of(session, request)
    signed_on = format_date(request.signed_at, locale) if request.signed_at else ""
    body = t(f"parent.status.{status}.body", locale, date=signed_on, **rows.names) if status != LinkStatus.OK else ""
    signed = None
    if status == LinkStatus.SIGNED:
        signed = SignedView(
            reference=request.reference,
            signed_label=signed_on,
            done_intro=t("parent.done.intro", locale, date=signed_on, **rows.names),
            can_download=verified_channel(session, request, secret) is not None,
        )
    return LinkView(status, body, _family(session, request, rows, status, locale), signed)


@dataclass(frozen=True)
class FamilyRows:
    """The rows a request's page is made of."""

    sheet: AttendanceSheet
    child: Child
    provider: Provider
    agency: Agency
    guardian: Guardian

    @classmethod
    def of(cls, session: Session, request: SigningRequest) -> FamilyRows:
        sheet = session.get(AttendanceSheet, request.sheet_id)
        provider = session.get(Provider, sheet.provider_id)
        return cls(sheet, session.get(Child, sheet.child_id), provider, session.get(Agency, provider.agency_id),
                   session.get(Guardian, request.guardian_id))

    @property
    def names(self) -> dict[str, str]:
        """The names the page's sentences are filled with."""
        return dict(provider=self.provider.name, agency=self.agency.name, child=self.child.first_name)


def _family(session: Session, request: SigningRequest, rows: FamilyRows, status: str, locale: str) -> FamilyView:
    sheet, provider, guardian = rows.sheet, rows.provider, rows.guardian
    phone = format_phone(provider.phone)
    days = attendance.build_days(attendance.entries_for(session, sheet.id))
    total = attendance.totals(days)
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
        consent_text=t("parent.sign.consent_text", locale, **rows.names),
        signing_as=t("parent.sign.signing_as", locale, name=guardian.full_name),
        footer_help=t("parent.footer.help", locale, provider=provider.name, phone=phone),
        channels=[
            {"value": channel, "label": t(f"parent.verify.channel.{channel}", locale),
             "masked": mask_contact(channel, verification.destination(guardian, channel))}
            for channel in verification.available_channels(guardian)
        ],
        days=[_day_row(day, locale) for day in days],
        total_hours=format_minutes(total.minutes),
        days_present=str(total.days_present),
        days_absent=str(total.days_absent),
        dispute_text=request.dispute_text if status == LinkStatus.DISPUTED else "",
    )


def _day_row(day: attendance.Day, locale: str) -> dict[str, str]:
    """One row of the review table."""
    if day.absent and day.absence_reason:
        times = t("parent.review.absent_reason", locale, reason=day.absence_reason)
    elif day.absent:
        times = t("parent.review.absent", locale)
    else:
        times = "\n".join(format_time_range(start, end, locale) for start, end in day.pairs)
    return {
        "label": format_day(day.day, locale),
        "times": times,
        "hours": "—" if day.absent else format_minutes(day.minutes),
        "absent": "1" if day.absent else "",
    }
