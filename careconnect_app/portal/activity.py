"""The account and roster part of the audit trail: who invited, deactivated or edited which login,
child or guardian, for the providers a portal user may see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from careconnect_app.models import AuditEvent, Child, Guardian, PortalUser
from careconnect_app.portal import access

ACCOUNT_EVENTS = (
    "staff_invited", "staff_invite_resent", "staff_invite_accepted", "staff_deactivated", "staff_reactivated",
    "child_added", "child_updated", "child_deactivated", "child_reactivated",
    "guardian_added", "guardian_updated", "guardian_unlinked",
)
SCANNED = 1000  # newest events read to find a user's share (their agency's is most of it)


@dataclass(frozen=True)
class Activity:
    at: datetime
    event: str
    by: str  # the portal user who acted
    subject: str  # the login, child or guardian it concerns
    detail: dict


def _subject(session: Session, detail: dict) -> tuple[str, int | None, int | None]:
    """(name of what the event concerns, its provider id, its agency id)."""
    if "staff_user_id" in detail:
        user = session.get(PortalUser, access.as_id(detail["staff_user_id"]))
        name = f"{user.name} ({user.email})" if user else ""
        return name, detail.get("provider_id"), detail.get("agency_id")
    child = session.get(Child, access.as_id(detail.get("child_id")))
    guardian = session.get(Guardian, access.as_id(detail.get("guardian_id"))) if "guardian_id" in detail else None
    name = " · ".join(x.full_name for x in (child, guardian) if x is not None)
    return name, child.provider_id if child else None, None


def recent(session: Session, user: PortalUser, limit: int = 40) -> list[Activity]:
    """The newest account and roster changes within the user's scope, newest first."""
    providers = set(access.provider_ids(session, user))
    admin = access.is_admin(user)
    events = session.exec(select(AuditEvent).where(AuditEvent.event.in_(ACCOUNT_EVENTS))  # type: ignore[attr-defined]
                          .order_by(AuditEvent.id.desc()).limit(SCANNED))
    names: dict[int, str] = {}
    found = []
    for event in events:
        try:
            detail = json.loads(event.detail or "{}")
        except ValueError:
            continue
        subject, provider_id, agency_id = _subject(session, detail)
        visible = provider_id in providers or (admin and provider_id is None and agency_id == user.agency_id)
        if not visible:
            continue
        if event.user_id and event.user_id not in names:
            actor = session.get(PortalUser, event.user_id)
            names[event.user_id] = (actor.name or actor.email) if actor else ""
        found.append(Activity(event.created_at, event.event, names.get(event.user_id or 0, ""), subject, detail))
        if len(found) >= limit:
            break
    return found
