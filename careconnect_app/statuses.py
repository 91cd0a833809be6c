"""Every status, kind and role in one place, with exhaustive maps to what each screen shows.

The values are the strings stored in the database. Each map below must name every member of its
enum (`_exhaustive` checks at import), so a new status cannot be forgotten in one screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SheetStatus(StrEnum):
    """An attendance sheet: draft -> ready_for_parent -> signed; ready_for_parent -> recalled -> draft."""

    DRAFT = "draft"
    READY_FOR_PARENT = "ready_for_parent"
    SIGNED = "signed"
    RECALLED = "recalled"


class RequestStatus(StrEnum):
    """One guardian's signing request (reached through their link)."""

    PENDING = "pending"  # may be opened, verified and signed
    SIGNED = "signed"
    DISPUTED = "disputed"  # the parent reported a problem; waits for a corrected sheet
    RECALLED = "recalled"  # the provider took the sheet back
    SUPERSEDED = "superseded"  # replaced by a newer link for the same guardian (resend)
    CLOSED = "closed"  # another guardian of the child signed the sheet


class LinkStatus(StrEnum):
    """What a presented link may do right now (what the parent's page shows)."""

    OK = "ok"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    RECALLED = "recalled"
    SIGNED = "signed"
    SIGNED_BY_OTHER = "signed_by_other"
    SUPERSEDED = "superseded"
    DISPUTED = "disputed"
    RATE_LIMITED = "rate_limited"


class NotMeStatus(StrEnum):
    """The "this was not me" page of the notice sent after a signature."""

    OPEN = "open"  # may report
    REPORTED = "reported"  # reported just now
    ALREADY_REPORTED = "already_reported"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    RATE_LIMITED = "rate_limited"


class MessageStatus(StrEnum):
    """An outbox message: queued -> sending -> sent -> delivered | failed; retries go back to queued."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


class MessageKind(StrEnum):
    READY_TO_SIGN = "ready_to_sign"
    REMINDER = "reminder"
    RESEND = "resend"
    VERIFICATION_CODE = "verification_code"
    PROBLEM_REPORTED = "problem_reported"
    SIGNED_NOTICE = "signed_notice"  # to the guardian after every signature, with a "not me" link
    SIGNATURE_DISPUTED = "signature_disputed"  # to the provider and agency: "the guardian did not sign"
    CONTACT_CHANGED = "contact_changed"  # to the guardian's old contact
    PASSWORD_RESET = "password_reset"  # the portal user's one-time reset link
    ACCOUNT_SECURITY = "account_security"  # password changed, two-step sign-in turned on
    COMPLETION_CERTIFICATE = "completion_certificate"  # to the provider and the agency, the certificate attached
    STAFF_INVITE = "staff_invite"  # a portal login's one-time link to set a password


class TokenPurpose(StrEnum):
    """What a link token may do (models.LinkToken)."""

    SIGN = "sign"  # open the signing wizard of its request
    NOT_ME = "not_me"  # only report that the guardian did not sign (post-signature notice)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class SignatureMethod(StrEnum):
    """How the parent made their mark."""

    DRAWN = "drawn"  # with a finger or a mouse on the pad
    TYPED = "typed"  # the full name typed and adopted (the server draws it)


class Role(StrEnum):
    PROVIDER = "provider"
    AGENCY_ADMIN = "agency_admin"


class SessionStage(StrEnum):
    """How far a portal session got: only FULL sessions may do anything but the step they owe."""

    FULL = "full"
    SECOND_FACTOR = "second_factor"  # password checked; the authenticator code is owed
    ENROL = "enrol"  # password checked; the user must set up an authenticator app first


class ContactChangeStatus(StrEnum):
    """A guardian's new contact waiting for the agency's approval (agency setting)."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    REPLACED = "replaced"  # a newer change for the same guardian took its place


class StaffStatus(StrEnum):
    """A portal login as the staff page shows it."""

    ACTIVE = "active"
    INVITED = "invited"  # the invitation link is out and unused
    INVITE_EXPIRED = "invite_expired"  # never accepted, and the link has expired
    DEACTIVATED = "deactivated"


class Actor(StrEnum):
    """Who did something, as the audit trail records it."""

    PARENT = "parent"
    PROVIDER = "provider"
    AGENCY = "agency"
    SYSTEM = "system"


class PortalStatus(StrEnum):
    """The one status the provider portal shows for a child's sheet of a period."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    READY = "ready"
    OPENED = "opened"
    VERIFIED = "verified"
    PROBLEM = "problem"
    EXPIRED = "expired"
    SIGNED = "signed"
    SIGNATURE_DISPUTED = "signature_disputed"  # signed, but the guardian says it was not them


class TapAction(StrEnum):
    """What a provider tapped on today's board for one child."""

    CHECK_IN = "check_in"
    CHECK_OUT = "check_out"
    ABSENT = "absent"


class Presence(StrEnum):
    """Where a child is today, as the board reads the day's entries (what its big button does next)."""

    OUT = "out"  # not checked in (or checked out): the button checks in
    IN = "in"  # checked in and not out yet: the button checks out
    ABSENT = "absent"  # marked absent today


class AttendanceEvent(StrEnum):
    """Audit-trail events of a sheet built from live taps."""

    TAPPED = "attendance_tapped"  # a tap went on the sheet
    TAP_NOT_RECORDED = "attendance_tap_not_recorded"  # a tap was kept but could not go on the sheet
    CORRECTED = "attendance_corrected"  # a tapped day was changed (board, with a reason; or grid)


class TapOutcome(StrEnum):
    """What became of one tap sent from the board (each is answered once per idempotency key)."""

    RECORDED = "recorded"  # on the period's sheet
    DUPLICATE = "duplicate"  # this key was recorded before (a retry after a lost answer)
    LOCKED = "locked"  # kept, but the sheet was already submitted: not on the sheet
    TOO_OLD = "too_old"  # kept, but older than a device may hold a tap: not on the sheet
    INACTIVE = "inactive"  # kept, but the child was taken off the roster: not on the sheet
    REFUSED = "refused"  # not this login's child (or not a child at all): nothing kept


# The device may forget a tap once the server keeps it (recorded or not); a refused tap stays on the
# device until the provider removes it (another login of the same phone may own that child).
TAP_OUTCOME_KEPT_ON_SERVER: dict[TapOutcome, bool] = {
    TapOutcome.RECORDED: True,
    TapOutcome.DUPLICATE: True,
    TapOutcome.LOCKED: True,
    TapOutcome.TOO_OLD: True,
    TapOutcome.INACTIVE: True,
    TapOutcome.REFUSED: False,
}


# --- what each request status means for its link ---------------------------------------------------

# None: the link is live; whether it has expired is decided by its date (signing.links.status_of).
LINK_STATUS_OF_REQUEST: dict[RequestStatus, LinkStatus | None] = {
    RequestStatus.PENDING: None,
    RequestStatus.SIGNED: LinkStatus.SIGNED,
    RequestStatus.DISPUTED: LinkStatus.DISPUTED,
    RequestStatus.RECALLED: LinkStatus.RECALLED,
    RequestStatus.SUPERSEDED: LinkStatus.SUPERSEDED,
    RequestStatus.CLOSED: LinkStatus.SIGNED_BY_OTHER,
}

# Requests whose link still leads somewhere the provider can act on (recall stops them).
OPEN_REQUEST_STATUSES = (RequestStatus.PENDING, RequestStatus.DISPUTED)


@dataclass(frozen=True)
class ParentView:
    """How the parent's page presents a link outcome: an icon and a colour beside the texts
    `parent.status.<status>.title` / `.body` (ok shows the wizard instead)."""

    icon: str
    tone: str


PARENT_VIEW: dict[LinkStatus, ParentView] = {
    LinkStatus.OK: ParentView("signature", "blue"),
    LinkStatus.UNKNOWN: ParentView("link-2-off", "red"),
    LinkStatus.EXPIRED: ParentView("clock-alert", "orange"),
    LinkStatus.RECALLED: ParentView("undo-2", "orange"),
    LinkStatus.SIGNED: ParentView("circle-check", "green"),
    LinkStatus.SIGNED_BY_OTHER: ParentView("circle-check", "green"),
    LinkStatus.SUPERSEDED: ParentView("mail-plus", "blue"),
    LinkStatus.DISPUTED: ParentView("message-circle-warning", "orange"),
    LinkStatus.RATE_LIMITED: ParentView("shield-alert", "red"),
}

# Badge colours in the portal (labels are translations `portal.status.<value>` etc.).
PORTAL_STATUS_TONE: dict[PortalStatus, str] = {
    PortalStatus.NOT_STARTED: "gray",
    PortalStatus.DRAFT: "gray",
    PortalStatus.READY: "blue",
    PortalStatus.OPENED: "cyan",
    PortalStatus.VERIFIED: "indigo",
    PortalStatus.PROBLEM: "red",
    PortalStatus.EXPIRED: "orange",
    PortalStatus.SIGNED: "green",
    PortalStatus.SIGNATURE_DISPUTED: "red",
}

STAFF_STATUS_TONE: dict[StaffStatus, str] = {
    StaffStatus.ACTIVE: "green",
    StaffStatus.INVITED: "blue",
    StaffStatus.INVITE_EXPIRED: "orange",
    StaffStatus.DEACTIVATED: "gray",
}

MESSAGE_STATUS_TONE: dict[MessageStatus, str] = {
    MessageStatus.QUEUED: "gray",
    MessageStatus.SENDING: "gray",
    MessageStatus.SENT: "blue",
    MessageStatus.DELIVERED: "green",
    MessageStatus.FAILED: "red",
}

# Forward-only order of message states: receipts never move a message down. Failed ranks above
# delivered: a bounce proves the parent did not get the email, even after a relay's "delivered".
MESSAGE_STATUS_RANK: dict[MessageStatus, int] = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.FAILED: 3,
}

# Messages that carry the signing link (reminders and fallbacks re-send these).
LINK_MESSAGE_KINDS = (MessageKind.READY_TO_SIGN, MessageKind.REMINDER, MessageKind.RESEND)



class MessageSecret(StrEnum):
    """The secret a message carries; the delivery worker makes it when it sends the message."""

    NONE = "none"
    SIGN_LINK = "sign_link"
    NOT_ME_LINK = "not_me_link"
    CODE = "code"
    # A portal one-time link (invitation, password reset) written into the body: erased as soon as
    # the message is sent or has failed for good (outbox._finish), so no backup holds a working one.
    ACCOUNT_LINK = "account_link"


SECRET_OF_KIND: dict[MessageKind, MessageSecret] = {
    MessageKind.READY_TO_SIGN: MessageSecret.SIGN_LINK,
    MessageKind.REMINDER: MessageSecret.SIGN_LINK,
    MessageKind.RESEND: MessageSecret.SIGN_LINK,
    MessageKind.SIGNED_NOTICE: MessageSecret.NOT_ME_LINK,
    MessageKind.VERIFICATION_CODE: MessageSecret.CODE,
    MessageKind.PROBLEM_REPORTED: MessageSecret.NONE,
    MessageKind.SIGNATURE_DISPUTED: MessageSecret.NONE,
    MessageKind.COMPLETION_CERTIFICATE: MessageSecret.NONE,  # the certificate is attached, no link
    MessageKind.STAFF_INVITE: MessageSecret.ACCOUNT_LINK,
    MessageKind.CONTACT_CHANGED: MessageSecret.NONE,
    MessageKind.PASSWORD_RESET: MessageSecret.ACCOUNT_LINK,
    MessageKind.ACCOUNT_SECURITY: MessageSecret.NONE,
}


def _exhaustive() -> None:
    maps = [(RequestStatus, LINK_STATUS_OF_REQUEST), (LinkStatus, PARENT_VIEW),
            (PortalStatus, PORTAL_STATUS_TONE), (MessageStatus, MESSAGE_STATUS_TONE), (StaffStatus, STAFF_STATUS_TONE),
            (MessageStatus, MESSAGE_STATUS_RANK), (MessageKind, SECRET_OF_KIND),
            (TapOutcome, TAP_OUTCOME_KEPT_ON_SERVER)]
    for enum, mapping in maps:
        missing = set(enum) - set(mapping)
        if missing:
            raise AssertionError(f"{enum.__name__} values missing from a status map: {sorted(missing)}")


_exhaustive()
