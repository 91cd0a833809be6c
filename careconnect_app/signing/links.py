"""Signing links: issue one request per guardian and sheet, make its tokens, decide what a token may do.

A token is 256 random bits; only its SHA-256 is stored (models.LinkToken), never the token nor
anything it could be rebuilt from. A request has several tokens: the first (returned by
`issue`, for in-person signing, the demo and tests) and one per message that carries the link,
made by the delivery worker when it sends the message (`mint`). Every sign token of a request
stops when the request stops: its status decides. Links are built from the configured public
base URL, never from the request's Host header.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, insert
from sqlmodel import Session, select

from careconnect_app.clock import utcnow
from careconnect_app.common import rate_limit
from careconnect_app.common.crypto import new_token, sha256_hex
from careconnect_app.config import get_settings
from careconnect_app.models import Agency, AttendanceSheet, Guardian, LinkToken, SigningRequest
from careconnect_app.routes import VERIFY, not_me_path, sign_path
from careconnect_app.statuses import LINK_STATUS_OF_REQUEST, LinkStatus, RequestStatus, TokenPurpose

# Failed lookups allowed per IP before we stop answering (guessing protection).
UNKNOWN_TOKEN_LIMIT = 20
UNKNOWN_TOKEN_WINDOW = timedelta(minutes=10)
# How long the "this was not me" link of a post-signature notice works.
NOT_ME_LIFETIME = timedelta(days=90)


@dataclass
class LinkCheck:
    status: LinkStatus
    request: SigningRequest | None = None
    token: LinkToken | None = None

    @property
    def ok(self) -> bool:
        return self.status == LinkStatus.OK


def signing_url(token: str) -> str:
    return get_settings().base_url + sign_path(token)


def not_me_url(token: str) -> str:
    return get_settings().base_url + not_me_path(token)


def verify_url() -> str:
    """The public page where anyone checks a sealed copy."""
    return get_settings().base_url + VERIFY


def issue(
    session: Session,
    sheet: AttendanceSheet,
    guardian: Guardian,
    agency: Agency,
    *,
    in_person: bool = False,
    now: datetime | None = None,
) -> tuple[SigningRequest, str]:
    """Create a signing request and return it with its first token (shown once, never stored).

    An in-person request always needs the parent's code: the provider holds the device, so the
    code sent to the guardian's contact of record is what proves the guardian is there.
    """
    now = now or utcnow()
    request = SigningRequest(
        sheet_id=sheet.id,
        guardian_id=guardian.id,
        public_id=secrets.token_hex(6),
        sheet_version=sheet.version,
        requires_verification=agency.requires_verification or in_person,
        created_at=now,
        expires_at=now + timedelta(days=agency.link_lifetime_days),
        in_person=in_person,
        last_notified_at=now,
    )
    session.add(request)
    session.flush()
    return request, mint(session, request, now=now)


def mint(session: Session, request: SigningRequest | Row, purpose: TokenPurpose = TokenPurpose.SIGN, *,
         message_id: int | None = None, now: datetime | None = None, into: list[dict] | None = None) -> str:
    """A new token for the request (the caller puts it in one message); only its hash is kept.

    The row is written with the session's next flush, or, given `into`, appended there for the
    caller's `insert_tokens` (the worker's batches: one statement, no ORM object per token).
    """
    now = now or utcnow()
    token = new_token()
    expires = now + NOT_ME_LIFETIME if purpose == TokenPurpose.NOT_ME else None
    row = {"signing_request_id": request.id, "purpose": str(purpose), "token_hash": sha256_hex(token),
           "message_id": message_id, "created_at": now, "expires_at": expires, "used_at": None}
    if into is not None:
        into.append(row)
    else:
        session.add(LinkToken(**row))
    return token


def insert_tokens(session: Session, rows: list[dict]) -> None:
    """Write the tokens `mint(..., into=rows)` made, in the session's transaction."""
    if rows:
        session.connection().execute(insert(LinkToken.__table__), rows)


def _lookup(session: Session, token: str, purpose: TokenPurpose) -> tuple[SigningRequest, LinkToken] | None:
    if not token or len(token) > 128:
        return None
    # The token and its request in one round trip: every link opened (page, socket) starts here.
    found = session.exec(select(LinkToken, SigningRequest)
                         .join(SigningRequest, SigningRequest.id == LinkToken.signing_request_id)
                         .where(LinkToken.token_hash == sha256_hex(token))).first()
    if found is None:
        return None
    row, request = found
    if row.purpose != purpose:  # a "not me" token opens no signing page, and back
        return None
    return request, row


def find(session: Session, token: str, purpose: TokenPurpose = TokenPurpose.SIGN) -> SigningRequest | None:
    found = _lookup(session, token, purpose)
    return found[0] if found else None


def status_of(request: SigningRequest | Row, now: datetime | None = None) -> LinkStatus:
    """What a request's link may do right now (`request`: the row, or its id, status and expires_at)."""
    settled = LINK_STATUS_OF_REQUEST[RequestStatus(request.status)]
    if settled is not None:
        return settled
    if request.expires_at <= (now or utcnow()):
        return LinkStatus.EXPIRED
    return LinkStatus.OK


def check(session: Session, token: str, *, ip: str = "", now: datetime | None = None,
          purpose: TokenPurpose = TokenPurpose.SIGN) -> LinkCheck:
    """Resolve a presented token. Only misses count against the caller's IP.

    The token is looked up first: a real parent's link always answers, even from an address
    (a shared proxy, a school's Wi-Fi) that someone else used for guessing.
    """
    now = now or utcnow()
    found = _lookup(session, token, purpose)
    if found is not None:
        request, row = found
        return LinkCheck(status_of(request, now), request, row)
    if not ip:
        return LinkCheck(LinkStatus.UNKNOWN)
    key = f"link-miss:{ip}"
    if rate_limit.count(session, key, UNKNOWN_TOKEN_WINDOW, now) >= UNKNOWN_TOKEN_LIMIT:
        return LinkCheck(LinkStatus.RATE_LIMITED)
    rate_limit.hit(session, key, now)
    return LinkCheck(LinkStatus.UNKNOWN)
