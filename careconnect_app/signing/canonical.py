"""The canonical document a parent signs: exactly what the review and sign steps show, as JSON, and its hash.

It lists every day of the period (a day without any record included, as the review shows it), the
totals, and the exact consent and certification texts in the signing language. The review screen,
the signed copy and the evidence manifest are all made from this one document.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from careconnect_app import attendance
from careconnect_app.clock import iso
from careconnect_app.common.crypto import canonical_json, sha256_hex
from careconnect_app.common.family import Family
from careconnect_app.i18n import t
from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, Provider, SigningRequest

__all__ = ["ShownTexts", "canonical_document", "canonical_json", "document_for", "document_hash", "shown_texts"]

DOCUMENT_SCHEMA = "careconnect.attendance.v2"
PARENT_CERTIFICATION_VERSION = "parent-cert-v1"
PROVIDER_CERTIFICATION_VERSION = "provider-cert-v1"
CONSENT_VERSION = "esign-consent-v1"
MAX_PERIOD_DAYS = 62  # a corrupt period must not list thousands of empty days


@dataclass(frozen=True)
class ShownTexts:
    """The statements the parent reads, in the signing language."""

    consent: str  # the disclosure on the sign step
    consent_agreement: str  # the box the parent ticks under it
    certification: str  # the box certifying the attendance
    provider_certification: str  # what the provider certified, shown under the days


def shown_texts(locale: str, *, provider: str, agency: str) -> ShownTexts:
    """The texts exactly as the wizard shows them in `locale`."""
    return ShownTexts(
        consent=t("parent.sign.consent_text", locale, provider=provider, agency=agency),
        consent_agreement=t("parent.sign.consent", locale),
        certification=t("parent.sign.certify", locale),
        provider_certification=t("parent.provider_certification", locale),
    )


def canonical_document(session: Session, sheet: AttendanceSheet, guardian: Guardian, *, locale: str,
                       texts: ShownTexts) -> dict:
    """Exactly what the parent is shown and signs, as plain JSON-ready data."""
    child = session.get(Child, sheet.child_id)
    provider = session.get(Provider, sheet.provider_id)
    agency = session.get(Agency, provider.agency_id) if provider else None
    recorded = {d.day: d for d in attendance.build_days(attendance.entries_for(session, sheet.id))}
    days = [_day(d, recorded.get(d)) for d in _listed_days(sheet, recorded)]
    total = attendance.totals(list(recorded.values()))
    return {
        "schema": DOCUMENT_SCHEMA,
        "agency": {"name": agency.name if agency else "", "timezone": agency.timezone if agency else "UTC"},
        "provider": {
            "name": provider.name if provider else "",
            "phone": provider.phone if provider else "",
            "email": provider.email if provider else "",
        },
        "child": {"name": child.full_name if child else ""},
        "guardian": {"name": guardian.full_name},
        "period": {"start": sheet.period_start.isoformat(), "end": sheet.period_end.isoformat()},
        "days": days,
        "totals": {"minutes": total.minutes, "days_present": total.days_present, "days_absent": total.days_absent,
                   "days_without_record": sum(1 for d in days if not d["recorded"])},
        "consent": {"version": CONSENT_VERSION, "text": texts.consent, "agreement": texts.consent_agreement},
        "certification": {"version": PARENT_CERTIFICATION_VERSION, "text": texts.certification},
        "provider_certification": {
            "version": PROVIDER_CERTIFICATION_VERSION,
            "text": texts.provider_certification,
            "submitted_at": iso(sheet.submitted_at),
        },
        "sheet_id": sheet.id,
        "sheet_version": sheet.version,
        "locale": locale,
    }


def _listed_days(sheet: AttendanceSheet, recorded: dict) -> list:
    """Every day of the period, and any recorded day outside it (never hidden), in date order."""
    dates = set(recorded)
    if 0 <= (sheet.period_end - sheet.period_start).days < MAX_PERIOD_DAYS:
        dates.update(attendance.period_days(sheet.period_start, sheet.period_end))
    return sorted(dates)


def _day(day, record: attendance.Day | None) -> dict:
    if record is None:
        return {"date": day.isoformat(), "recorded": False, "absent": False, "absence_reason": None, "pairs": [],
                "minutes": 0}
    return {
        "date": day.isoformat(),
        "recorded": True,
        "absent": record.absent,
        "absence_reason": record.absence_reason or None,
        "pairs": [{"in": a.strftime("%H:%M"), "out": b.strftime("%H:%M")} for a, b in record.pairs],
        "minutes": 0 if record.absent else record.minutes,
    }


def document_for(session: Session, request: SigningRequest, locale: str) -> dict:
    """The canonical document of a signing request as shown in `locale` today."""
    # One joined read the step's other reads share (by key, its rows were five round trips).
    family = Family.of(session, request)
    texts = shown_texts(locale, provider=family.provider.name, agency=family.agency.name)
    return canonical_document(session, family.sheet, family.guardian, locale=locale, texts=texts)


def document_hash(document: dict) -> str:
    return sha256_hex(canonical_json(document))


def attendance_part(document: dict) -> dict:
    """What the agency pays on: the sheet, its period, its days and totals (not names or texts).

    Verification compares this part of the signed document with the attendance rows as they are
    in the database now: an edit after signing shows, a provider's new phone number does not.
    """
    return {key: document.get(key) for key in ("sheet_id", "sheet_version", "period", "days", "totals")}
