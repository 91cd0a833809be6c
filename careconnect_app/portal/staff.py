"""Portal logins managed in the portal: invite by email (a one-time link to set a password),
deactivate, reactivate; each change audited.

A provider's owner manages their own provider's logins; an agency admin manages every login of
the agency (provider staff and other admins). Nobody deactivates their own login here. The
invitation token lives only in the email; the database keeps its SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select, update

from careconnect_app import routes
from careconnect_app.clock import utcnow
from careconnect_app.common import audit, rate_limit
from careconnect_app.common.crypto import new_token, sha256_hex
from careconnect_app.config import get_settings
from careconnect_app.messaging import compose
from careconnect_app.models import Agency, PortalSession, PortalUser, Provider, StaffInvite
from careconnect_app.portal import access, accounts
from careconnect_app.statuses import Role, StaffStatus

INVITE_LIFETIME = timedelta(days=7)
# Failed invitation-link lookups per client address (guessing a 256-bit token is hopeless; this
# keeps a scanner from filling the logs).
INVITE_MISS_LIMIT = 20
INVITE_MISS_WINDOW = timedelta(minutes=15)
ADMIN_CHOICE = "agency_admin"  # the role choice "agency administrator" (else a provider id)


def can_manage(user: PortalUser | None) -> bool:
    """Agency admins, and provider owners for their own provider."""
    return user is not None and (access.is_admin(user) or (user.role == Role.PROVIDER and user.is_owner))


def may_manage(actor: PortalUser, target: PortalUser) -> bool:
    """Whether `actor` may change `target`'s login (never their own)."""
    if not can_manage(actor) or actor.id == target.id or target.agency_id != actor.agency_id:
        return False
    return access.is_admin(actor) or (target.role == Role.PROVIDER and target.provider_id == actor.provider_id)


def _invites(session: Session, user_id: int) -> list[StaffInvite]:
    return list(session.exec(select(StaffInvite).where(StaffInvite.user_id == user_id).order_by(StaffInvite.id)))


def _accepted(invites: list[StaffInvite]) -> bool:
    """Whether the login ever had a password of its own (created with one, or an invitation used)."""
    return not invites or any(i.used_at for i in invites)


def status_of(session: Session, user: PortalUser, now: datetime | None = None) -> StaffStatus:
    if user.active:
        return StaffStatus.ACTIVE
    invites = _invites(session, user.id)
    open_invites = [i for i in invites if i.revoked_at is None and i.used_at is None]
    if _accepted(invites) or not open_invites:
        return StaffStatus.DEACTIVATED
    now = now or utcnow()
    return StaffStatus.INVITED if any(i.expires_at > now for i in open_invites) else StaffStatus.INVITE_EXPIRED


@dataclass(frozen=True)
class StaffMember:
    user: PortalUser
    status: StaffStatus
    provider_name: str  # "" for an agency admin
    manageable: bool


def staff_of(session: Session, actor: PortalUser) -> list[StaffMember]:
    """The logins `actor` may see: the agency's (admins), or their own provider's (provider staff)."""
    if access.is_admin(actor):
        users = select(PortalUser).where(PortalUser.agency_id == actor.agency_id)
    elif actor.provider_id:
        users = select(PortalUser).where(PortalUser.provider_id == actor.provider_id)
    else:
        return []
    names = {p.id: p.name for p in access.providers_for(session, actor)}
    now = utcnow()
    rows = session.exec(users.order_by(PortalUser.role, PortalUser.provider_id, PortalUser.name, PortalUser.id))
    return [StaffMember(u, status_of(session, u, now), names.get(u.provider_id, ""), may_manage(actor, u))
            for u in rows]


@dataclass(frozen=True)
class StaffChange:
    """What a staff action did: the login changed, or the reasons (translation keys by field)."""

    user: PortalUser | None = None
    errors: dict[str, str] = field(default_factory=dict)
    message_ids: list[int] = field(default_factory=list)


def _audit(session: Session, event: str, actor: PortalUser, target: PortalUser, ip: str, user_agent: str,
           **extra: object) -> None:
    audit.record(session, event, actor=accounts.actor_of(actor), user_id=actor.id, ip=ip, user_agent=user_agent,
                 detail={"staff_user_id": target.id, "provider_id": target.provider_id,
                         "agency_id": target.agency_id, **extra})


def _send_invite(session: Session, actor: PortalUser, user: PortalUser, locale: str,
                 now: datetime) -> list[int]:
    """Revoke the login's open invitations and email a new one-time link."""
    session.exec(update(StaffInvite).where(StaffInvite.user_id == user.id, StaffInvite.used_at.is_(None),
                                           StaffInvite.revoked_at.is_(None)).values(revoked_at=now))
    token = new_token()
    invite = StaffInvite(user_id=user.id, token_hash=sha256_hex(token), invited_by_user_id=actor.id,
                         created_at=now, expires_at=now + INVITE_LIFETIME)
    session.add(invite)
    scope = session.get(Provider, user.provider_id) if user.provider_id else session.get(Agency, user.agency_id)
    message = compose.queue_staff_invite(session, email=user.email, name=user.name, inviter=actor.name or actor.email,
                                         scope=scope.name if scope else "",
                                         url=get_settings().base_url + routes.portal_invite_path(token),
                                         expires=invite.expires_at, locale=locale)
    return [message.id]


def invite(session: Session, actor: PortalUser, *, email: str, name: str, role_choice: str, owner: bool,
           locale: str = "en", ip: str = "", user_agent: str = "") -> StaffChange:
    """A new login, inactive until its holder sets a password through the emailed link."""
    if not can_manage(actor):
        return StaffChange(errors={"form": "staff.error.not_allowed"})
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())[:80]
    if not name:
        errors["name"] = "roster.error.required"
    if access.is_admin(actor) and role_choice == ADMIN_CHOICE:
        role, provider_id = Role.AGENCY_ADMIN, None
    else:
        role = Role.PROVIDER
        provider_id = access.as_id(role_choice) if access.is_admin(actor) else actor.provider_id
        if not access.can_see_provider(session, actor, provider_id):
            errors["role"] = "account.error.provider"
    if errors:
        return StaffChange(errors=errors)
    try:
        user = accounts.create_user(session, email=email, name=name, password=new_token(), role=role,
                                    agency_id=actor.agency_id, provider_id=provider_id)
    except accounts.AccountError as exc:
        return StaffChange(errors={"email": exc.key.removeprefix("portal.")})
    user.active = False
    user.is_owner = bool(owner) and role == Role.PROVIDER
    session.add(user)
    now = utcnow()
    message_ids = _send_invite(session, actor, user, locale, now)
    _audit(session, "staff_invited", actor, user, ip, user_agent, role=role, owner=user.is_owner)
    return StaffChange(user=user, message_ids=message_ids)


def _managed(session: Session, actor: PortalUser, user_id: object) -> PortalUser | None:
    user = session.get(PortalUser, access.as_id(user_id)) if access.as_id(user_id) else None
    return user if user is not None and may_manage(actor, user) else None


def deactivate(session: Session, actor: PortalUser, user_id: object, *, ip: str = "",
               user_agent: str = "") -> StaffChange:
    """Stop a login at once: its sessions end and open invitations stop working."""
    user = _managed(session, actor, user_id)
    if user is None:
        return StaffChange(errors={"form": "staff.error.not_allowed"})
    now = utcnow()
    user.active = False
    session.add(user)
    session.exec(update(PortalSession).where(PortalSession.user_id == user.id, PortalSession.revoked_at.is_(None))
                 .values(revoked_at=now))
    session.exec(update(StaffInvite).where(StaffInvite.user_id == user.id, StaffInvite.used_at.is_(None),
                                           StaffInvite.revoked_at.is_(None)).values(revoked_at=now))
    _audit(session, "staff_deactivated", actor, user, ip, user_agent)
    return StaffChange(user=user)


def reactivate(session: Session, actor: PortalUser, user_id: object, *, locale: str = "en", ip: str = "",
               user_agent: str = "") -> StaffChange:
    """A deactivated login works again; one that never set its password gets a new invitation."""
    user = _managed(session, actor, user_id)
    if user is None:
        return StaffChange(errors={"form": "staff.error.not_allowed"})
    now = utcnow()
    if _accepted(_invites(session, user.id)):
        user.active = True
        session.add(user)
        _audit(session, "staff_reactivated", actor, user, ip, user_agent)
        return StaffChange(user=user)
    message_ids = _send_invite(session, actor, user, locale, now)
    _audit(session, "staff_invite_resent", actor, user, ip, user_agent)
    return StaffChange(user=user, message_ids=message_ids)


# --- the invitation link ---------------------------------------------------------------------


def open_invite(session: Session, token: str, *, ip: str = "",
                now: datetime | None = None) -> tuple[StaffInvite, PortalUser] | None:
    """The invitation behind a link, while it is unused, not revoked and not expired; else None."""
    now = now or utcnow()
    miss_key = f"invite-miss:{ip}"
    if ip and rate_limit.count(session, miss_key, INVITE_MISS_WINDOW, now) >= INVITE_MISS_LIMIT:
        return None
    row = None
    if token and len(token) <= 128:
        row = session.exec(select(StaffInvite).where(StaffInvite.token_hash == sha256_hex(token))).first()
    user = session.get(PortalUser, row.user_id) if row is not None else None
    if row is None or user is None or row.used_at or row.revoked_at or row.expires_at <= now:
        if ip:
            rate_limit.hit(session, miss_key, now)
        return None
    return row, user


def accept_invite(session: Session, token: str, password: str, repeat: str, *, ip: str = "",
                  user_agent: str = "") -> StaffChange:
    """Set the invited login's password and activate it; the link works once."""
    found = open_invite(session, token, ip=ip)
    if found is None:
        return StaffChange(errors={"form": "invite.error.invalid"})
    invite_row, user = found
    if len(password or "") < accounts.MIN_PASSWORD_LENGTH:
        return StaffChange(errors={"password": "account.error.password_short"})
    if password != repeat:
        return StaffChange(errors={"repeat": "invite.error.mismatch"})
    now = utcnow()
    user.password_hash = accounts.hash_password(password)
    user.active = True
    invite_row.used_at = now
    session.add(user)
    session.add(invite_row)
    audit.record(session, "staff_invite_accepted", actor=accounts.actor_of(user), user_id=user.id, ip=ip,
                 user_agent=user_agent, detail={"staff_user_id": user.id, "provider_id": user.provider_id,
                                                "agency_id": user.agency_id})
    return StaffChange(user=user)
