"""One-time tickets that hand a session cookie from an event handler to the browser as HttpOnly.

Reflex sets its cookies from page scripts (so any script on the page can read them). Instead, a
handler that made a session calls `issue`: the value is sealed with a key derived from a fresh
ticket, the row keeps only the ticket's hash, and the page gets the ticket. The page posts the
ticket once to a plain HTTP route (api/session_cookie.py), which calls `redeem` and answers with
`Set-Cookie: ...; HttpOnly; SameSite=Strict` (and `Secure` on https). A ticket works once, for
two minutes; neither the row nor a backup of it opens the session without the ticket.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete
from sqlmodel import Session, select

from careconnect_app.clock import utcnow
from careconnect_app.models import CookieTicket

TICKET_LIFETIME = timedelta(minutes=2)
MAX_TICKET_LENGTH = 100
# The cookies a ticket may set (anything else is refused at redemption).
PARENT_SESSION_COOKIE = "cc_parent_session"
PORTAL_SESSION_COOKIE = "cc_portal_session"
COOKIE_NAMES = (PARENT_SESSION_COOKIE, PORTAL_SESSION_COOKIE)


@dataclass(frozen=True)
class CookieGrant:
    """What one redeemed ticket sets: an empty value deletes the cookie."""

    name: str
    value: str
    max_age_seconds: int


def _ticket_hash(ticket: str) -> str:
    return hashlib.sha256(f"cookie-ticket-id:{ticket}".encode()).hexdigest()


def _sealer(ticket: str) -> Fernet:
    """A key only the ticket's holder can derive (independent of the stored hash)."""
    key = hashlib.sha256(f"cookie-ticket-key:{ticket}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def issue(session: Session, cookie_name: str, value: str, max_age_seconds: int,
          now: datetime | None = None) -> str:
    """Leave `value` for the browser; returns the ticket the page redeems (value "" deletes)."""
    if cookie_name not in COOKIE_NAMES:
        raise ValueError(f"not a session cookie: {cookie_name!r}")
    now = now or utcnow()
    ticket = secrets.token_urlsafe(32)
    session.add(CookieTicket(ticket_hash=_ticket_hash(ticket), cookie_name=cookie_name,
                             sealed_value=_sealer(ticket).encrypt(value.encode()).decode("ascii"),
                             max_age_seconds=max_age_seconds if value else 0,
                             expires_at=now + TICKET_LIFETIME, created_at=now))
    return ticket


def redeem(session: Session, ticket: str, now: datetime | None = None) -> CookieGrant | None:
    """The cookie a ticket stands for, once: None for an unknown, used or expired ticket."""
    if not ticket or len(ticket) > MAX_TICKET_LENGTH:
        return None
    now = now or utcnow()
    row = session.exec(select(CookieTicket).where(CookieTicket.ticket_hash == _ticket_hash(ticket))).first()
    if row is None:
        return None
    # The DELETE decides: of two redemptions racing, only one removes the row.
    taken = session.exec(delete(CookieTicket).where(CookieTicket.id == row.id)).rowcount == 1
    if not taken or row.expires_at <= now or row.cookie_name not in COOKIE_NAMES:
        return None
    try:
        value = _sealer(ticket).decrypt(row.sealed_value.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None
    return CookieGrant(row.cookie_name, value, row.max_age_seconds)


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete tickets nobody redeemed in time."""
    return session.exec(delete(CookieTicket).where(CookieTicket.expires_at < (now or utcnow()))).rowcount


def cookie_value(header: str, name: str) -> str:
    """The value of cookie `name` in a Cookie request header ("" when absent)."""
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip().strip('"')[:MAX_TICKET_LENGTH]
    return ""
