"""Database tables for the whole product (SQLModel).

All datetimes are timezone-aware UTC (`clock.utcnow()`), the same on SQLite and PostgreSQL.
Secrets are never stored in clear: tokens, codes and sessions are stored as hashes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from careconnect_app.clock import utcnow


class Agency(SQLModel, table=True):
    """A child-care subsidy agency: it pays providers for parent-signed attendance."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    # Parents must prove control of their contact (email/SMS code) before reviewing.
    requires_verification: bool = True
    # The provider may hand its device to a parent to sign there; a code still goes to the parent.
    allow_in_person_signing: bool = False
    link_lifetime_days: int = 14
    period_type: str = "monthly"  # "weekly" | "monthly"
    submission_deadline_day: int = 5  # day of the following month sheets are due
    timezone: str = "America/Los_Angeles"
    reminder_first_after_days: int = 2
    reminder_every_days: int = 3
    reminder_max_count: int = 4
    quiet_hours_start: int = 20  # local hour from which no reminder is sent
    quiet_hours_end: int = 8  # local hour until which no reminder is sent
    contact_phone: str = ""
    contact_email: str = ""
    # Provider staff must sign in with an authenticator app too (agency admins always must).
    require_provider_2fa: bool = False
    # A guardian's new email or phone, changed while a request of theirs is open, waits for an
    # agency admin's approval before codes and links use it.
    require_contact_change_approval: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Provider(SQLModel, table=True):
    """A child-care provider (centre or family child care home)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Child(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    first_name: str
    last_name: str
    date_of_birth: Optional[date] = None
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Guardian(SQLModel, table=True):
    """A parent or guardian, with the contact of record the agency has on file."""

    id: Optional[int] = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""  # E.164, e.g. +15555550123
    preferred_locale: str = "en"
    notify_email: bool = True
    notify_sms: bool = True
    # Set from delivery receipts: STOP replies and bounces.
    sms_opted_out: bool = False
    # When Twilio says the STOP/START that set sms_opted_out was sent: an older one never undoes it.
    sms_opt_changed_at: Optional[datetime] = None
    email_undeliverable: bool = False
    email_undeliverable_reason: str = ""
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ChildGuardian(SQLModel, table=True):
    """Which guardians sign for which child."""

    __table_args__ = (UniqueConstraint("child_id", "guardian_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    relationship_label: str = "parent"


class AttendanceSheet(SQLModel, table=True):
    """One child's attendance for one period; locked once submitted.

    Status changes go through `careconnect_app.sheets` (one conditional UPDATE each).
    """

    # One sheet per child and period: two "record" clicks must not start two sheets.
    __table_args__ = (Index("uq_attendancesheet_child_period", "child_id", "period_start", "period_end",
                            unique=True),)
    id: Optional[int] = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    period_start: date
    period_end: date
    # draft -> ready_for_parent -> signed; ready_for_parent -> recalled -> (edited) draft
    status: str = Field(default="draft", index=True)
    version: int = 1
    provider_certified_at: Optional[datetime] = None
    submitted_at: Optional[datetime] = None
    submitted_by_user_id: Optional[int] = Field(default=None, foreign_key="portaluser.id")
    signed_at: Optional[datetime] = None
    recalled_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def locked(self) -> bool:
        return self.status in ("ready_for_parent", "signed")


class AttendanceEntry(SQLModel, table=True):
    """One check-in/check-out pair on a day, or the day's absence."""

    id: Optional[int] = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="attendancesheet.id", index=True)
    day: date
    check_in: Optional[time] = None
    check_out: Optional[time] = None
    absent: bool = False
    absence_reason: str = ""


class SigningRequest(SQLModel, table=True):
    """One guardian asked to sign one sheet, reached through secret links (see LinkToken)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="attendancesheet.id", index=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    # Short public id for audit trails and support ("link id"), never the token.
    public_id: str = Field(index=True, unique=True)
    sheet_version: int = 1
    requires_verification: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    # pending -> signed | disputed (still signable after correction is a new request)
    # pending -> recalled | superseded (provider recalled / resubmitted)
    status: str = Field(default="pending", index=True)
    opened_at: Optional[datetime] = None
    verified_at: Optional[datetime] = None
    reviewed_at: Optional[datetime] = None
    signed_at: Optional[datetime] = None
    recalled_at: Optional[datetime] = None
    dispute_text: str = ""
    disputed_at: Optional[datetime] = None
    in_person: bool = False
    # Verification abuse controls live here, not in browser state.
    failed_code_attempts: int = 0
    locked_until: Optional[datetime] = None
    # Reminders sent so far (the reminder scheduler reads these).
    reminder_count: int = 0
    last_notified_at: Optional[datetime] = None
    reference: str = ""  # set at signing, e.g. "CC-7F3K-9Q2M"
    # The guardian answered the post-signature notice with "this was not me".
    signature_disputed_at: Optional[datetime] = None
    signature_dispute_text: str = ""


class LinkToken(SQLModel, table=True):
    """One secret link to a signing request; only the SHA-256 of its 256-bit token is stored.

    Each message carrying a link gets a token of its own, made when it is sent; every sign token
    of a request stops when the request stops (the request's status decides). A "not me" token
    (in the post-signature notice) can only report that the guardian did not sign.
    """

    id: Optional[int] = Field(default=None, primary_key=True)
    signing_request_id: int = Field(foreign_key="signingrequest.id", index=True)
    purpose: str = "sign"  # statuses.TokenPurpose
    token_hash: str = Field(index=True, unique=True)
    message_id: Optional[int] = Field(default=None, foreign_key="outgoingmessage.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: Optional[datetime] = None  # None: as its request; set on "not me" tokens
    used_at: Optional[datetime] = None  # a "not me" token reports once


class VerificationCode(SQLModel, table=True):
    """A one-time code sent to the guardian's contact of record."""

    id: Optional[int] = Field(default=None, primary_key=True)
    signing_request_id: int = Field(foreign_key="signingrequest.id", index=True)
    channel: str  # "email" | "sms"
    destination: str  # the contact it was sent to (binds the code to the channel)
    # HMAC-SHA256 keyed with the server secret; "" until the delivery worker makes the code
    # (the digits exist only in the message on its way to the guardian).
    code_hash: str = ""
    message_id: Optional[int] = Field(default=None, foreign_key="outgoingmessage.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    attempts: int = 0
    consumed_at: Optional[datetime] = None
    invalidated_at: Optional[datetime] = None


class ParentSession(SQLModel, table=True):
    """Proof that this browser verified for a signing request (survives reloads and new tabs)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    signing_request_id: int = Field(foreign_key="signingrequest.id", index=True)
    session_hash: str = Field(index=True, unique=True)
    channel: str = ""  # verification channel, "" when the agency does not require it
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Signature(SQLModel, table=True):
    """The evidence of one signing: what was shown, the mark, who, when, from where."""

    id: Optional[int] = Field(default=None, primary_key=True)
    # Unique: a request is signed once, even under double clicks or two tabs.
    signing_request_id: int = Field(foreign_key="signingrequest.id", unique=True)
    sheet_id: int = Field(foreign_key="attendancesheet.id", index=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    signer_name: str
    signed_at: datetime = Field(default_factory=utcnow)
    ip: str = ""
    user_agent: str = ""
    locale: str = "en"
    verification_channel: str = ""
    in_person: bool = False
    certification_version: str = ""
    consent_version: str = ""
    consent_accepted_at: Optional[datetime] = None
    # Exactly what was shown, canonical JSON, and its SHA-256.
    document_json: str = Field(sa_column=Column(Text, nullable=False))
    document_hash: str = Field(index=True)
    strokes_json: str = Field(sa_column=Column(Text, nullable=False))
    png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    reference: str = Field(index=True)
    # Where the code that verified this signer went, masked (j***@example.com), as it was at signing.
    code_destination_masked: str = ""


class AuditEvent(SQLModel, table=True):
    """Append-only trail of every step, for the completion certificate."""

    id: Optional[int] = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    event: str = Field(index=True)
    actor: str = "system"  # "parent" | "provider" | "agency" | "system"
    sheet_id: Optional[int] = Field(default=None, foreign_key="attendancesheet.id", index=True)
    signing_request_id: Optional[int] = Field(
        default=None, foreign_key="signingrequest.id", index=True
    )
    user_id: Optional[int] = Field(default=None, foreign_key="portaluser.id")
    ip: str = ""
    user_agent: str = ""
    channel: str = ""
    detail: str = ""


class OutgoingMessage(SQLModel, table=True):
    """Every email and SMS, written before any attempt to send it (the outbox).

    A link or code is never stored here: `text`/`html` hold `SECRET_SLOT` in its place, and the
    delivery worker makes the secret and fills it in the copy it hands to the backend.
    """

    id: Optional[int] = Field(default=None, primary_key=True)
    channel: str  # "email" | "sms"
    to: str
    subject: str = ""
    text: str = Field(sa_column=Column(Text, nullable=False))
    html: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    locale: str = "en"
    kind: str  # "ready_to_sign" | "verification_code" | "reminder" | "problem_reported" | ...
    guardian_id: Optional[int] = Field(default=None, foreign_key="guardian.id", index=True)
    signing_request_id: Optional[int] = Field(
        default=None, foreign_key="signingrequest.id", index=True
    )
    sheet_id: Optional[int] = Field(default=None, foreign_key="attendancesheet.id", index=True)
    # queued -> sending -> sent -> delivered | failed (permanent) ; retries go back to queued
    status: str = Field(default="queued", index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_by: str = ""
    claimed_at: Optional[datetime] = None
    backend: str = ""
    provider_message_id: str = Field(default="", index=True)
    last_error: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None
    delivered_at: Optional[datetime] = None
    failed_at: Optional[datetime] = None
    # Set on a copy queued on the other channel after this message failed for good.
    fallback_for_id: Optional[int] = Field(default=None, foreign_key="outgoingmessage.id", index=True)


class CookieTicket(SQLModel, table=True):
    """A session cookie on its way from an event handler to the browser (common/cookie_tickets.py).

    Reflex sets cookies from page scripts, which could then read them; instead the handler leaves
    the value here, sealed with a key derived from a one-time ticket that only the page receives,
    and a plain HTTP route trades the ticket for an HttpOnly cookie. The row holds the ticket's
    hash and the sealed value: neither opens the session without the ticket.
    """

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_hash: str = Field(index=True, unique=True)
    cookie_name: str
    sealed_value: str
    max_age_seconds: int
    expires_at: datetime = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)


class WebhookReceipt(SQLModel, table=True):
    """Delivery receipts already processed, so repeats are harmless."""

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str  # "twilio" | "sendgrid"
    external_id: str
    received_at: datetime = Field(default_factory=utcnow)
    __table_args__ = (UniqueConstraint("source", "external_id"),)


class PortalUser(SQLModel, table=True):
    """Provider staff and agency administrators who use the portal."""

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)
    name: str = ""
    password_hash: str
    role: str  # "provider" | "agency_admin"
    agency_id: int = Field(foreign_key="agency.id", index=True)
    provider_id: Optional[int] = Field(default=None, foreign_key="provider.id", index=True)
    # Provider staff who manage their provider's logins (invite, deactivate); agency admins manage all.
    is_owner: bool = False
    active: bool = True
    failed_logins: int = 0  # unused: consecutive failures are in LoginThrottle (unknown emails too)
    locked_until: Optional[datetime] = None  # unused since growing delays replaced the lockout
    # The authenticator app's secret, encrypted (portal.two_factor); "" until enrolment is confirmed.
    totp_secret_ciphertext: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # A secret shown for enrolment, not yet confirmed with a code.
    totp_pending_ciphertext: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    totp_enabled_at: Optional[datetime] = None
    # The newest 30-second TOTP step accepted: a code is never accepted twice.
    totp_last_step: int = 0
    password_changed_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)


class StaffInvite(SQLModel, table=True):
    """A one-time link that lets an invited portal user set their password (then the login is active)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="portaluser.id", index=True)
    # SHA-256 of the link token; the token itself is only ever in the invitation email.
    token_hash: str = Field(index=True, unique=True)
    invited_by_user_id: Optional[int] = Field(default=None, foreign_key="portaluser.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None  # a newer invitation, or the login was deactivated


class PortalSession(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="portaluser.id", index=True)
    session_hash: str = Field(index=True, unique=True)
    # "full", or a step of signing in still owed: "second_factor" or "enrol" (statuses.SessionStage).
    stage: str = "full"
    created_at: datetime = Field(default_factory=utcnow)
    # Every handler checks it: a session unused for the idle limit is over.
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: Optional[datetime] = None


class RecoveryCode(SQLModel, table=True):
    """A single-use code that stands in for the authenticator app (ten per enrolment)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="portaluser.id", index=True)
    code_hash: str = Field(index=True)  # keyed HMAC of the normalised code
    created_at: datetime = Field(default_factory=utcnow)
    used_at: Optional[datetime] = None


class PasswordReset(SQLModel, table=True):
    """A "forgot password" link: single use, 30 minutes; only the token's SHA-256 is kept."""

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="portaluser.id", index=True)
    token_hash: str = Field(index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: Optional[datetime] = None


class LoginThrottle(SQLModel, table=True):
    """Consecutive failed sign-in attempts of one account (or address): the wait grows with them."""

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True)  # "account:<sha256 of the email>" or "ip:<address>"
    failures: int = 0
    last_failure_at: Optional[datetime] = None
    next_attempt_at: Optional[datetime] = None


class ContactChange(SQLModel, table=True):
    """A guardian's new email or phone that waits for the agency's approval (an open request uses the old)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    old_email: str = ""
    old_phone: str = ""
    new_email: str = ""
    new_phone: str = ""
    # pending -> approved | denied | replaced (a newer change for the same guardian)
    status: str = Field(default="pending", index=True)
    requested_by_user_id: Optional[int] = Field(default=None, foreign_key="portaluser.id")
    requested_at: datetime = Field(default_factory=utcnow)
    decided_by_user_id: Optional[int] = Field(default=None, foreign_key="portaluser.id")
    decided_at: Optional[datetime] = None


class RateLimitHit(SQLModel, table=True):
    """One counted action (token lookup, login, resend) for sliding-window limits."""

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
