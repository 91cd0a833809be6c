"""Signing links: issue one per guardian and sheet, and decide what a presented token may do.

The token is 256 random bits; only its SHA-256 is stored. Links are built from the configured
public base URL, never from the request's Host header.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from careconnect_app.clock import utcnow
from careconnect_app.common import rate_limit
from careconnect_app.common.crypto import decrypt_secret, encrypt_secret, new_token, sha256_hex
from careconnect_app.config import get_settings
from careconnect_app.models import Agency, AttendanceSheet, Guardian, SigningRequest
from careconnect_app.routes import sign_path
from careconnect_app.statuses import LINK_STATUS_OF_REQUEST, LinkStatus, RequestStatus

# Failed lookups allowed per IP before we stop answering (guessing protection).
UNKNOWN_TOKEN_LIMIT = 20
UNKNOWN_TOKEN_WINDOW = timedelta(minutes=10)


@dataclass
class LinkCheck:
    status: LinkStatus
    request: SigningRequest | None = None

    @property
    def ok(self) -> bool:
        return self.status == LinkStatus.OK


def signing_url(token: str) -> str:
    return get_settings().base_url + sign_path(token)


def rebuild_url(request: SigningRequest) -> str | None:
    """The link the guardian already has (reminders, resends), or None when it cannot be rebuilt."""
    token = decrypt_secret(request.token_ciphertext)
    if not token or sha256_hex(token) != request.token_hash:
        return None
    return signing_url(token)


def issue(
    session: Session,
    sheet: AttendanceSheet,
    guardian: Guardian,
    agency: Agency,
    *,
    in_person: bool = False,
    now: datetime | None = None,
) -> tuple[SigningRequest, str]:
    """Create a signing request and return it with its one-time-shown token."""
    now = now or utcnow()
    token = new_token()
    request = SigningRequest(
        sheet_id=sheet.id,
        guardian_id=guardian.id,
        token_hash=sha256_hex(token),
        token_ciphertext=encrypt_secret(token),  # reminders/resend rebuild the same link
        public_id=secrets.token_hex(6),
        sheet_version=sheet.version,
        requires_verification=agency.requires_verification and not in_person,
        created_at=now,
        expires_at=now + timedelta(days=agency.link_lifetime_days),
        in_person=in_person,
        last_notified_at=now,
    )
    session.add(request)
    session.flush()
    return request, token


def find(session: Session, token: str) -> SigningRequest | None:
    if not token or len(token) > 128:
        return None
    stmt = select(SigningRequest).where(SigningRequest.token_hash == sha256_hex(token))
    return session.exec(stmt).first()


def status_of(request: SigningRequest, now: datetime | None = None) -> LinkStatus:
    """What a request's link may do right now."""
    settled = LINK_STATUS_OF_REQUEST[RequestStatus(request.status)]
    if settled is not None:
        return settled
    if request.expires_at <= (now or utcnow()):
        return LinkStatus.EXPIRED
    return LinkStatus.OK


def check(session: Session, token: str, *, ip: str = "", now: datetime | None = None) -> LinkCheck:
    """Resolve a presented token. Only misses count against the caller's IP.

    The token is looked up first: a real parent's link always answers, even from an address
    (a shared proxy, a school's Wi-Fi) that someone else used for guessing.
    """
    now = now or utcnow()
    request = find(session, token)
    if request is not None:
        return LinkCheck(status_of(request, now), request)
    if not ip:
        return LinkCheck(LinkStatus.UNKNOWN)
    key = f"link-miss:{ip}"
    if rate_limit.count(session, key, UNKNOWN_TOKEN_WINDOW, now) >= UNKNOWN_TOKEN_LIMIT:
        return LinkCheck(LinkStatus.RATE_LIMITED)
    rate_limit.hit(session, key, now)
    return LinkCheck(LinkStatus.UNKNOWN)
