"""A child's record after it was added: edit the name and date of birth, deactivate and reactivate,
unlink a guardian. Each change is audited with what it was before.

While one of the child's sheets waits for a parent's signature, the record is frozen: the parent
must sign exactly what was submitted (recall the sheet first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from careconnect_app.common import audit
from careconnect_app.models import AttendanceSheet, Child, ChildGuardian, PortalUser, SigningRequest
from careconnect_app.portal import access, accounts, roster
from careconnect_app.statuses import OPEN_REQUEST_STATUSES, SheetStatus


@dataclass(frozen=True)
class ChildChange:
    """What a change did: the child (None when not the caller's), or the refused fields."""

    child: Child | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _waiting_sheet(session: Session, child_id: int) -> bool:
    stmt = select(AttendanceSheet.id).where(AttendanceSheet.child_id == child_id,
                                            AttendanceSheet.status == SheetStatus.READY_FOR_PARENT)
    return session.exec(stmt).first() is not None


def _record(session: Session, event: str, user: PortalUser, child: Child, ip: str, user_agent: str,
            **detail: object) -> None:
    audit.record(session, event, actor=accounts.actor_of(user), user_id=user.id, ip=ip, user_agent=user_agent,
                 detail={"child_id": child.id, "provider_id": child.provider_id, **detail})


def edit_child(session: Session, user: PortalUser, child_id: object, first_name: str, last_name: str,
               date_of_birth: str, *, ip: str = "", user_agent: str = "") -> ChildChange:
    """New name and date of birth (validated like a new child); the old values go in the audit trail."""
    child = access.child_for(session, user, child_id)
    if child is None:
        return ChildChange()
    checked = roster.check_child(first_name, last_name, date_of_birth)
    if _waiting_sheet(session, child.id):
        checked.errors["form"] = "roster.error.sheet_waiting"
    if not checked.ok:
        return ChildChange(child, dict(checked.errors))
    before = {"first_name": child.first_name, "last_name": child.last_name,
              "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else ""}
    for key, value in checked.values.items():
        setattr(child, key, value)
    after = {"first_name": child.first_name, "last_name": child.last_name,
             "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else ""}
    changed = [key for key in before if before[key] != after[key]]
    if changed:
        session.add(child)
        _record(session, "child_updated", user, child, ip, user_agent,
                before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return ChildChange(child)


def set_active(session: Session, user: PortalUser, child_id: object, active: bool, *, ip: str = "",
               user_agent: str = "") -> ChildChange:
    """Deactivate (off the dashboard; sheets and signatures kept) or reactivate a child."""
    child = access.child_for(session, user, child_id)
    if child is None:
        return ChildChange()
    if not active and _waiting_sheet(session, child.id):
        return ChildChange(child, {"form": "roster.error.sheet_waiting"})
    if child.active != bool(active):
        child.active = bool(active)
        session.add(child)
        _record(session, "child_reactivated" if active else "child_deactivated", user, child, ip, user_agent)
    return ChildChange(child)


def unlink_guardian(session: Session, user: PortalUser, child_id: object, guardian_id: object, *, ip: str = "",
                    user_agent: str = "") -> ChildChange:
    """The guardian no longer signs for this child (their record stays for other children and the
    evidence). Refused while they hold an open link to one of the child's sheets."""
    child = access.child_for(session, user, child_id)
    guardian = access.guardian_for(session, user, guardian_id)
    if child is None or guardian is None:
        return ChildChange()
    link = session.exec(select(ChildGuardian).where(ChildGuardian.child_id == child.id,
                                                    ChildGuardian.guardian_id == guardian.id)).first()
    if link is None:
        return ChildChange()
    open_request = session.exec(
        select(SigningRequest.id).join(AttendanceSheet, AttendanceSheet.id == SigningRequest.sheet_id)
        .where(AttendanceSheet.child_id == child.id, SigningRequest.guardian_id == guardian.id,
               SigningRequest.status.in_(OPEN_REQUEST_STATUSES))  # type: ignore[attr-defined]
    ).first()
    if open_request is not None:
        return ChildChange(child, {"form": "roster.error.guardian_has_link"})
    session.delete(link)
    _record(session, "guardian_unlinked", user, child, ip, user_agent, guardian_id=guardian.id)
    return ChildChange(child)
