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
    one_line,
)
from careconnect_app.documents.wording import DASH
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
    provider_phone_href: str  # "tel:+15555550142": a tap calls the provider
    call_label: str  # "Call Little Sprouts: (555) 555-0142"
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
    days_no_record: str
    no_record_note: str
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
    signed_on = format_date(request.signed_at, locale, whole=True) if request.signed_at else ""
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
class _Rows:
    """The rows a request's page is made of."""

    sheet: AttendanceSheet
    child: Child
    provider: Provider
    agency: Agency
    guardian: Guardian

    @classmethod
    def of(cls, session: Session, request: SigningRequest) -> _Rows:
        sheet = session.get(AttendanceSheet, request.sheet_id)
        provider = session.get(Provider, sheet.provider_id)
        return cls(sheet, session.get(Child, sheet.child_id), provider, session.get(Agency, provider.agency_id),
                   session.get(Guardian, request.guardian_id))

    @property
    def names(self) -> dict[str, str]:
        """The names the page's sentences are filled with."""
        return dict(provider=self.provider.name, agency=self.agency.name, child=self.child.first_name)


def _family(session: Session, request: SigningRequest, rows: _Rows, status: str, locale: str) -> FamilyView:
    sheet, provider, guardian = rows.sheet, rows.provider, rows.guardian
    phone = format_phone(provider.phone)
    days = attendance.build_days(attendance.entries_for(session, sheet.id))
    total = attendance.totals(days)
    day_rows = _period_rows(days, sheet.period_start, sheet.period_end, locale)
    missing = sum(1 for row in day_rows if not row["recorded"])
    return FamilyView(
        agency_name=rows.agency.name,
        provider_name=provider.name,
        provider_phone=phone,
        provider_phone_href=_tel(provider.phone),
        call_label=f'{t("parent.call_provider", locale, provider=provider.name)}: {one_line(phone)}',
        child_name=rows.child.full_name,
        guardian_name=guardian.full_name,
        period_label=format_period(sheet.period_start, sheet.period_end, locale, whole=True),
        expires_label=t("parent.landing.expires", locale, date=format_date(request.expires_at, locale, whole=True)),
        requires_verification=request.requires_verification,
        in_person=request.in_person,
        intro_text=t("parent.landing.intro", locale, **rows.names),
        review_intro=t("parent.review.intro", locale, **rows.names),
        consent_text=t("parent.sign.consent_text", locale, **rows.names),
        signing_as=t("parent.sign.signing_as", locale, name=guardian.full_name),
        footer_help=t("parent.footer.help", locale, provider=provider.name),
        channels=[
            {"value": channel, "label": t(f"parent.verify.channel.{channel}", locale),
             "masked": mask_contact(channel, verification.destination(guardian, channel))}
            for channel in verification.available_channels(guardian)
        ],
        days=day_rows,
        total_hours=format_minutes(total.minutes),
        days_present=str(total.days_present),
        days_absent=str(total.days_absent),
        days_no_record=str(missing),
        no_record_note=t("parent.review.no_record_note", locale, count=missing) if missing else "",
        dispute_text=request.dispute_text if status == LinkStatus.DISPUTED else "",
    )


def _tel(phone: str) -> str:
    """A tel: link for the stored (E.164) number, "" when there is none."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return f"tel:+{digits}" if digits else ""


def _period_rows(days: list[attendance.Day], start, end, locale: str) -> list[dict[str, str]]:
    """Every day of the period in order: its record, or a dash row when nothing was recorded (nothing hidden)."""
    recorded = {day.day: day for day in days}
    dates = sorted(set(recorded) | set(attendance.period_days(start, end)))
    return [_day_row(recorded[d], locale) if d in recorded else
            {"label": format_day(d, locale), "times": DASH, "hours": DASH, "absent": "", "recorded": ""}
            for d in dates]


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
        "hours": DASH if day.absent else format_minutes(day.minutes),
        "absent": "1" if day.absent else "",
        "recorded": "1",
    }
