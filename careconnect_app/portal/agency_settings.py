"""An agency's signing rules as its administrator changes them: check the form, store, audit.

New links use the stored rules; links already sent keep the lifetime they were issued with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session

from careconnect_app.common import audit
from careconnect_app.models import Agency
from careconnect_app.statuses import Actor

PERIOD_TYPES = ("weekly", "monthly")
LINK_LIFETIME_DAYS = range(1, 61)
# The deadline is a day of the following month, so it must exist in every month.
DEADLINE_DAYS = range(1, 29)


@dataclass(frozen=True)
class AgencySettings:
    """The rules an admin may change; the names are the Agency columns."""

    requires_verification: bool
    allow_in_person_signing: bool
    link_lifetime_days: int
    period_type: str
    submission_deadline_day: int
    require_provider_2fa: bool = False
    require_contact_change_approval: bool = False


def current(agency: Agency) -> AgencySettings:
    return AgencySettings(requires_verification=agency.requires_verification,
                          allow_in_person_signing=agency.allow_in_person_signing,
                          link_lifetime_days=agency.link_lifetime_days, period_type=agency.period_type,
                          submission_deadline_day=agency.submission_deadline_day,
                          require_provider_2fa=agency.require_provider_2fa,
                          require_contact_change_approval=agency.require_contact_change_approval)


def check(requires_verification: bool, link_lifetime_days: str, period_type: str, deadline_day: str, *,
          allow_in_person_signing: bool = False, require_provider_2fa: bool = False,
          require_contact_change_approval: bool = False) -> tuple[AgencySettings | None, dict[str, str]]:
    """The settings as typed in the form, or ({field: translation key of its error}) when any is wrong."""
    errors: dict[str, str] = {}
    lifetime = _whole_number(link_lifetime_days)
    deadline = _whole_number(deadline_day)
    if lifetime not in LINK_LIFETIME_DAYS:
        errors["link_lifetime_days"] = "settings.error.lifetime"
    if deadline not in DEADLINE_DAYS:
        errors["deadline_day"] = "settings.error.deadline"
    if period_type not in PERIOD_TYPES:
        errors["period_type"] = "settings.error.period"
    if errors:
        return None, errors
    return AgencySettings(requires_verification=bool(requires_verification),
                          allow_in_person_signing=bool(allow_in_person_signing), link_lifetime_days=lifetime,
                          period_type=period_type, submission_deadline_day=deadline,
                          require_provider_2fa=bool(require_provider_2fa),
                          require_contact_change_approval=bool(require_contact_change_approval)), {}


def save(session: Session, agency: Agency, settings: AgencySettings, *, user_id: int | None = None, ip: str = "",
         user_agent: str = "") -> Agency:
    """Store the settings; the audit event keeps what they were before."""
    before = asdict(current(agency))
    for name, value in asdict(settings).items():
        setattr(agency, name, value)
    session.add(agency)
    audit.record(session, "agency_settings_changed", actor=Actor.AGENCY, user_id=user_id, ip=ip,
                 user_agent=user_agent, detail={"before": before, "agency_id": agency.id})
    return agency


def _whole_number(text: str) -> int | None:
    try:
        return int(str(text).strip())
    except ValueError:
        return None
