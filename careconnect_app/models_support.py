"""Supporting tables: signing link tokens, the board's live taps, sign-in security (recovery codes, reset links, sign-in waits), held contact
changes, rate-limit hits and webhook receipts.

Re-exported by `careconnect_app.models` (import them from there); kept apart so each module stays short.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from careconnect_app.clock import utcnow

__all__ = ["AttendanceTap", "ContactChange", "LinkToken", "LoginThrottle", "PasswordReset", "RateLimitHit", "RecoveryCode", "WebhookReceipt"]


class RecoveryCode(SQLModel, table=True):
    """A single-use code that stands in for the authenticator app (ten per enrolment)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="portaluser.id", index=True)
    code_hash: str = Field(index=True)  # keyed HMAC of the normalised code
    created_at: datetime = Field(default_factory=utcnow)
    used_at: datetime | None = None


class PasswordReset(SQLModel, table=True):
    """A "forgot password" link: single use, 30 minutes; only the token's SHA-256 is kept."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="portaluser.id", index=True)
    token_hash: str = Field(index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Consecutive failed sign-in attempts of one account (or address): the wait grows with them."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True)  # "account:<sha256 of the email>" or "ip:<address>"
    failures: int = 0
    last_failure_at: datetime | None = None
    next_attempt_at: datetime | None = None


class ContactChange(SQLModel, table=True):
    """A guardian's new email or phone that waits for the agency's approval (an open request uses the old)."""

    id: int | None = Field(default=None, primary_key=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    old_email: str = ""
    old_phone: str = ""
    new_email: str = ""
    new_phone: str = ""
    # pending -> approved | denied | replaced (a newer change for the same guardian)
    status: str = Field(default="pending", index=True)
    requested_by_user_id: int | None = Field(default=None, foreign_key="portaluser.id")
    requested_at: datetime = Field(default_factory=utcnow)
    decided_by_user_id: int | None = Field(default=None, foreign_key="portaluser.id")
    decided_at: datetime | None = None


class RateLimitHit(SQLModel, table=True):
    """One counted action (token lookup, login, resend) for sliding-window limits."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class WebhookReceipt(SQLModel, table=True):
    """Delivery receipts already processed, so repeats are harmless."""

    id: int | None = Field(default=None, primary_key=True)
    source: str  # "twilio" | "sendgrid"
    external_id: str
    received_at: datetime = Field(default_factory=utcnow)
    __table_args__ = (UniqueConstraint("source", "external_id"),)


class AttendanceTap(SQLModel, table=True):
    """One tap on today's board (check in, check out, absent), kept as sent, whether or not it
    could go on the sheet. The sheet's entries are what the taps made of it, corrections included."""

    id: int | None = Field(default=None, primary_key=True)
    # A UUID made on the device for this tap: a retry after a lost answer is recognised, not re-recorded.
    idempotency_key: str = Field(index=True, unique=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    sheet_id: int | None = Field(default=None, foreign_key="attendancesheet.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="portaluser.id")
    action: str  # statuses.TapAction
    outcome: str  # statuses.TapOutcome
    # The time the tap counts for: the server's clock when it arrived at once; for a tap queued
    # offline, the device's time of the tap (corrected by the device clock's offset when sent).
    tapped_at: datetime
    day: date  # tapped_at on the agency's calendar
    local_time: time  # tapped_at on the agency's clock (what the sheet shows)
    device_tapped_at: datetime | None = None  # the device's own clock at the tap, as it said
    received_at: datetime = Field(default_factory=utcnow)
    offline: bool = False  # kept on the device and sent later
    absence_reason: str = ""


class LinkToken(SQLModel, table=True):
    """One secret link to a signing request; only the SHA-256 of its 256-bit token is stored.

    Each message carrying a link gets a token of its own, made when it is sent; every sign token
    of a request stops when the request stops (the request's status decides). A "not me" token
    (in the post-signature notice) can only report that the guardian did not sign.
    """

    id: int | None = Field(default=None, primary_key=True)
    signing_request_id: int = Field(foreign_key="signingrequest.id", index=True)
    purpose: str = "sign"  # statuses.TokenPurpose
    token_hash: str = Field(index=True, unique=True)
    message_id: int | None = Field(default=None, foreign_key="outgoingmessage.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None  # None: as its request; set on "not me" tokens
    used_at: datetime | None = None  # a "not me" token reports once
