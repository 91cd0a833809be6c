"""Database tables for the whole product (SQLModel).

All datetimes are timezone-aware UTC (`clock.utcnow()`), the same on SQLite and PostgreSQL.
Secrets are never stored in clear: tokens, codes and sessions are stored as hashes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from careconnect_app.clock import utcnow


class Agency(SQLModel, table=True):
    """A child-care subsidy agency: it pays providers for parent-signed attendance."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    # Parents must prove control of their contact (email/SMS code) before reviewing.
    requires_verification: bool = True
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
    """One child's attendance for one period; locked once submitted."""

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
    """One guardian asked to sign one sheet, reached through a secret link."""

    id: Optional[int] = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="attendancesheet.id", index=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    # SHA-256 of the link token; the token itself is only ever in the parent's message.
    token_hash: str = Field(index=True, unique=True)
    # The token encrypted with a key derived from CARECONNECT_SECRET_KEY (Fernet), so reminders,
    # fallbacks and "resend" rebuild the same link; lookups still go through token_hash only.
    token_ciphertext: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
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


class VerificationCode(SQLModel, table=True):
    """A one-time code sent to the guardian's contact of record."""

    id: Optional[int] = Field(default=None, primary_key=True)
    signing_request_id: int = Field(foreign_key="signingrequest.id", index=True)
    channel: str  # "email" | "sms"
    destination: str  # the contact it was sent to (binds the code to the channel)
    code_hash: str  # HMAC-SHA256 keyed with the server secret
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
    # How the mark was made (statuses.SignatureMethod): drawn on the pad, or the full name typed and
    # adopted (typed_name; the server drew its image). Evidence: the PDFs print it.
    signature_method: str = Field(default="drawn", sa_column_kwargs={"server_default": "drawn"})
    typed_name: str = Field(default="", sa_column_kwargs={"server_default": ""})


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
    """Every email and SMS, written before any attempt to send it (the outbox)."""

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
    failed_logins: int = 0
    locked_until: Optional[datetime] = None
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
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: Optional[datetime] = None


class RateLimitHit(SQLModel, table=True):
    """One counted action (token lookup, login, resend) for sliding-window limits."""

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
