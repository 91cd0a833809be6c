"""Database tables for the whole product (SQLModel).

All datetimes are timezone-aware UTC (`clock.utcnow()`), the same on SQLite and PostgreSQL.
Secrets are never stored in clear: tokens, codes and sessions are stored as hashes.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint, event
from sqlmodel import Field, Session, SQLModel

from careconnect_app.clock import utcnow

# Supporting tables (link tokens, live taps, sign-in security, limits, webhook receipts) live beside these; imported here
# so that `careconnect_app.models` names every table.
from careconnect_app.models_support import (  # noqa: F401
    AttendanceTap,
    ContactChange,
    LinkToken,
    LoginThrottle,
    PasswordReset,
    RateLimitHit,
    RecoveryCode,
    WebhookReceipt,
)


class Agency(SQLModel, table=True):
    """A child-care subsidy agency: it pays providers for parent-signed attendance."""

    id: int | None = Field(default=None, primary_key=True)
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

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Child(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Guardian(SQLModel, table=True):
    """A parent or guardian, with the contact of record the agency has on file."""

    id: int | None = Field(default=None, primary_key=True)
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
    sms_opt_changed_at: datetime | None = None
    email_undeliverable: bool = False
    email_undeliverable_reason: str = ""
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ChildGuardian(SQLModel, table=True):
    """Which guardians sign for which child."""

    __table_args__ = (UniqueConstraint("child_id", "guardian_id"),)
    id: int | None = Field(default=None, primary_key=True)
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
    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    period_start: date
    period_end: date
    # draft -> ready_for_parent -> signed; ready_for_parent -> recalled -> (edited) draft
    status: str = Field(default="draft", index=True)
    version: int = 1
    provider_certified_at: datetime | None = None
    submitted_at: datetime | None = None
    submitted_by_user_id: int | None = Field(default=None, foreign_key="portaluser.id")
    signed_at: datetime | None = None
    recalled_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def locked(self) -> bool:
        return self.status in ("ready_for_parent", "signed")


class AttendanceEntry(SQLModel, table=True):
    """One check-in/check-out pair on a day, or the day's absence."""

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="attendancesheet.id", index=True)
    day: date
    check_in: time | None = None
    check_out: time | None = None
    absent: bool = False
    absence_reason: str = ""


class SigningRequest(SQLModel, table=True):
    """One guardian asked to sign one sheet, reached through secret links (see LinkToken)."""

    id: int | None = Field(default=None, primary_key=True)
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
    opened_at: datetime | None = None
    verified_at: datetime | None = None
    reviewed_at: datetime | None = None
    signed_at: datetime | None = None
    recalled_at: datetime | None = None
    dispute_text: str = ""
    disputed_at: datetime | None = None
    in_person: bool = False
    # Verification abuse controls live here, not in browser state.
    failed_code_attempts: int = 0
    locked_until: datetime | None = None
    # Reminders sent so far (the reminder scheduler reads these).
    reminder_count: int = 0
    last_notified_at: datetime | None = None
    reference: str = ""  # set at signing, e.g. "CC-7F3K-9Q2M"
    # The guardian answered the post-signature notice with "this was not me".
    signature_disputed_at: datetime | None = None
    signature_dispute_text: str = ""


class VerificationCode(SQLModel, table=True):
    """A one-time code sent to the guardian's contact of record."""

    id: int | None = Field(default=None, primary_key=True)
    signing_request_id: int = Field(foreign_key="signingrequest.id", index=True)
    channel: str  # "email" | "sms"
    destination: str  # the contact it was sent to (binds the code to the channel)
    # HMAC-SHA256 keyed with the server secret; "" until the delivery worker makes the code
    # (the digits exist only in the message on its way to the guardian).
    code_hash: str = ""
    message_id: int | None = Field(default=None, foreign_key="outgoingmessage.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    attempts: int = 0
    consumed_at: datetime | None = None
    invalidated_at: datetime | None = None


class ParentSession(SQLModel, table=True):
    """Proof that this browser verified for a signing request (survives reloads and new tabs)."""

    id: int | None = Field(default=None, primary_key=True)
    signing_request_id: int = Field(foreign_key="signingrequest.id", index=True)
    session_hash: str = Field(index=True, unique=True)
    channel: str = ""  # verification channel, "" when the agency does not require it
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Signature(SQLModel, table=True):
    """The evidence of one signing: what was shown, the mark, who, when, from where."""

    id: int | None = Field(default=None, primary_key=True)
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
    consent_accepted_at: datetime | None = None
    # Exactly what was shown, canonical JSON, and its SHA-256.
    document_json: str = Field(sa_column=Column(Text, nullable=False))
    document_hash: str = Field(index=True)
    strokes_json: str = Field(sa_column=Column(Text, nullable=False))
    png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    reference: str = Field(index=True)
    # Where the code that verified this signer went, masked (j***@example.com), as it was at signing.
    code_destination_masked: str = ""
    # The evidence manifest (evidence/manifest.py): canonical JSON, its Ed25519 signature, the key's id.
    manifest_json: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    manifest_signature: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False, default=b""))
    manifest_key_id: str = ""
    # How the mark was made (statuses.SignatureMethod): drawn on the pad, or the full name typed and
    # adopted (typed_name; the server drew its image). Evidence: the PDFs print it.
    signature_method: str = Field(default="drawn", sa_column_kwargs={"server_default": "drawn"})
    typed_name: str = Field(default="", sa_column_kwargs={"server_default": ""})


class AuditEvent(SQLModel, table=True):
    """Append-only trail of every step, for the completion certificate.

    Hash-chained (common/audit.py): each event holds the hash of the event before it in its chain
    (one chain per sheet; events without a sheet form their own), and its own hash over its fields.
    """

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    event: str = Field(index=True)
    actor: str = "system"  # "parent" | "provider" | "agency" | "system"
    sheet_id: int | None = Field(default=None, foreign_key="attendancesheet.id", index=True)
    signing_request_id: int | None = Field(
        default=None, foreign_key="signingrequest.id", index=True
    )
    user_id: int | None = Field(default=None, foreign_key="portaluser.id")
    ip: str = ""
    user_agent: str = ""
    channel: str = ""
    detail: str = ""
    prev_hash: str = ""
    hash: str = Field(default="", index=True)


class AuditChainHead(SQLModel, table=True):
    """The newest event of each audit chain: writers lock it in turn, so a chain never forks.

    It also shows when events were cut off the end of a chain (its count and hash no longer match).
    """

    chain: str = Field(primary_key=True)  # "sheet:<id>", or "global" for events without a sheet
    last_hash: str = ""
    last_event_id: int | None = None
    length: int = 0


class OutgoingMessage(SQLModel, table=True):
    """Every email and SMS, written before any attempt to send it (the outbox).

    A link or code is never stored here: `text`/`html` hold `SECRET_SLOT` in its place, and the
    delivery worker makes the secret and fills it in the copy it hands to the backend.
    """

    id: int | None = Field(default=None, primary_key=True)
    channel: str  # "email" | "sms"
    to: str
    subject: str = ""
    text: str = Field(sa_column=Column(Text, nullable=False))
    html: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    locale: str = "en"
    kind: str  # "ready_to_sign" | "verification_code" | "reminder" | "problem_reported" | ...
    guardian_id: int | None = Field(default=None, foreign_key="guardian.id", index=True)
    signing_request_id: int | None = Field(
        default=None, foreign_key="signingrequest.id", index=True
    )
    sheet_id: int | None = Field(default=None, foreign_key="attendancesheet.id", index=True)
    # queued -> sending -> sent -> delivered | failed (permanent) ; retries go back to queued
    status: str = Field(default="queued", index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_by: str = ""
    claimed_at: datetime | None = None
    backend: str = ""
    provider_message_id: str = Field(default="", index=True)
    last_error: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    # Files rendered at send time (messaging/attachments.py): JSON list such as
    # [{"kind": "signed_copy", "sheet_id": 3}]. The message stores what to attach, never the file.
    attachments: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Set on a copy queued on the other channel after this message failed for good.
    fallback_for_id: int | None = Field(default=None, foreign_key="outgoingmessage.id", index=True)


class CookieTicket(SQLModel, table=True):
    """A session cookie on its way from an event handler to the browser (common/cookie_tickets.py).

    Reflex sets cookies from page scripts, which could then read them; instead the handler leaves
    the value here, sealed with a key derived from a one-time ticket that only the page receives,
    and a plain HTTP route trades the ticket for an HttpOnly cookie. The row holds the ticket's
    hash and the sealed value: neither opens the session without the ticket.
    """

    id: int | None = Field(default=None, primary_key=True)
    ticket_hash: str = Field(index=True, unique=True)
    cookie_name: str
    sealed_value: str
    max_age_seconds: int
    expires_at: datetime = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)


class PortalUser(SQLModel, table=True):
    """Provider staff and agency administrators who use the portal."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)
    name: str = ""
    password_hash: str
    role: str  # "provider" | "agency_admin"
    agency_id: int = Field(foreign_key="agency.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    # Provider staff who manage their provider's logins (invite, deactivate); agency admins manage all.
    is_owner: bool = False
    active: bool = True
    failed_logins: int = 0  # unused: consecutive failures are in LoginThrottle (unknown emails too)
    locked_until: datetime | None = None  # unused since growing delays replaced the lockout
    # The authenticator app's secret, encrypted (portal.two_factor); "" until enrolment is confirmed.
    totp_secret_ciphertext: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # A secret shown for enrolment, not yet confirmed with a code.
    totp_pending_ciphertext: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    totp_enabled_at: datetime | None = None
    # The newest 30-second TOTP step accepted: a code is never accepted twice.
    totp_last_step: int = 0
    password_changed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class StaffInvite(SQLModel, table=True):
    """A one-time link that lets an invited portal user set their password (then the login is active)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="portaluser.id", index=True)
    # SHA-256 of the link token; the token itself is only ever in the invitation email.
    token_hash: str = Field(index=True, unique=True)
    invited_by_user_id: int | None = Field(default=None, foreign_key="portaluser.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None  # a newer invitation, or the login was deactivated


class PortalSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="portaluser.id", index=True)
    session_hash: str = Field(index=True, unique=True)
    # "full", or a step of signing in still owed: "second_factor" or "enrol" (statuses.SessionStage).
    stage: str = "full"
    created_at: datetime = Field(default_factory=utcnow)
    # Every handler checks it: a session unused for the idle limit is over.
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None


# --- append-only evidence --------------------------------------------------------------------------
# Audit events and signatures are never changed or deleted. PostgreSQL refuses it with a trigger
# (migration 0006); here every database, SQLite included, refuses it through the ORM as well.

APPEND_ONLY = (AuditEvent, Signature)


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete evidence."""


def _refuse_change(_mapper, _connection, target) -> None:
    raise AppendOnlyError(f"{type(target).__name__} rows are append-only: they are never changed or deleted.")


def _refuse_bulk_change(state) -> None:
    """Bulk UPDATE/DELETE statements (session.exec(update(AuditEvent)...)) bypass the mapper events."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in {model.__tablename__ for model in APPEND_ONLY}:
        raise AppendOnlyError(f"{table.name} rows are append-only: they are never changed or deleted.")


for _model in APPEND_ONLY:
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
event.listen(Session, "do_orm_execute", _refuse_bulk_change)
