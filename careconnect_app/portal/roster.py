"""Children and guardians: validation of what the provider types, and saving it.

Errors are translation keys under "portal." keyed by field, so the page shows each one in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from careconnect_app.i18n import SUPPORTED_LOCALES
from careconnect_app.models import Child, ChildGuardian, Guardian

DEFAULT_REGION = "US"
MAX_NAME = 80


@dataclass
class Checked:
    """Cleaned values, or errors by field (translation keys)."""

    values: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """"(555) 201-0123" -> "+15552010123"; None when it is not a possible number."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str | None:
    """A syntactically valid address in normal form, or None (no DNS look-up)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 254:
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def _name(values: dict, errors: dict, key: str, raw: str) -> None:
    text = " ".join((raw or "").split())
    if not text:
        errors[key] = "roster.error.required"
    elif len(text) > MAX_NAME:
        errors[key] = "roster.error.too_long"
    values[key] = text


def check_child(first_name: str, last_name: str, date_of_birth: str = "", today: date | None = None) -> Checked:
    out = Checked()
    _name(out.values, out.errors, "first_name", first_name)
    _name(out.values, out.errors, "last_name", last_name)
    dob = (date_of_birth or "").strip()
    out.values["date_of_birth"] = None
    if dob:
        try:
            parsed = date.fromisoformat(dob)
        except ValueError:
            out.errors["date_of_birth"] = "roster.error.date"
        else:
            if parsed > (today or date.today()) or parsed.year < 1990:
                out.errors["date_of_birth"] = "roster.error.date"
            out.values["date_of_birth"] = parsed
    return out


def check_guardian(
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    preferred_locale: str,
    notify_email: bool,
    notify_sms: bool,
) -> Checked:
    """Names required; at least one contact; each contact valid; each chosen channel has a contact."""
    out = Checked()
    _name(out.values, out.errors, "first_name", first_name)
    _name(out.values, out.errors, "last_name", last_name)
    email, phone = (email or "").strip(), (phone or "").strip()
    clean_email = normalise_email(email) if email else ""
    clean_phone = normalise_phone(phone) if phone else ""
    if email and clean_email is None:
        out.errors["email"] = "roster.error.email"
    if phone and clean_phone is None:
        out.errors["phone"] = "roster.error.phone"
    if not email and not phone:
        out.errors["email"] = "roster.error.contact_needed"
    if notify_email and not email and "email" not in out.errors:
        out.errors["email"] = "roster.error.email_for_channel"
    if notify_sms and not phone:
        out.errors["phone"] = "roster.error.phone_for_channel"
    if not notify_email and not notify_sms:
        out.errors["channels"] = "roster.error.channel_needed"
    locale = preferred_locale if preferred_locale in SUPPORTED_LOCALES else ""
    if not locale:
        out.errors["preferred_locale"] = "roster.error.locale"
    out.values.update(email=clean_email or "", phone=clean_phone or "", preferred_locale=locale or "en",
                      notify_email=bool(notify_email), notify_sms=bool(notify_sms))
    return out


def add_child(session: Session, provider_id: int, checked: Checked) -> Child:
    child = Child(provider_id=provider_id, **checked.values)
    session.add(child)
    session.flush()
    return child


def add_guardian(session: Session, child: Child, checked: Checked, relationship_label: str = "parent") -> Guardian:
    """A guardian of the child's provider, linked to the child."""
    guardian = Guardian(provider_id=child.provider_id, **checked.values)
    session.add(guardian)
    session.flush()
    session.add(ChildGuardian(child_id=child.id, guardian_id=guardian.id,
                              relationship_label=(relationship_label or "parent")[:40]))
    session.flush()
    return guardian


def update_guardian(session: Session, guardian: Guardian, checked: Checked) -> Guardian:
    """Replace the contact of record. A new address clears the old bounce / opt-out flags."""
    if checked.values["email"] != guardian.email:
        guardian.email_undeliverable = False
        guardian.email_undeliverable_reason = ""
    if checked.values["phone"] != guardian.phone:
        guardian.sms_opted_out = False
    for key, value in checked.values.items():
        setattr(guardian, key, value)
    session.add(guardian)
    session.flush()
    return guardian


def children_of(session: Session, provider_ids: list[int], *, active_only: bool = True) -> list[Child]:
    if not provider_ids:
        return []
    stmt = select(Child).where(Child.provider_id.in_(provider_ids))  # type: ignore[attr-defined]
    if active_only:
        stmt = stmt.where(Child.active == True)  # noqa: E712
    return list(session.exec(stmt.order_by(Child.last_name, Child.first_name, Child.id)))


def guardians_by_child(session: Session, child_ids: list[int]) -> dict[int, list[Guardian]]:
    if not child_ids:
        return {}
    stmt = (
        select(ChildGuardian.child_id, Guardian)
        .join(Guardian, Guardian.id == ChildGuardian.guardian_id)
        .where(ChildGuardian.child_id.in_(child_ids))  # type: ignore[attr-defined]
        .order_by(Guardian.id)
    )
    out: dict[int, list[Guardian]] = {}
    for child_id, guardian in session.exec(stmt):
        out.setdefault(child_id, []).append(guardian)
    return out
