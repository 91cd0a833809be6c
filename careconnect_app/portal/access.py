"""Who may see and change what in the portal: roles and ownership, checked on every call.

Provider staff see their own provider's records; an agency admin sees every provider of the
agency. A record that exists but is not the user's is answered exactly like a missing one.
"""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, select

from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, PortalUser, Provider, SigningRequest
from careconnect_app.statuses import Actor, Role


def actor_of(user: PortalUser) -> Actor:
    """The audit actor for this user's actions."""
    return Actor.AGENCY if user.role == Role.AGENCY_ADMIN else Actor.PROVIDER


def is_admin(user: PortalUser | None) -> bool:
    return user is not None and user.role == Role.AGENCY_ADMIN


def may_edit_sheets(user: PortalUser | None) -> bool:
    """Only provider staff record, submit, recall and resend; the agency reads sheets as they are."""
    return user is not None and user.role == Role.PROVIDER


def provider_ids(session: Session, user: PortalUser | None) -> list[int]:
    """Providers whose records this user may see: their own, or all of their agency's."""
    if user is None:
        return []
    if user.role == Role.AGENCY_ADMIN:
        return list(session.exec(select(Provider.id).where(Provider.agency_id == user.agency_id)))
    if user.role == Role.PROVIDER and user.provider_id:
        provider = session.get(Provider, user.provider_id)
        return [provider.id] if provider is not None and provider.agency_id == user.agency_id else []
    return []


def providers_for(session: Session, user: PortalUser | None) -> list[Provider]:
    ids = provider_ids(session, user)
    if not ids:
        return []
    return list(session.exec(select(Provider).where(Provider.id.in_(ids)).order_by(Provider.name)))  # type: ignore[attr-defined]


def can_see_provider(session: Session, user: PortalUser | None, provider_id: int | None) -> bool:
    return provider_id is not None and provider_id in provider_ids(session, user)


Owned = TypeVar("Owned", AttendanceSheet, Child, Guardian)


def _owned_row(session: Session, user: PortalUser | None, model: type[Owned], row_id: object) -> Owned | None:
    """The row if it belongs to one of the user's providers, else None (same answer as missing)."""
    row_id = as_id(row_id)
    row = session.get(model, row_id) if row_id else None
    return row if row is not None and can_see_provider(session, user, row.provider_id) else None


def sheet_for(session: Session, user: PortalUser | None, sheet_id: object) -> AttendanceSheet | None:
    return _owned_row(session, user, AttendanceSheet, sheet_id)


def child_for(session: Session, user: PortalUser | None, child_id: object) -> Child | None:
    return _owned_row(session, user, Child, child_id)


def guardian_for(session: Session, user: PortalUser | None, guardian_id: object) -> Guardian | None:
    return _owned_row(session, user, Guardian, guardian_id)


def request_for(session: Session, user: PortalUser | None, request_id: object) -> SigningRequest | None:
    request_id = as_id(request_id)
    request = session.get(SigningRequest, request_id) if request_id else None
    if request is None or sheet_for(session, user, request.sheet_id) is None:
        return None
    return request


def agency_for_admin(session: Session, user: PortalUser | None) -> Agency | None:
    """The agency whose settings this user may change (admins only)."""
    return session.get(Agency, user.agency_id) if is_admin(user) else None


def as_id(value: object) -> int:
    """A record id from the browser (any client may send anything): 0 when not a valid id."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**31 else 0  # PostgreSQL integer ids
