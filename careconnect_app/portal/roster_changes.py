"""A portal user's changes to the roster: who may make them, the checks, saving, the audit event.

Error keys are translation keys under "portal." by field (portal.roster), shown in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from careconnect_app.common import audit
from careconnect_app.models import Child, PortalUser
from careconnect_app.portal import access, contact_changes, roster


def add_child(session: Session, user: PortalUser, first_name: str, last_name: str, date_of_birth: str,
              provider_choice: str = "", *, ip: str = "", user_agent: str = "") -> tuple[Child | None, dict[str, str]]:
    """Add a child to the user's provider (an admin's choice among the agency's): (child, {}) or (None, errors)."""
    checked = roster.check_child(first_name, last_name, date_of_birth)
    provider_id = access.as_id(provider_choice) if access.is_admin(user) else user.provider_id
    if not access.can_see_provider(session, user, provider_id):
        checked.errors["provider"] = "roster.error.provider"
    if not checked.ok:
        return None, dict(checked.errors)
    child = roster.add_child(session, provider_id, checked)
    audit.record(session, "child_added", actor=access.actor_of(user), user_id=user.id, ip=ip,
                 user_agent=user_agent, detail={"child_id": child.id})
    return child, {}


@dataclass(frozen=True)
class GuardianContact:
    """The guardian form as typed."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""  # as typed; saved in E.164 once it is checked
    preferred_locale: str = "en"  # "en" or "es": the language of their messages and pages
    notify_email: bool = True
    notify_sms: bool = False


@dataclass(frozen=True)
class GuardianSaved:
    """What saving did: who was saved for which child, or the refused fields, or why nothing happened."""

    guardian_id: int = 0  # 0: nothing saved
    guardian_name: str = ""
    child_name: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    no_child: bool = False  # the child is not (or no longer) the user's
    not_allowed: bool = False  # the guardian to edit is not one of the child's provider's
    contact_pending: bool = False  # the new email/phone waits for the agency's approval
    message_ids: list[int] = field(default_factory=list)  # notices to the old contact (the worker sends them)

    @property
    def contact_notice(self) -> str:
        """What to add to "saved" after a change of contact during an open request ("" when none)."""
        if self.contact_pending:
            return "roster.contact_pending"
        return "roster.contact_notified" if self.message_ids else ""


def save_guardian(session: Session, user: PortalUser, child_id: object, guardian_id: object,
                  contact: GuardianContact, *, ip: str = "", user_agent: str = "") -> GuardianSaved:
    """Add a guardian to the child (no guardian_id) or replace one guardian's contact of record."""
    child = access.child_for(session, user, child_id)
    if child is None:
        return GuardianSaved(no_child=True)
    checked = roster.check_guardian(contact.first_name, contact.last_name, contact.email, contact.phone,
                                    contact.preferred_locale, contact.notify_email, contact.notify_sms)
    if not checked.ok:
        return GuardianSaved(errors=dict(checked.errors))
    if guardian_id:
        guardian = access.guardian_for(session, user, guardian_id)
        if guardian is None or guardian.provider_id != child.provider_id:
            return GuardianSaved(not_allowed=True)
        # A new email or phone while a request is open: the old contact is told, the open sheets'
        # trails record it, and the agency may hold it for approval.
        edit = contact_changes.edit_contact(session, user, guardian, checked.values["email"],
                                            checked.values["phone"], ip=ip, user_agent=user_agent)
        checked.values.update(email=edit.email, phone=edit.phone)
        roster.update_guardian(session, guardian, checked)
        event = "guardian_updated"
    else:
        guardian = roster.add_guardian(session, child, checked)
        edit, event = contact_changes.ContactEdit(guardian.email, guardian.phone), "guardian_added"
    audit.record(session, event, actor=access.actor_of(user), user_id=user.id, ip=ip, user_agent=user_agent,
                 detail={"guardian_id": guardian.id, "child_id": child.id})
    return GuardianSaved(guardian_id=guardian.id, guardian_name=guardian.full_name, child_name=child.full_name,
                         contact_pending=edit.pending, message_ids=edit.message_ids)
